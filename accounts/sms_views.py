"""Delivery reports from the SMS providers: each names its message by the provider's id, and
the profile shows what became of the verification text (sent, delivered, failed).

Each endpoint answers only when its provider is configured and checks the provider's proof
(Notify: the bearer token it was given; Twilio: its signature over the public URL and the
parameters). A report about a message we did not send changes nothing and says nothing.
"""

import base64
import hashlib
import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import SmsDelivery, SmsDevice

NOTIFY_STATUSES = {
    "delivered": SmsDelivery.DELIVERED,
    "permanent-failure": SmsDelivery.FAILED,
    "temporary-failure": SmsDelivery.FAILED,
    "technical-failure": SmsDelivery.FAILED,
    "sending": SmsDelivery.SENT,
    "sent": SmsDelivery.SENT,
    "created": SmsDelivery.SENT,
}
TWILIO_STATUSES = {
    "delivered": SmsDelivery.DELIVERED,
    "failed": SmsDelivery.FAILED,
    "undelivered": SmsDelivery.FAILED,
    "queued": SmsDelivery.SENT,
    "sending": SmsDelivery.SENT,
    "sent": SmsDelivery.SENT,
}


def record_delivery(provider_id: str, delivery: str | None) -> None:
    if provider_id and delivery:
        SmsDevice.objects.filter(provider_id=provider_id).update(
            delivery=delivery, delivery_updated_at=timezone.now()
        )


@method_decorator(csrf_exempt, name="dispatch")
class NotifyStatusView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        expected = settings.NOTIFY_CALLBACK_TOKEN
        if settings.SMS_BACKEND != "accounts.sms.NotifySmsBackend" or not expected:
            raise Http404("Not configured")
        given = request.headers.get("Authorization", "")
        if not constant_time_compare(given, f"Bearer {expected}"):
            return HttpResponseForbidden("Bad token")
        try:
            report = json.loads(request.body)
            provider_id, status = str(report["id"]), str(report["status"])
        except (ValueError, KeyError, TypeError):
            return HttpResponse(status=400)
        record_delivery(provider_id, NOTIFY_STATUSES.get(status))
        return HttpResponse(status=204)


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted parameters."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@method_decorator(csrf_exempt, name="dispatch")
class TwilioStatusView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        token = settings.TWILIO_AUTH_TOKEN
        if settings.SMS_BACKEND != "accounts.sms.TwilioSmsBackend" or not token:
            raise Http404("Not configured")
        params = {key: request.POST.get(key, "") for key in request.POST}
        url = settings.SITE_URL + request.path  # the address Twilio was given
        signature = request.headers.get("X-Twilio-Signature", "")
        if not constant_time_compare(signature, twilio_signature(url, params, token)):
            return HttpResponseForbidden("Bad signature")
        record_delivery(
            params.get("MessageSid", ""), TWILIO_STATUSES.get(params.get("MessageStatus", ""))
        )
        return HttpResponse(status=204)
