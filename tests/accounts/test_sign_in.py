import re
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import UserStatus
from tests.factories import PASSWORD, AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("accounts:sign_in")


def sign_in(client, username, password=PASSWORD):
    return client.post(SIGN_IN, {"username": username, "password": password})


def visible_answer(response) -> str:
    """The page as a person sees it, without the per-request CSRF token."""
    html = response.content.decode()
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html)


def test_full_user_signs_in_with_username_or_email_in_any_case(client):
    user = UserFactory(username="jo.bloggs", email="Jo@Example.com", password=PASSWORD)
    for identifier in ["jo.bloggs", "JO.BLOGGS", "jo@example.com", " Jo@Example.COM "]:
        client.logout()
        response = sign_in(client, identifier)
        assert response.status_code == 302, identifier
        assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "status",
    [UserStatus.PROSPECT, UserStatus.INVITED, UserStatus.EXPIRED, UserStatus.CANCELLED],
)
def test_only_full_users_sign_in_and_others_see_the_wrong_password_answer(client, status):
    UserFactory(username="blocked", status=status, password=PASSWORD)
    UserFactory(username="someone", password=PASSWORD)

    right_password_blocked = sign_in(client, "blocked")
    wrong_password = sign_in(client, "someone", "not the password at all")
    no_such_account = sign_in(client, "nobody-here")

    assert right_password_blocked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "Enter a correct username or email and password" in right_password_blocked.content.decode()
    )
    assert visible_answer(right_password_blocked) == visible_answer(wrong_password).replace(
        'value="someone"', 'value="blocked"'
    )
    assert visible_answer(no_such_account) == visible_answer(wrong_password).replace(
        'value="someone"', 'value="nobody-here"'
    )


def test_archived_full_user_cannot_sign_in(client):
    UserFactory(username="gone", is_archived=True, password=PASSWORD)
    assert sign_in(client, "gone").status_code == 200
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_sign_in(client):
    UserFactory(username="jo", password=PASSWORD)
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key
    sign_in(client, "jo")
    assert client.session.session_key != before


def test_a_user_whose_status_changes_is_signed_out_on_the_next_request(client):
    admin = AdministratorFactory(password=PASSWORD)
    client.force_login(admin)
    assert client.get(reverse("accounts:user_list")).status_code == 200
    admin.status = UserStatus.CANCELLED
    admin.save()
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_sign_out_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    client.post(reverse("accounts:sign_out"))
    assert "_auth_user_id" not in client.session


def test_invalid_sign_in_marks_fields_and_summarises(client):
    response = sign_in(client, "", "")
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_username"' in html


def test_repeated_failures_pause_sign_in_for_that_username_without_checking_passwords(client):
    UserFactory(username="target", password=PASSWORD)
    for _ in range(10):
        assert sign_in(client, "target", "guess " + PASSWORD).status_code == 200
    with mock.patch("accounts.backends.UsernameOrEmailBackend.authenticate") as authenticate:
        paused = sign_in(client, "target")  # even the right password waits
    assert paused.status_code == 429
    assert "Too many unsuccessful attempts" in paused.content.decode()
    assert authenticate.call_count == 0
    assert "_auth_user_id" not in client.session
    # Another username is not paused, and a name that does not exist pauses alike.
    UserFactory(username="other", password=PASSWORD)
    assert sign_in(client, "other").status_code == 302
    client.logout()
    for _ in range(10):
        sign_in(client, "ghost", "guess")
    assert "Too many unsuccessful attempts" in sign_in(client, "ghost").content.decode()


def test_a_success_clears_the_failures(client):
    UserFactory(username="forgetful", password=PASSWORD)
    for _ in range(9):
        sign_in(client, "forgetful", "nearly " + PASSWORD)
    assert sign_in(client, "forgetful").status_code == 302
    client.logout()
    for _ in range(9):
        sign_in(client, "forgetful", "nearly " + PASSWORD)
    assert sign_in(client, "forgetful").status_code == 302


def test_behind_a_trusted_proxy_the_callers_address_is_used(rf, settings):
    from accounts.ratelimit import client_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"  # not the forgeable left-most entry


def test_signing_in_to_one_account_does_not_clear_the_addresss_count(client, settings):
    from accounts import ratelimit

    UserFactory(username="mine", password=PASSWORD)
    for n in range(5):
        sign_in(client, f"victim{n}", "guess")
    sign_in(client, "mine")
    assert ratelimit.exceeded("sign-in:client:127.0.0.1", limit=5)


def test_switching_between_username_and_email_buys_no_more_guesses(client):
    UserFactory(username="manager", email="manager@example.com", password=PASSWORD)
    for n in range(10):
        identifier = "manager" if n % 2 else "MANAGER@example.com"
        assert sign_in(client, identifier, "guess " + PASSWORD).status_code == 200
    # Neither spelling has ten failures of its own, but the account has: both are paused.
    for identifier in ("manager", "manager@example.com"):
        paused = sign_in(client, identifier)
        assert paused.status_code == 429, identifier
        assert "_auth_user_id" not in client.session


def hash_work(identifier: str, password: str) -> int:
    """How many password hashes one sign-in attempt computes."""
    from django.contrib.auth import authenticate, base_user

    with (
        mock.patch.object(base_user, "check_password", wraps=base_user.check_password) as check,
        mock.patch.object(base_user, "make_password", wraps=base_user.make_password) as make,
    ):
        authenticate(username=identifier, password=password)
    return check.call_count + make.call_count


def test_every_sign_in_costs_one_password_hash_whatever_matches():
    shared = "same.person@example.com"
    UserFactory(username="in.tenant.a", email=shared, password=PASSWORD)
    UserFactory(username="in.tenant.b", email=shared, password=PASSWORD)
    UserFactory(username="prospect", status=UserStatus.PROSPECT, password=PASSWORD)
    UserFactory(username="only.one", email="only.one@example.com", password=PASSWORD)
    attempts = {
        "nobody": hash_work("nobody@example.com", "wrong"),
        "a Prospect": hash_work("prospect", "wrong"),
        "one account": hash_work("only.one@example.com", "wrong"),
        "an email in two tenants": hash_work(shared, "wrong"),
        "a username": hash_work("in.tenant.b", "wrong"),
    }
    assert set(attempts.values()) == {1}, attempts


def test_an_email_in_two_tenants_signs_in_to_the_account_last_used(client):
    shared = "same.person@example.com"
    older = UserFactory(username="in.tenant.a", email=shared, password=PASSWORD)
    newer = UserFactory(username="in.tenant.b", email=shared, password=PASSWORD)
    assert sign_in(client, "in.tenant.b").status_code == 302  # the username names one
    client.logout()
    assert sign_in(client, shared).status_code == 302
    assert client.session["_auth_user_id"] == str(newer.pk)
    client.logout()
    assert sign_in(client, "in.tenant.a").status_code == 302  # and the other by its username
    assert client.session["_auth_user_id"] == str(older.pk)
