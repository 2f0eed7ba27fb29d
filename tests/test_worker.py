"""The production worker survives a lost database and finishes the tasks of a worker that
died; tasks it may run twice send once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.invitations.tasks import send_fresh_activation_links
from accounts.models import UserStatus
from aptem.management.commands import worker as worker_command
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return django_capture_on_commit_callbacks


def run_worker(queue) -> None:
    """One pass of the production worker (its between-task connection check would close the
    test's own transaction; emails leave when a transaction commits)."""
    with (
        mock.patch.object(worker_command, "close_old_connections"),
        queue(execute=True),
    ):
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_task_left_running_by_a_dead_worker_is_finished_by_another_and_sends_once(queue):
    person = UserFactory(email="waiting@example.com", status=UserStatus.INVITED)
    result = send_fresh_activation_links.enqueue("waiting@example.com")
    # A worker claimed it, sent the email, and was killed before it could record success.
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    with queue(execute=True):
        send_fresh_activation_links.call(mock.Mock(task_result=result), "waiting@example.com")
    assert len(mail.outbox) == 1
    DBTaskResult.objects.filter(pk=result.id).update(
        started_at=timezone.now() - timedelta(hours=1)
    )

    run_worker(queue)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.return_value == 0  # run again, sent nothing
    assert len(mail.outbox) == 1 and person.invitations.count() == 1


def test_a_task_still_within_its_time_is_not_taken_from_its_worker(queue):
    result = send_fresh_activation_links.enqueue("someone@example.com")
    DBTaskResult.objects.get(pk=result.id).claim("busy-worker")
    run_worker(queue)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"


def test_the_worker_waits_out_a_lost_database_and_carries_on(queue, monkeypatch):
    UserFactory(email="later@example.com", status=UserStatus.INVITED)
    send_fresh_activation_links.enqueue("later@example.com")
    real = worker_command.ResilientWorker.claim_next
    outage = iter([OperationalError("server closed the connection"), None])

    def flaky(self):
        failure = next(outage, None)
        if failure:
            raise failure
        return real(self)

    monkeypatch.setattr(worker_command.ResilientWorker, "claim_next", flaky)
    with (
        mock.patch.object(worker_command.time, "sleep") as slept,
        mock.patch.object(worker_command.connections, "close_all"),
    ):
        run_worker(queue)
    assert slept.call_args_list[0] == mock.call(1.0)  # waited, then went on
    assert [m.to for m in mail.outbox] == [["later@example.com"]]
