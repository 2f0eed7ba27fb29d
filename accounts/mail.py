"""Development mailer: each message becomes files under EMAIL_FILE_PATH a person can open."""

import re
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FileEmailBackend(BaseEmailBackend):
    """Writes ``<time>-<subject>.eml`` (the whole message) and ``.txt`` (its plain text)."""

    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            slug = re.sub(r"[^a-z0-9]+", "-", message.subject.lower()).strip("-")[:40]
            base = folder / f"{stamp}-{slug}"
            base.with_suffix(".eml").write_bytes(message.message().as_bytes())
            header = f"To: {', '.join(message.recipients())}\nSubject: {message.subject}\n\n"
            base.with_suffix(".txt").write_text(header + message.body, encoding="utf-8")
            sent += 1
        return sent
