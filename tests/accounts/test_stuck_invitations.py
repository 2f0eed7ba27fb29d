"""An invitation whose process died while sending is finished by the worker: tried once more,
or, after that try, recorded as failed so the profile says so. Never more than two sends."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import services
from accounts.invitations.models import Invitation, InvitationStatus
from accounts.models import UserStatus
from tests.factories import AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db
SEND = "django.core.mail.EmailMultiAlternatives.send"


class ProcessDied(BaseException):
    """Stands for the process being killed mid-send: nothing after it runs."""


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker() -> None:
    """The real worker, one pass. (Between tasks it closes connections it thinks stale, which
    inside a test's transaction would be the test's own.)"""
    loop = "django_tasks_db.management.commands.db_worker.close_old_connections"
    with mock.patch(loop):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def send_and_die(person, django_capture_on_commit_callbacks) -> Invitation:
    with (
        mock.patch(SEND, side_effect=ProcessDied),
        pytest.raises(ProcessDied),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.invitation_send(user=person, sent_by=None)
    invitation = person.invitations.get()
    assert invitation.status == InvitationStatus.PENDING and invitation.attempts == 1
    return invitation


def profile(client, person) -> str:
    client.force_login(AdministratorFactory(tenant=person.tenant))
    return client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()


def test_the_worker_sends_a_stuck_invitation_once_more(
    queue, client, django_capture_on_commit_callbacks
):
    person = UserFactory(status=UserStatus.PROSPECT)
    invitation = send_and_die(person, django_capture_on_commit_callbacks)

    worker()  # too early: the send might still be under way elsewhere
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=12), tick=False):
        worker()
        worker()  # a second pass finds nothing more to do
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.attempts == 2
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "Sent (on a second try: the first did not finish)" in profile(client, person)


def test_after_its_last_try_a_stuck_invitation_is_reported_not_sent_again(
    queue, client, django_capture_on_commit_callbacks
):
    person = UserFactory(status=UserStatus.PROSPECT)
    invitation = send_and_die(person, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(minutes=12)
    with time_machine.travel(later, tick=False), mock.patch(SEND, side_effect=ProcessDied):
        worker()  # the retry dies as well (the worker records its task as failed)
    invitation.refresh_from_db()
    assert invitation.attempts == 2 and invitation.status == InvitationStatus.PENDING
    with time_machine.travel(later + timedelta(minutes=12), tick=False):
        worker()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.error == services.NEVER_CONFIRMED
    assert mail.outbox == []
    html = profile(client, person)
    assert "could not be confirmed as sent after two tries" in html


def test_sent_and_recent_invitations_are_left_alone(django_capture_on_commit_callbacks):
    sent = UserFactory(status=UserStatus.PROSPECT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=sent, sent_by=None)
    sending = UserFactory(status=UserStatus.PROSPECT)
    recent = send_and_die(sending, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert services.invitations_retry_stuck() == 0
    recent.refresh_from_db()
    assert recent.attempts == 1 and mail.outbox == []


def test_the_sweep_command_handles_every_stuck_invitation(django_capture_on_commit_callbacks):
    people = [UserFactory(status=UserStatus.PROSPECT) for _ in range(3)]
    for person in people:
        send_and_die(person, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(minutes=12), tick=False):
        call_command("retry_stuck_invitations", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


# --- Work lost between COMMIT and its callback -----------------------------------------------


def send_and_lose_the_callback(person, django_capture_on_commit_callbacks) -> Invitation:
    """The transaction commits, then the process dies before its after-commit callback runs:
    the callbacks are captured and never run."""
    with django_capture_on_commit_callbacks(execute=False):
        services.invitation_send(user=person, sent_by=None)
    invitation = person.invitations.get()
    assert invitation.status == InvitationStatus.PENDING and invitation.sent_at is None
    return invitation


def test_an_invitation_whose_handover_was_lost_is_sent_by_the_worker_once(
    queue, client, django_capture_on_commit_callbacks
):
    person = UserFactory(status=UserStatus.PROSPECT)
    invitation = send_and_lose_the_callback(person, django_capture_on_commit_callbacks)
    worker()  # within the grace its own process would have had
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        worker()
        worker()
    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        worker()  # every later check finds it sent
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.attempts == 1
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "Sent" in profile(client, person)


def test_an_invitation_sent_by_its_own_process_is_not_sent_again_by_the_check(
    queue, django_capture_on_commit_callbacks
):
    person = UserFactory(status=UserStatus.PROSPECT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=person, sent_by=None)
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        worker()
    assert len(mail.outbox) == 1


def test_the_sweep_command_also_sends_invitations_never_handed_over(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(status=UserStatus.PROSPECT)
    send_and_lose_the_callback(person, django_capture_on_commit_callbacks)
    assert services.invitations_retry_stuck() == 0  # its own process may still send it
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        call_command("retry_stuck_invitations", verbosity=0)
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_an_upload_confirmed_is_imported_though_its_process_died_after_commit(
    queue, client, django_capture_on_commit_callbacks
):
    """The import task is queued in the transaction that marks the upload Importing."""
    from tests.uploads.test_employers_upload import csv_bytes, row, upload
    from uploads.models import Upload, UploadStatus

    admin = AdministratorFactory(roles=["bulk_upload", "create_users"])
    client.force_login(admin)
    from tests.factories import EmployerGroupFactory

    root = EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    EmployerGroupFactory(tenant=admin.tenant, name="North West", parent=root)
    found, _ = upload(client, csv_bytes([row(1), row(2)]))
    assert found.status == UploadStatus.CHECKING  # the check is the worker's too
    worker()
    found.refresh_from_db()
    assert found.status == UploadStatus.READY, found.problems
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("uploads:confirm", args=[found.pk]))
    assert Upload.objects.get(pk=found.pk).status == UploadStatus.IMPORTING
    worker()
    found.refresh_from_db()
    assert found.status == UploadStatus.IMPORTED and found.created == 2
