"""accounts' reads: the Users list, a profile, invitations and the audit trail, per tenant."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import Http404

from accounts.audit import audit_record, audit_trail
from accounts.invitations.selectors import invitation_history, pending_invitations
from accounts.invitations.services import invitation_create
from accounts.models import UserStatus, UserType
from accounts.selectors import user_get, user_list
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def test_user_list_is_newest_first_within_the_tenant_with_default_statuses():
    tenant = TenantFactory()
    old = UserFactory(tenant=tenant, created_at=START, status=UserStatus.FULL)
    new = UserFactory(
        tenant=tenant, created_at=START + timedelta(days=1), status=UserStatus.PROSPECT
    )
    UserFactory(tenant=tenant, status=UserStatus.CANCELLED)
    UserFactory(tenant=tenant, is_archived=True)
    UserFactory(tenant=TenantFactory())
    assert list(user_list(tenant=tenant)) == [new, old]


def test_user_list_filters_by_every_word_type_and_status():
    tenant = TenantFactory()
    ana = UserFactory(tenant=tenant, first_name="Ana", surname="Lopez", user_type=UserType.EMPLOYER)
    UserFactory(tenant=tenant, first_name="Ana", surname="Smith", user_type=UserType.LEARNER)
    assert list(user_list(tenant=tenant, search="ana lop")) == [ana]
    assert list(user_list(tenant=tenant, search="ana", types=[UserType.EMPLOYER])) == [ana]
    assert list(user_list(tenant=tenant, statuses=[UserStatus.CANCELLED])) == []


def test_user_get_finds_the_tenants_own_and_404s_anyone_elses():
    person = UserFactory()
    assert user_get(tenant=person.tenant, user_id=person.pk) == person
    with pytest.raises(Http404):
        user_get(tenant=TenantFactory(), user_id=person.pk)


def test_invitation_history_is_newest_first():
    person = UserFactory(status=UserStatus.PROSPECT)
    first = invitation_create(user=person, sent_by=None)
    second = invitation_create(user=person, sent_by=None)
    assert invitation_history(user=person) == [second, first]


def test_pending_invitations_lists_the_most_recently_invited_first_with_their_link():
    tenant = TenantFactory(activation_link_days=7)
    later = UserFactory(tenant=tenant, status=UserStatus.PROSPECT)
    sooner = UserFactory(tenant=tenant, status=UserStatus.PROSPECT)
    with time_machine.travel(START, tick=False):
        invitation_create(user=sooner, sent_by=None)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        invitation_create(user=later, sent_by=None)
    UserFactory(tenant=tenant, status=UserStatus.FULL)
    rows = list(pending_invitations(tenant=tenant))
    assert rows == [later, sooner]
    assert rows[1].link_expires_at == START + timedelta(days=7)


def test_audit_trail_is_about_the_subject_newest_first():
    person = UserFactory()
    with time_machine.travel(START, tick=False):
        audit_record(tenant=person.tenant, actor=None, subject=person, action="a", summary="one")
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        audit_record(tenant=person.tenant, actor=None, subject=person, action="b", summary="two")
    audit_record(tenant=person.tenant, actor=None, subject=UserFactory(), action="c", summary="x")
    assert [event.summary for event in audit_trail(user=person)] == ["two", "one"]
