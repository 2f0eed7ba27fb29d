"""API tokens: scoped, expiring, shown once, kept only as a digest, revocable, audited."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.lifecycle import account_cancel
from accounts.models import AuditEvent, Permission
from api.models import ApiToken
from api.tokens import PREFIX, token_create, token_find, token_revoke
from tests.factories import AdministratorFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_kept_only_as_a_digest(admin):
    token, secret = token_create(created_by=admin, name="Payroll sync", scopes=["users:read"])
    assert secret.startswith(PREFIX) and secret.startswith(token.prefix)
    assert len(secret) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert token.digest != secret
    # Mandatory expiry: 90 days by default.
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


@pytest.mark.parametrize("days", [0, 366, -1])
def test_an_expiry_beyond_a_year_or_none_at_all_is_refused(admin, days):
    with pytest.raises(ValidationError) as caught:
        token_create(created_by=admin, name="Sync", scopes=["users:read"], days=days)
    assert caught.value.message_dict["days"] == ["A token must expire within 1 to 365 days."]


def test_a_token_cannot_have_a_scope_its_maker_lacks(db):
    reader = AdministratorFactory(roles=[Permission.MANAGE_API_TOKENS])
    with pytest.raises(ValidationError) as caught:
        token_create(created_by=reader, name="Sync", scopes=["users:read", "users:write"])
    assert "users:write" in caught.value.message_dict["scopes"][0]
    with pytest.raises(ValidationError) as caught:
        token_create(created_by=reader, name="", scopes=[])
    assert caught.value.message_dict["scopes"] == ["Select at least one scope."]
    assert "Enter a name" in caught.value.message_dict["name"][0]


def test_making_and_revoking_a_token_go_to_the_audit_trail(admin):
    token, _ = token_create(created_by=admin, name="Payroll sync", scopes=["users:read"])
    token_revoke(token=token, revoked_by=admin)
    actions = list(
        AuditEvent.objects.for_tenant(admin.tenant)
        .filter(action__startswith="api_token")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]
    with pytest.raises(ValidationError):
        token_revoke(token=token, revoked_by=admin)


def test_no_token_an_unknown_one_or_a_malformed_header_answer_401(client_for, api):
    anonymous = APIClient().get("/api/v1/users/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert anonymous["Content-Type"] == "application/problem+json"
    assert client_for("aptem_deadbeef_nope").get("/api/v1/users/").status_code == 401
    assert client_for("a b").get("/api/v1/users/").status_code == 401
    assert api.get("/api/v1/users/").status_code == 200


def test_an_expired_token_answers_401(admin, token_for):
    _, client = token_for(admin, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = client.get("/api/v1/users/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_answers_401_at_once(admin, token_for):
    token, client = token_for(admin)
    assert client.get("/api/v1/users/").status_code == 200
    token_revoke(token=token, revoked_by=admin)
    assert client.get("/api/v1/users/").status_code == 401


def test_a_token_stops_when_its_maker_is_cancelled(admin, token_for):
    _, client = token_for(admin)
    account_cancel(
        user=admin, cancelled_by=AdministratorFactory(tenant=admin.tenant), reason="Left"
    )
    assert client.get("/api/v1/users/").status_code == 401


def test_a_token_records_when_it_was_last_used(admin, token_for):
    token, client = token_for(admin)
    assert token.last_used_at is None
    client.get("/api/v1/users/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_one_query_finds_a_token_with_its_maker_and_tenant(admin, django_assert_num_queries):
    made, secret = token_create(created_by=admin, name="Sync", scopes=["users:read"])
    ApiToken.objects.filter(pk=made.pk).update(last_used_at=timezone.now())
    for _ in range(2):  # the lookup is compiled once; each use still asks the database
        with django_assert_num_queries(1):
            found = token_find(secret)
            assert found is not None
            assert (found.pk, found.name, found.scopes) == (made.pk, "Sync", ["users:read"])
            assert found.expires_at == made.expires_at and found.revoked_at is None
            assert found.created_by == admin and found.created_by.tenant.name == admin.tenant.name
    token_revoke(token=made, revoked_by=admin)
    assert token_find(secret) is None


def test_a_token_loses_a_scope_when_its_maker_loses_the_permission(admin, token_for):
    _, client = token_for(admin, scopes=["users:write"])
    admin.roles.clear()
    response = client.post("/api/v1/employers/", {}, format="json")
    assert response.status_code == 403


# --- The page ------------------------------------------------------------------------------------


def test_the_page_makes_a_token_shows_it_once_and_revokes_it(client, admin):
    client.force_login(admin)
    page = client.get("/settings/api-tokens/")
    assert page.status_code == 200
    made = client.post(
        "/settings/api-tokens/",
        {"name": "Payroll sync", "scopes": ["users:read", "users:write"], "days": "30"},
    )
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get(name="Payroll sync")
    secret = made.context["secret"]
    assert secret.encode() in made.content
    assert token.scopes == ["users:read", "users:write"]
    later = client.get("/settings/api-tokens/")
    assert secret.encode() not in later.content and token.prefix.encode() in later.content
    client.post(f"/settings/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_page_explains_each_bad_answer(client, admin):
    client.force_login(admin)
    response = client.post("/settings/api-tokens/", {"name": "", "days": "400"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Enter a name for the token" in text
    assert "Select at least one scope." in text
    assert "A token must expire within 1 to 365 days." in text


def test_only_administrators_with_the_permission_manage_tokens(client, admin):
    other = AdministratorFactory(tenant=admin.tenant, roles=[Permission.CREATE_USERS])
    client.force_login(other)
    assert client.get("/settings/api-tokens/").status_code == 403
    token, _ = token_create(created_by=admin, name="Sync", scopes=["users:read"])
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 403


def test_another_tenants_token_cannot_be_revoked(client, admin):
    stranger = AdministratorFactory(roles=[Permission.MANAGE_API_TOKENS])
    token, _ = token_create(created_by=stranger, name="Theirs", scopes=["users:read"])
    client.force_login(admin)
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_no_token_reaches_the_logs_even_at_debug(client, admin, caplog):
    """Making a token on the page, using it, and sending a wrong one leave no secret behind."""
    caplog.set_level(logging.DEBUG)
    client.force_login(admin)
    made = client.post(
        "/settings/api-tokens/", {"name": "Quiet", "scopes": ["users:read"], "days": "9"}
    )
    secret = made.context["secret"]
    for sent in (secret, secret[:-4] + "abcd"):
        caller = APIClient()
        caller.credentials(HTTP_AUTHORIZATION=f"Bearer {sent}")
        caller.get("/api/v1/users/")
        caller.post("/api/v1/employers/", {"bad": True}, format="json")
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert secret not in logged
    assert secret[len(PREFIX) + 9 :][:20] not in logged


def test_each_write_scope_follows_its_own_permission(db, token_for):
    maker = AdministratorFactory(
        roles=[Permission.MANAGE_ORGANISATIONS, Permission.MANAGE_API_TOKENS]
    )
    _, client = token_for(maker, scopes=["organisations:write", "organisations:read"])
    made = client.post("/api/v1/organisations/", {"name": "Scoped Ltd"}, format="json")
    assert made.status_code == 201
    # Without users:write (which this maker could not have granted) no one is created.
    assert client.post("/api/v1/employers/", {}, format="json").status_code == 403
    maker.roles.clear()
    refused = client.post("/api/v1/organisations/", {"name": "Later Ltd"}, format="json")
    assert refused.status_code == 403
    assert client.get("/api/v1/organisations/").status_code == 200
