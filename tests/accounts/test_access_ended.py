"""A person whose access end date has passed shows as Expired everywhere, whatever their stored
status (Prospect, Invited or Full), and is offered no action their status no longer allows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.invitations.services import ACCESS_ENDED
from accounts.models import Permission, UserStatus
from api.models import Scope
from api.tokens import token_create
from tests.factories import AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = AdministratorFactory(roles=[Permission.CREATE_USERS])
    client.force_login(admin)
    return admin


@pytest.mark.parametrize("stored", [UserStatus.PROSPECT, UserStatus.INVITED, UserStatus.FULL])
def test_past_the_end_date_every_page_says_expired(client, admin, stored):
    ended = timezone.localdate() - timedelta(days=1)
    person = UserFactory(tenant=admin.tenant, status=stored, access_ends_on=ended, surname="Ended")

    def listed(**query) -> list[tuple[str, str]]:
        rows = client.get(reverse("accounts:user_list"), {"q": "ended", **query}).context["rows"]
        return [(row.name.split()[-1], row.status) for row in rows]

    assert listed(status=["expired"]) == [("Ended", "Expired")]
    assert listed(status=[stored]) == []

    profile = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert ">Expired</span>" in profile  # the badge
    assert f"Expired ({UserStatus(stored).label} until their access ended)" in profile
    assert "Send Invitation" not in profile and "Resend invitation" not in profile

    _, secret = token_create(created_by=admin, name="Check", scopes=[Scope.USERS_READ])
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(f"/api/v1/users/{person.pk}/").json()["status"] == "expired"


def test_an_invitation_to_someone_whose_access_ended_is_refused_with_the_reason(client, admin):
    ended = timezone.localdate() - timedelta(days=1)
    person = UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, access_ends_on=ended)
    answer = client.post(reverse("accounts:invitation_send", args=[person.pk]), follow=True)
    assert escape(ACCESS_ENDED) in answer.content.decode()
    person.refresh_from_db()
    assert person.status == UserStatus.PROSPECT and person.invitations.count() == 0

    person.access_ends_on = timezone.localdate() + timedelta(days=30)
    person.save(update_fields=["access_ends_on"])
    page = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert "Send Invitation" in page
