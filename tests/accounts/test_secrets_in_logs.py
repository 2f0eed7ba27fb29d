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
