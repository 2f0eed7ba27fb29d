""""May this person act?" is one rule (``User.acting_refusal``), and every route asks it:
signing in, a session's next request, an API token, a password reset (asked for, or a link
sent before) and an activation link. One test per route for each reason a person may not act.
And what a cancel or an archive ends stays ended after reactivation or unarchiving."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import lifecycle
from accounts.invitations.services import activation_url
from accounts.models import Permission, User, UserStatus
from accounts.passwords import reset_url
from api.models import Scope
from api.tokens import token_create
from tests.factories import PASSWORD, AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - timedelta(days=1)


def make_unable(person: User, reason: str) -> None:
    """Put ``person`` in the state ``reason`` names, as the product's own actions would."""
    admin = AdministratorFactory(tenant=person.tenant)
    if reason == "inactive":
        User.objects.filter(pk=person.pk).update(is_active=False)
    elif reason == "cancelled":
        lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Left")
    elif reason == "archived":
        lifecycle.account_archive(user=person, archived_by=admin)
    elif reason == "expired":
        lifecycle.account_access_end_set(user=person, ends_on=YESTERDAY, changed_by=admin)
    elif reason == "tenant ended":
        person.tenant.access_ends_on = YESTERDAY
        person.tenant.save(update_fields=["access_ends_on"])
    elif reason == "prospect":
        User.objects.filter(pk=person.pk).update(status=UserStatus.PROSPECT)
    else:
        raise AssertionError(reason)


REASONS = ["inactive", "cancelled", "archived", "expired", "tenant ended", "prospect"]


@pytest.fixture
def person():
    return AdministratorFactory(
        username="pat",
        email="pat@example.com",
        password=PASSWORD,
        roles=[Permission.CREATE_USERS],
        activated_at=timezone.now(),
    )


def test_a_person_who_may_act_gets_through_every_route(person, client):
    assert User.objects.get(pk=person.pk).acting_refusal() is None
    assert client.post("/sign-in/", {"username": "pat", "password": PASSWORD}).status_code == 302
    _, secret = token_create(created_by=person, name="Sync", scopes=[Scope.USERS_READ])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/users/").status_code == 200
    Client().post(reverse("accounts:password_forgot"), {"email": "pat@example.com"})
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("reason", REASONS)
def test_sign_in_is_refused(person, client, reason):
    make_unable(person, reason)
    answer = client.post("/sign-in/", {"username": "pat", "password": PASSWORD})
    assert answer.status_code == 200  # the form again, never a session
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("reason", REASONS)
def test_a_session_ends_at_its_next_request(person, reason):
    browser = Client()
    browser.force_login(person)
    assert browser.get("/").status_code == 200
    make_unable(person, reason)
    assert browser.get("/").status_code == 302


@pytest.mark.parametrize("reason", REASONS)
def test_an_api_token_stops_working(person, reason):
    _, secret = token_create(created_by=person, name="Sync", scopes=[Scope.USERS_READ])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/users/").status_code == 200
    make_unable(person, reason)
    assert api.get("/api/v1/users/").status_code == 401


@pytest.mark.parametrize("reason", REASONS)
def test_no_reset_email_is_sent_and_an_earlier_link_is_dead(person, client, reason):
    link = reset_url(User.objects.get(pk=person.pk))
    make_unable(person, reason)
    client.post(reverse("accounts:password_forgot"), {"email": "pat@example.com"})
    assert mail.outbox == []
    opened = client.get("/" + link.split("/", 3)[3], follow=True).content.decode()
    assert "This link does not work" in opened


@pytest.mark.parametrize("reason", [r for r in REASONS if r != "prospect"])
def test_an_activation_link_is_dead(client, reason):
    invited = UserFactory(username=None, status=UserStatus.INVITED, invitation_count=1)
    link = activation_url(invited)
    make_unable(invited, reason)
    opened = client.get("/" + link.split("/", 3)[3], follow=True)
    assert "Choose a password" not in opened.content.decode()
    invited.refresh_from_db()
    assert invited.status != UserStatus.FULL


# --- What a cancel or an archive ends stays ended ---------------------------------------------


@pytest.mark.parametrize("undo", ["reactivate", "unarchive"])
def test_a_token_and_a_reset_link_from_before_a_cancel_or_archive_stay_dead(person, client, undo):
    admin = AdministratorFactory(tenant=person.tenant)
    _, secret = token_create(created_by=person, name="Sync", scopes=[Scope.USERS_READ])
    link = reset_url(User.objects.get(pk=person.pk))
    if undo == "reactivate":
        lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Paused")
        lifecycle.account_reactivate(user=person, reactivated_by=admin)
    else:
        lifecycle.account_archive(user=person, archived_by=admin)
        lifecycle.account_unarchive(user=person, unarchived_by=admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/users/").status_code == 401
    opened = client.get("/" + link.split("/", 3)[3], follow=True).content.decode()
    assert "This link does not work" in opened
    # A new token made after coming back works.
    _, fresh = token_create(created_by=person, name="Sync 2", scopes=[Scope.USERS_READ])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh}")
    assert api.get("/api/v1/users/").status_code == 200
