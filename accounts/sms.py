"""Text messages (verification codes) behind one small interface, chosen by ``SMS_BACKEND``.

Development writes each message to a file under ``var/sms/`` a person can open, as it does
email under ``var/mail/``; tests read an in-memory outbox. A provider's backend (GOV.UK Notify,
Twilio) implements ``send`` the same way. A message's text is never logged: it holds a code.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


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
    """Tests: every message appended to ``accounts.sms.outbox``."""

    sent: list[SmsMessage] = field(default_factory=lambda: outbox)

    def send(self, message: SmsMessage) -> SmsReceipt:
        self.sent.append(message)
        return SmsReceipt(provider_id=f"locmem:{len(self.sent)}", status="delivered")


def sms_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(*, to: str, body: str) -> SmsReceipt:
    """Send one text through the configured backend; ``SmsFailed`` when it could not."""
    return sms_backend().send(SmsMessage(to=to, body=body))
