"""Delivery reports from the SMS providers: each names its message by the provider's id, and
the profile shows what became of the verification text (sent, delivered, failed).

Each endpoint answers only when its provider is configured and checks the provider's proof
(Notify: the bearer token it was given; Twilio: its signature over the public URL and the
parameters). A report about a message we did not send changes nothing and says nothing.
"""

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ..models import SmsDelivery, SmsDevice

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


def record_delivery(provider_id: str, delivery: str | None, *, error: str = "") -> None:
    if provider_id and delivery:
        SmsDevice.objects.filter(provider_id=provider_id).update(
            delivery=delivery,
            delivery_updated_at=timezone.now(),
            delivery_error=error[: SmsDevice._meta.get_field("delivery_error").max_length],
        )


def twilio_error(report: Any) -> str:
    """Twilio's own words for an undelivered text: its error code and message."""
    code = report.get("ErrorCode", "")
    if not code:
        return ""
    message = report.get("ErrorMessage", "")
    return f"Twilio error {code}" + (f": {message}" if message else "")


@method_decorator(csrf_exempt, name="dispatch")
class NotifyStatusView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        expected = settings.NOTIFY_CALLBACK_TOKEN
        if settings.SMS_BACKEND != "accounts.factors.sms.NotifySmsBackend" or not expected:
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


@method_decorator(csrf_exempt, name="dispatch")
class TwilioStatusView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        token = settings.TWILIO_AUTH_TOKEN
        if settings.SMS_BACKEND != "accounts.factors.sms.TwilioSmsBackend" or not token:
            raise Http404("Not configured")
        url = settings.SITE_URL + request.get_full_path()  # the address Twilio was given
        # Twilio's own check: every value of a repeated parameter, the URL with and without
        # its port, and the algorithm the signature-settings header names (SHA-1 by default).
        algorithm = get_signature_algorithm(
            request.headers.get("X-Twilio-Webhooks-Signature-Settings", "")
        )
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(token).validate(url, request.POST, signature, algorithm):
            return HttpResponseForbidden("Bad signature")
        record_delivery(
            request.POST.get("MessageSid", ""),
            TWILIO_STATUSES.get(request.POST.get("MessageStatus", "")),
            error=twilio_error(request.POST),
        )
        return HttpResponse(status=204)
