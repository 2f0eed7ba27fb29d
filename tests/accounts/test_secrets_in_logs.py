"""No password, token or code reaches the logs, even at DEBUG."""

import logging
import re

import pytest
from django.core import mail

from accounts.invitations import services
from accounts.models import UserStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "plum orchard lantern 42"


def test_activation_and_sign_in_leave_no_token_or_password_in_the_logs(
    client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(status=UserStatus.PROSPECT, email="quiet@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=user, sent_by=None)
    path = re.search(r"https://aptem\.test(/activate/\S+/)", mail.outbox[0].body).group(1)
    token = path.rstrip("/").split("/")[-1]
    landing = client.get(path)
    client.post(
        landing.url, {"username": "quiet", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    client.logout()
    client.post("/sign-in/", {"username": "quiet", "password": PASSWORD})
    client.post("/sign-in/", {"username": "quiet", "password": "wrong " + PASSWORD})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert PASSWORD not in logged


class EveryRecord(logging.Handler):
    """Every record any logger passes on, as each of the product's formatters writes it
    (the JSON one carries a record's extra fields too)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        from django.conf import settings
        from pythonjsonlogger.json import JsonFormatter

        json_format = settings.LOGGING["formatters"]["json"]
        formatters = [
            logging.Formatter("%(name)s %(levelname)s %(message)s"),
            JsonFormatter(json_format["fmt"]),
        ]
        self.lines += [formatter.format(record) for formatter in formatters]
        self.lines.append(repr(vars(record)))  # args, extra fields and exception text


@pytest.fixture
def every_record():
    """All loggers at DEBUG, those that do not propagate included, into one handler."""
    handler = EveryRecord()
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
        logger.removeHandler(handler)


def test_no_request_carrying_a_token_a_code_or_a_password_logs_it(
    every_record, sms_outbox, django_capture_on_commit_callbacks
):
    """A sign-in with a password (wrong, then right), its second factor by text message (a
    wrong code, then the right one), and API calls with a live and a revoked token: none of
    the secrets is in any record at DEBUG, whether the request succeeded or was refused."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Permission, SecondFactor
    from api.tokens import token_create, token_revoke
    from tests.factories import AdministratorFactory, TenantFactory

    tenant = TenantFactory(second_factor=SecondFactor.EVERYONE)
    admin = AdministratorFactory(
        tenant=tenant, username="logged", password=PASSWORD, roles=[Permission.MANAGE_API_TOKENS]
    )
    admin.mobile = "+447400123456"
    admin.save(update_fields=["mobile"])
    _, live = token_create(created_by=admin, name="Live", scopes=["users:read"])
    revoked_token, revoked = token_create(created_by=admin, name="Gone", scopes=["users:read"])
    token_revoke(token=revoked_token, revoked_by=admin)

    every_record.lines.clear()  # what the set-up logged (factory_boy names the password)
    client = Client()
    sign_in = reverse("accounts:sign_in")
    client.post(sign_in, {"username": "logged", "password": "wrong " + PASSWORD})
    client.post(sign_in, {"username": "logged", "password": PASSWORD})
    second = reverse("accounts:second_factor")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(second, {"method": "sms", "action": "send"})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    client.post(second, {"method": "sms", "code": wrong})
    assert client.post(second, {"method": "sms", "code": code}).status_code == 302
    api = Client()
    for secret in (live, revoked, live + "x"):
        api.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    logged = "\n".join(every_record.lines)
    assert "Unauthorized: /api/v1/users/" in logged  # the handler saw the requests' records
    for secret in (PASSWORD, code, wrong, live, revoked):
        assert secret not in logged, secret
