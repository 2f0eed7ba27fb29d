"""Each SMS provider is called with the right request, against a local HTTP server the test
starts (never the internet); its failure leaves the person able to retry; its delivery
report reaches the profile."""

import json
import re
import threading
import uuid
from base64 import b64decode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from accounts.factors import sms, verification
from accounts.models import SmsDelivery, UserStatus, UserType
from tests.factories import AdministratorFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
NOTIFY_KEY = f"aptem_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


class Provider:
    """A local stand-in for the provider's API: records requests, answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 201
        self.answer: dict = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                provider.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length).decode(),
                    }
                )
                body = json.dumps(provider.answer).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    server = Provider()
    yield server
    server.close()


@pytest.fixture
def notify(settings, provider):
    settings.SMS_BACKEND = "accounts.factors.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = NOTIFY_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = provider.url
    settings.NOTIFY_CALLBACK_TOKEN = "callback-token-123"
    provider.answer = {"id": "notify-message-1"}
    return provider


@pytest.fixture
def twilio(settings, provider):
    settings.SMS_BACKEND = "accounts.factors.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.TWILIO_FROM = "+447700900123"
    settings.TWILIO_BASE_URL = provider.url
    settings.SITE_URL = "https://aptem.test"
    provider.answer = {"sid": "SM-twilio-1"}
    return provider


@pytest.fixture
def person():
    return UserFactory(
        tenant=TenantFactory(mfv_employers=True),
        user_type=UserType.EMPLOYER,
        status=UserStatus.INVITED,
        mobile="+447400123456",
        invitation_count=1,
    )


def test_notify_is_sent_the_number_template_and_body_with_a_signed_token(notify, person):
    receipt = sms.send_sms(to="+447400123456", body="Your code is 123456")
    [request] = notify.requests
    assert request["path"] == "/v2/notifications/sms"
    sent = json.loads(request["body"])
    assert sent["phone_number"] == "+447400123456"
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["personalisation"] == {"body": "Your code is 123456"}
    token = request["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert receipt.provider_id == "notify-message-1"


def test_twilio_is_sent_the_number_sender_body_and_callback_with_basic_auth(twilio, person):
    receipt = sms.send_sms(to="+447400123456", body="Your code is 123456")
    [request] = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    form = {key: values[0] for key, values in parse_qs(request["body"]).items()}
    assert form == {
        "To": "+447400123456",
        "From": "+447700900123",
        "Body": "Your code is 123456",
        "StatusCallback": "https://aptem.test/sms/status/twilio/",
    }
    auth = b64decode(request["headers"]["Authorization"].removeprefix("Basic ")).decode()
    assert auth == "AC123:twilio-token"
    assert receipt.provider_id == "SM-twilio-1"


@pytest.mark.parametrize("which", ["notify", "twilio"])
def test_a_provider_failure_counts_for_nothing_and_the_person_can_retry(request, person, which):
    server = request.getfixturevalue(which)
    server.status, answer = 500, server.answer
    server.answer = {"errors": [{"error": "Internal", "message": "down"}]}
    device = verification.device_for(person)
    with pytest.raises(Exception) as caught:
        verification.code_send(device=device)
    assert caught.value.messages == [verification.SEND_FAILED]
    device.refresh_from_db()
    assert device.sends == 0 and device.delivery == SmsDelivery.FAILED
    server.status, server.answer = 201, answer
    verification.code_send(device=device)
    device.refresh_from_db()
    assert device.sends == 1 and device.provider_id == next(iter(answer.values()))


def test_codes_never_reach_the_logs(notify, person, caplog):
    device = verification.device_for(person)
    verification.code_send(device=device)
    code = re.search(
        r"\b(\d{6})\b", json.loads(notify.requests[-1]["body"])["personalisation"]["body"]
    ).group(1)
    assert code not in caplog.text


def profile_text(client, person) -> str:
    admin = AdministratorFactory(tenant=person.tenant)
    client.force_login(admin)
    return client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()


def test_notifys_delivery_report_updates_the_profile_and_needs_its_token(client, notify, person):
    verification.code_send(device=verification.device_for(person))
    url = reverse("accounts:sms_status_notify")
    report = json.dumps({"id": "notify-message-1", "status": "permanent-failure"})
    forged = client.post(url, report, content_type="application/json")
    assert forged.status_code == 403
    response = client.post(
        url,
        report,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer callback-token-123",
    )
    assert response.status_code == 204
    assert "Text message failed" in profile_text(client, person)


def test_twilios_delivery_report_updates_the_profile_and_needs_its_signature(
    client, twilio, person
):
    verification.code_send(device=verification.device_for(person))
    url = reverse("accounts:sms_status_twilio")
    params = {"MessageSid": "SM-twilio-1", "MessageStatus": "delivered"}
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE="forged").status_code == 403
    signature = signed("https://aptem.test" + url, params)
    response = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 204
    assert "Text message delivered" in profile_text(client, person)


def signed(url: str, params, algorithm: str | None = None) -> str:
    """The X-Twilio-Signature Twilio would send: its own library's, never ours."""
    return RequestValidator("twilio-token").compute_signature(url, params, algorithm)


@pytest.mark.parametrize(
    "signed_url",
    ["https://aptem.test/sms/status/twilio/", "https://aptem.test:443/sms/status/twilio/"],
)
def test_a_report_twilio_signs_with_or_without_the_port_is_accepted(
    client, twilio, person, signed_url
):
    verification.code_send(device=verification.device_for(person))
    params = {"MessageSid": "SM-twilio-1", "MessageStatus": "delivered"}
    answer = client.post(
        reverse("accounts:sms_status_twilio"),
        params,
        HTTP_X_TWILIO_SIGNATURE=signed(signed_url, params),
    )
    assert answer.status_code == 204


def test_a_report_with_a_repeated_parameter_is_checked_over_every_value(client, twilio, person):
    from django.http import QueryDict

    verification.code_send(device=verification.device_for(person))
    body = "MessageSid=SM-twilio-1&MessageStatus=delivered&Tag=a&Tag=b"
    url = reverse("accounts:sms_status_twilio")
    signature = signed("https://aptem.test" + url, QueryDict(body))
    answer = client.generic(
        "POST",
        url,
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert answer.status_code == 204
    only_last = signed("https://aptem.test" + url, {**QueryDict(body).dict()})
    assert only_last != signature  # what the old check computed, and refused


def test_a_report_signed_with_sha256_is_accepted(client, twilio, person):
    verification.code_send(device=verification.device_for(person))
    params = {"MessageSid": "SM-twilio-1", "MessageStatus": "undelivered", "ErrorCode": "30003",
              "ErrorMessage": "Unreachable destination handset"}
    url = reverse("accounts:sms_status_twilio")
    answer = client.post(
        url,
        params,
        HTTP_X_TWILIO_SIGNATURE=signed("https://aptem.test" + url, params, "HMAC_SHA256"),
        HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS="key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    )
    assert answer.status_code == 204
    page = profile_text(client, person)
    assert "Text message failed" in page
    assert "Twilio error 30003: Unreachable destination handset" in page


def test_a_send_twilio_refuses_shows_its_code_and_message_on_the_profile(
    client, twilio, person
):
    twilio.status = 400
    twilio.answer = {
        "code": 21211,
        "message": "Invalid 'To' Phone Number: +447400123456",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }
    device = verification.device_for(person)
    with pytest.raises(Exception) as caught:
        verification.code_send(device=device)
    assert caught.value.messages == [verification.SEND_FAILED]  # the person's words
    page = profile_text(client, person)
    assert "Twilio error 21211: " in page and "Invalid &#x27;To&#x27; Phone Number" in page


def test_a_report_for_a_message_we_did_not_send_changes_nothing(client, notify, person):
    verification.code_send(device=verification.device_for(person))
    response = client.post(
        reverse("accounts:sms_status_notify"),
        json.dumps({"id": "someone-elses", "status": "delivered"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer callback-token-123",
    )
    assert response.status_code == 204
    assert verification.device_for(person).delivery == SmsDelivery.SENT


def test_the_report_endpoints_do_not_exist_without_their_provider(client):
    assert client.post(reverse("accounts:sms_status_notify")).status_code == 404
    assert client.post(reverse("accounts:sms_status_twilio")).status_code == 404
