"""Every endpoint: 401 without a live token, 403 without its scope, 404 for another tenant's
object, 429 past the token's rate."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import UserStatus, UserType
from api.tokens import token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# (method, path with {user} for a user's id, the scope it needs)
ENDPOINTS = [
    ("get", "/api/v1/users/", "users:read"),
    ("get", "/api/v1/users/{user}/", "users:read"),
    ("patch", "/api/v1/users/{user}/", "users:write"),
    ("post", "/api/v1/employers/", "users:write"),
    ("post", "/api/v1/employers/bulk/", "users:write"),
    ("post", "/api/v1/learners/", "users:write"),
    ("get", "/api/v1/users/{user}/invitation/", "users:read"),
    ("post", "/api/v1/users/{user}/invitation/", "invitations:send"),
    ("post", "/api/v1/users/{user}/cancel/", "users:write"),
    ("post", "/api/v1/users/{user}/reactivate/", "users:write"),
    ("post", "/api/v1/users/{user}/archive/", "users:write"),
    ("post", "/api/v1/users/{user}/unarchive/", "users:write"),
    ("get", "/api/v1/organisations/", "organisations:read"),
    ("post", "/api/v1/organisations/", "organisations:write"),
    ("get", "/api/v1/employer-groups/", "users:read"),
    ("get", "/api/v1/roles/", "users:read"),
    ("get", "/api/v1/positions/", "users:read"),
]
OBJECT_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{user}" in endpoint[1]]
ALL = ["users:read", "users:write", "invitations:send", "organisations:read", "organisations:write"]


def call(client, method, path, user_id):
    return getattr(client, method)(path.format(user=user_id), {}, format="json")


@pytest.fixture
def person(tenant):
    return UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, status=UserStatus.PROSPECT)


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_a_token_without_the_scope_gets_403(admin, token_for, person, method, path, scope):
    _, client = token_for(admin, scopes=[other for other in ALL if other != scope])
    response = call(client, method, path, person.pk)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert scope in response.json()["detail"]


# Every address and the scopes each answers with: HEAD as GET, OPTIONS with any of them.
ADDRESSES = sorted({path for _, path, _ in ENDPOINTS})


def scopes_of(path: str) -> dict[str, str]:
    return {method.upper(): scope for method, p, scope in ENDPOINTS if p == path}


@pytest.mark.parametrize("path", ADDRESSES)
@pytest.mark.parametrize("scope", ALL)
@pytest.mark.parametrize("method", ["get", "head", "options", "post", "patch", "put", "delete"])
def test_every_method_of_every_address_needs_its_scope(
    admin, token_for, person, path, scope, method
):
    """A token with one scope gets through only where that scope is named, for every method
    the address answers, HEAD and OPTIONS included (HEAD tells whether an account exists)."""
    _, client = token_for(admin, scopes=[scope])
    named = scopes_of(path)
    answer = getattr(client, method)(path.format(user=person.pk))
    if method == "options":
        allowed = scope in named.values()
    elif method == "head" and "GET" in named:
        allowed = named["GET"] == scope
    elif method.upper() in named:
        allowed = named[method.upper()] == scope
    else:
        assert answer.status_code == 405, answer.content
        return
    if allowed:
        assert answer.status_code not in (401, 403, 405), answer.content
    else:
        assert answer.status_code == 403, answer.content


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_a_revoked_or_expired_token_gets_401(admin, token_for, person, method, path, scope):
    token, client = token_for(admin, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert call(client, method, path, person.pk).status_code == 401
    token_revoke(token=token, revoked_by=admin)
    response = call(client, method, path, person.pk)
    assert response.status_code == 401
    assert response.json()["status"] == 401


@pytest.mark.parametrize(("method", "path", "scope"), OBJECT_ENDPOINTS)
def test_another_tenants_person_is_not_found(api, method, path, scope):
    stranger = UserFactory(user_type=UserType.EMPLOYER, status=UserStatus.PROSPECT)
    before = (stranger.status, stranger.is_archived, stranger.invitation_count)
    response = call(api, method, path, stranger.pk)
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"
    stranger.refresh_from_db()
    assert (stranger.status, stranger.is_archived, stranger.invitation_count) == before


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_past_its_rate_a_token_gets_429_with_retry_after(
    settings, api, person, method, path, scope
):
    settings.API_RATE = "2/minute"
    with time_machine.travel(timezone.now(), tick=False):  # one minute's window throughout
        for _ in range(2):
            assert call(api, method, path, person.pk).status_code != 429
        response = call(api, method, path, person.pk)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["status"] == 429


def test_each_token_has_its_own_rate(settings, admin, token_for):
    settings.API_RATE = "1/minute"
    _, first = token_for(admin)
    _, second = token_for(admin)
    with time_machine.travel(timezone.now(), tick=False):
        assert first.get("/api/v1/users/").status_code == 200
        assert first.get("/api/v1/users/").status_code == 429
        assert second.get("/api/v1/users/").status_code == 200


def test_a_rate_counts_each_clock_minute_and_says_when_the_next_begins(settings, api):
    settings.API_RATE = "2/minute"
    minute = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(minute + timedelta(seconds=50), tick=False):
        assert [api.get("/api/v1/users/").status_code for _ in range(3)] == [200, 200, 429]
        refused = api.get("/api/v1/users/")
        assert refused.status_code == 429 and refused["Retry-After"] == "10"
    with time_machine.travel(minute + timedelta(minutes=1), tick=False):
        assert api.get("/api/v1/users/").status_code == 200


def test_the_browser_session_works_with_its_csrf_token(admin):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    assert browser.get("/api/v1/users/").status_code == 200
    refused = browser.post("/api/v1/organisations/", {"name": "X"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/settings/api-tokens/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    made = browser.post(
        "/api/v1/organisations/",
        {"name": "Session Made Ltd"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert made.status_code == 201, made.json()


def test_a_person_who_is_not_an_administrator_has_no_scopes(client, tenant):
    learner = UserFactory(tenant=tenant)
    client.force_login(learner)
    assert client.get("/api/v1/users/").status_code == 403
