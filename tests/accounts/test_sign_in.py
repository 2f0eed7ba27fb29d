import re

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
