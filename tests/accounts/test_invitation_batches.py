"""Invitations to many people at once go to the worker: the click answers at once, a page
follows the sending and then says who got an email, whose failed and who was skipped. Each
email goes once, however often the task runs."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import services
from accounts.invitations.models import BatchStatus, InvitationBatch
from accounts.models import Permission, UserStatus
from tests.factories import AdministratorFactory, UserFactory

from .test_stuck_invitations import SEND
from .test_stuck_invitations import worker as worker_pass

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings, django_capture_on_commit_callbacks):
    """The production queue; each worker pass commits as the real one does, so an email
    leaves when its invitation is saved."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def work():
        with django_capture_on_commit_callbacks(execute=True):
            worker_pass()

    return work


@pytest.fixture
def admin(client):
    admin = AdministratorFactory(roles=[Permission.CREATE_USERS])
    client.force_login(admin)
    return admin


def test_bulk_send_answers_at_once_and_the_worker_sends_each_email_once(queue, client, admin):
    prospects = UserFactory.create_batch(3, tenant=admin.tenant, status=UserStatus.PROSPECT)
    full = UserFactory(tenant=admin.tenant, status=UserStatus.FULL, surname="Zed")
    chosen = [p.pk for p in prospects] + [full.pk]
    answer = client.post(
        reverse("accounts:user_bulk"), {"users": chosen, "action": "invite", "confirmed": "yes"}
    )
    assert answer.status_code == 302 and mail.outbox == []  # nothing sent in the request
    waiting = client.get(answer.url).content.decode()
    assert "Send invitation to 4 people" in waiting and "0 of 4 people done" in waiting
    assert 'hx-trigger="every 1s"' in waiting and ">Refresh</a>" in waiting

    queue()
    queue()  # run again: nothing more is sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in prospects)
    done = client.get(answer.url).content.decode()
    assert "Send invitation: 3 sent, 1 skipped" in done
    assert "Only a Prospect or an Invited user can be sent an invitation." in done
    progress = client.get(answer.url, {"progress": "1"})
    assert progress.status_code == 204 and progress["HX-Refresh"] == "true"


def test_a_batch_carried_on_after_its_worker_died_sends_nobody_twice(
    queue, admin, django_capture_on_commit_callbacks
):
    people = UserFactory.create_batch(3, tenant=admin.tenant, status=UserStatus.PROSPECT)
    batch = services.invitation_batch_start(
        tenant=admin.tenant, requested_by=admin, kind="send", user_ids=[p.pk for p in people]
    )
    first = batch.user_ids[0]
    # The worker sent the first email, then died before recording it.
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(
            user=UserFactory._meta.model.objects.get(pk=first),
            sent_by=admin,
            request_key=f"batch:{batch.pk}:{first}",
        )
    assert len(mail.outbox) == 1
    queue()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and len(batch.outcomes) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


@pytest.mark.django_db(transaction=True)  # the worker's send commits, and is judged, at once
def test_a_provider_failure_is_reported_per_person(queue, client, admin):
    person = UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT)
    batch = services.invitation_batch_start(
        tenant=admin.tenant, requested_by=admin, kind="send", user_ids=[person.pk]
    )
    with mock.patch(SEND, side_effect=ConnectionError("provider down")):
        queue()
    page = client.get(reverse("accounts:invitation_batch", args=[batch.pk])).content.decode()
    assert "Send invitation: 0 sent, 1 failed" in page
    assert "provider down" in page


def test_another_tenants_batch_is_not_found_and_viewers_are_refused(client, admin):
    other = AdministratorFactory()
    batch = InvitationBatch.objects.create(tenant=other.tenant, kind="send", user_ids=[])
    url = reverse("accounts:invitation_batch", args=[batch.pk])
    assert client.get(url).status_code == 404
    client.force_login(AdministratorFactory(tenant=other.tenant, roles=[]))
    assert client.get(url).status_code == 403


def test_resend_from_pending_invitations_skips_who_activated_meanwhile(queue, client, admin):
    invited = {"status": UserStatus.INVITED, "invitation_count": 1, "invited_at": timezone.now()}
    waiting = UserFactory(tenant=admin.tenant, **invited)
    activated = UserFactory(tenant=admin.tenant, **invited)
    answer = client.post(
        reverse("accounts:pending_invitations"),
        {"users": [waiting.pk, activated.pk], "confirmed": "yes"},
    )
    type(activated).objects.filter(pk=activated.pk).update(status=UserStatus.FULL)
    queue()
    page = client.get(answer.url).content.decode()
    assert "Resend invitation: 1 sent, 1 skipped" in page
    assert [m.to for m in mail.outbox] == [[waiting.email]]
