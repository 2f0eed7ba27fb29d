"""Every audited input at its longest, on every route: the audit record fits its columns (on
PostgreSQL a longer value would be refused, and the action with it), and the whole text stays
in its details."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import lifecycle
from accounts.audit import SUMMARY_MAX, audit_route
from accounts.invitations.services import invitation_send
from accounts.models import AuditEvent, Permission, UserStatus
from api.models import Scope
from api.tokens import token_create
from tests.factories import AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db

LONGEST_REASON = ("Left the company after the contract with the employer ended. " * 10)[
    : lifecycle.REASON_MAX
].strip()


def longest_email() -> str:
    """254 characters, the most an address may have: 64 before the @, labels of 63."""
    local = "l" * 64
    domain = ".".join(["d" * 63, "e" * 63, "f" * 58]) + ".uk"
    email = f"{local}@{domain}"
    assert len(email) == 254
    return email


@pytest.fixture
def admin():
    return AdministratorFactory(roles=[Permission.CREATE_USERS])


def cancelled_event(person) -> AuditEvent:
    person.refresh_from_db()
    assert person.status == UserStatus.CANCELLED
    return person.audit_events.get(action="account.cancelled")


def assert_fits_and_keeps(event: AuditEvent, text: str) -> None:
    assert len(event.summary) <= SUMMARY_MAX
    assert event.summary.endswith(")") or "…" in event.summary
    assert text in event.details.get("summary", event.summary)


def test_the_profile_cancels_with_the_longest_reason(client, admin):
    person = UserFactory(tenant=admin.tenant, activated_at=timezone.now())
    client.force_login(admin)
    answer = client.post(
        reverse("accounts:account_cancel", args=[person.pk]), {"reason": LONGEST_REASON}
    )
    assert answer.status_code == 302
    event = cancelled_event(person)
    assert_fits_and_keeps(event, LONGEST_REASON)
    assert event.details["reason"] == LONGEST_REASON


def test_bulk_cancel_cancels_everyone_with_the_longest_reason(client, admin):
    people = UserFactory.create_batch(3, tenant=admin.tenant, activated_at=timezone.now())
    client.force_login(admin)
    answer = client.post(
        reverse("accounts:user_bulk"),
        {
            "users": [p.pk for p in people],
            "action": "cancel",
            "confirmed": "yes",
            "reason": LONGEST_REASON,
        },
    )
    assert "Cancel account: 3 done" in answer.content.decode()
    for person in people:
        assert_fits_and_keeps(cancelled_event(person), LONGEST_REASON)


def test_bulk_cancel_refuses_a_reason_too_long_before_touching_anyone(client, admin):
    person = UserFactory(tenant=admin.tenant, activated_at=timezone.now())
    client.force_login(admin)
    answer = client.post(
        reverse("accounts:user_bulk"),
        {"users": [person.pk], "action": "cancel", "confirmed": "yes", "reason": "x" * 501},
    )
    assert answer.status_code == 422
    assert lifecycle.REASON_TOO_LONG in answer.content.decode()
    person.refresh_from_db()
    assert person.status != UserStatus.CANCELLED


def test_both_cancel_pages_let_a_person_type_exactly_the_longest_reason(client, admin):
    person = UserFactory(tenant=admin.tenant, activated_at=timezone.now())
    client.force_login(admin)
    pages = [
        client.get(reverse("accounts:account_cancel", args=[person.pk])),
        client.post(reverse("accounts:user_bulk"), {"users": [person.pk], "action": "cancel"}),
    ]
    for page in pages:
        assert f'maxlength="{lifecycle.REASON_MAX}"' in page.content.decode()


def test_the_api_cancels_with_the_longest_reason(admin):
    person = UserFactory(tenant=admin.tenant, activated_at=timezone.now())
    _, secret = token_create(
        created_by=admin, name="A name long enough " * 5, scopes=[Scope.USERS_WRITE], days=30
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.post(f"/api/v1/users/{person.pk}/cancel/", {"reason": LONGEST_REASON}, "json")
    assert answer.status_code == 200, answer.content
    event = cancelled_event(person)
    assert_fits_and_keeps(event, LONGEST_REASON)
    assert event.summary.endswith(")")  # the route's words survive the cut


def test_invitations_to_the_longest_address_are_audited_in_full(
    admin, settings, django_capture_on_commit_callbacks
):
    person = UserFactory(
        tenant=admin.tenant, email=longest_email(), username=None, status=UserStatus.PROSPECT
    )
    settings.EMAIL_BACKEND = "tests.accounts.test_audit_limits.FailingBackend"
    with (
        audit_route("through the API, token 'x'"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation, _ = invitation_send(user=person, sent_by=admin)
    invitation.refresh_from_db()
    assert invitation.status == "failed" and mail.outbox == []
    for event in person.audit_events.filter(action__startswith="invitation."):
        assert_fits_and_keeps(event, person.email)


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("provider down")


def test_an_employer_with_the_longest_address_is_created_without_a_default_username(admin):
    from employers.services import employer_create
    from tests.factories import EmployerGroupFactory

    group = EmployerGroupFactory(tenant=admin.tenant)
    user, _ = employer_create(
        tenant=admin.tenant,
        created_by=admin,
        data={
            "title": "Ms",
            "first_name": "Jo",
            "surname": "Long",
            "email": longest_email(),
            "mobile": "07400 123456",
            "employer_groups": [group.pk],
            "interfaces": ["classic"],
            "invite": False,
        },
    )
    assert user.email == longest_email() and user.username is None  # chosen at activation
