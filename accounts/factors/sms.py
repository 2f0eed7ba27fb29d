"""Text messages (verification codes) behind one small interface, chosen by ``SMS_BACKEND``.

Development writes each message to a file under ``var/sms/`` a person can open, as it does
email under ``var/mail/``; tests read an in-memory outbox. A provider's backend (GOV.UK Notify,
Twilio) implements ``send`` the same way. A message's text is never logged: it holds a code.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client as TwilioClient


class SmsFailed(Exception):
    """The provider refused or could not be reached; the person may ask again."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, like +447400123456
    body: str


@dataclass(frozen=True)
class SmsReceipt:
    """What the provider said: its own id for the message (for its delivery callbacks)."""

    provider_id: str
    status: str = "sent"


@dataclass
class BaseSmsBackend:
    def send(self, message: SmsMessage) -> SmsReceipt:
        raise NotImplementedError


@dataclass
class FileSmsBackend(BaseSmsBackend):
    """Development: ``<time>-<number>.txt`` under ``SMS_FILE_PATH``."""

    def send(self, message: SmsMessage) -> SmsReceipt:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        number = re.sub(r"[^0-9]", "", message.to)
        path = folder / f"{stamp}-{number}.txt"
        path.write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
        return SmsReceipt(provider_id=f"file:{path.name}", status="delivered")


outbox: list[SmsMessage] = []


@dataclass
class LocmemSmsBackend(BaseSmsBackend):
    """Tests: every message appended to ``accounts.factors.sms.outbox``."""

    sent: list[SmsMessage] = field(default_factory=lambda: outbox)

    def send(self, message: SmsMessage) -> SmsReceipt:
        self.sent.append(message)
        return SmsReceipt(provider_id=f"locmem:{len(self.sent)}", status="delivered")


@dataclass
class DisabledSmsBackend(BaseSmsBackend):
    """Production without ``SMS_PROVIDER``: every text is refused, so the person is told it
    could not be sent and the administrator sees it failed."""

    def send(self, message: SmsMessage) -> SmsReceipt:
        raise SmsFailed("No SMS provider is configured (SMS_PROVIDER).")


@dataclass
class NotifySmsBackend(BaseSmsBackend):
    """GOV.UK Notify, through its own client. The template holds one placeholder,
    ``((body))``, so the product's wording stays in the product."""

    def send(self, message: SmsMessage) -> SmsReceipt:
        client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )
        try:
            answer = client.send_sms_notification(
                phone_number=message.to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": message.body},
            )
        except (APIError, requests.RequestException) as error:
            raise SmsFailed(f"Notify refused the message ({type(error).__name__})") from None
        return SmsReceipt(provider_id=str(answer["id"]), status="sent")


@dataclass
class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Messages API, through Twilio's own client. Delivery reports come back to
    ``accounts:sms_status_twilio``, signed with the auth token. A refusal carries Twilio's
    own error code and message (21211: not a valid number, say), which the profile shows."""

    def send(self, message: SmsMessage) -> SmsReceipt:
        client = TwilioClient(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS),
        )
        client.api.base_url = settings.TWILIO_BASE_URL  # api.twilio.com, unless told
        sender = settings.TWILIO_FROM
        options: dict[str, str] = {"to": message.to, "body": message.body}
        options["messaging_service_sid" if sender.startswith("MG") else "from_"] = sender
        if settings.SITE_URL:
            options["status_callback"] = settings.SITE_URL + reverse("accounts:sms_status_twilio")
        try:
            sent = client.messages.create(**options)
        except TwilioRestException as error:
            raise SmsFailed(f"Twilio error {error.code}: {error.msg}") from None
        except (TwilioException, requests.RequestException) as error:
            raise SmsFailed(f"Twilio could not be reached ({type(error).__name__})") from None
        return SmsReceipt(provider_id=str(sent.sid), status="sent")


def sms_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(*, to: str, body: str) -> SmsReceipt:
    """Send one text through the configured backend; ``SmsFailed`` when it could not."""
    return sms_backend().send(SmsMessage(to=to, body=body))
