"""Activation links: lifetime, single use, replacement, and their separation from reset links."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.invitations import services
from accounts.invitations.tokens import activation_token_generator
from accounts.models import User, UserStatus
from tests.factories import RoleFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "plum orchard lantern 42"


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    user = UserFactory(
        status=UserStatus.PROSPECT,
        username="invitee@example.com",
        email="invitee@example.com",
        first_name="Ines",
        surname="Vitale",
        tenant=TenantFactory(activation_link_days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=user, sent_by=None)
    user.refresh_from_db()
    return user


def link_path(message) -> str:
    return re.search(r"https://aptem\.test(/activate/\S+/)", message.body).group(1)


def activate(client, path: str, password: str = PASSWORD, username: str = "ines"):
    landing = client.get(path)
    return landing, client.post(
        landing.url if landing.status_code == 302 else path,
        {"username": username, "new_password1": password, "new_password2": password},
    )


def test_email_has_subject_name_tenant_expiry_and_an_absolute_site_url_link(invited):
    message = mail.outbox[0]
    assert message.subject == "Aptem Account Activation"
    assert message.to == ["invitee@example.com"]
    assert "Dear Ines" in message.body and invited.tenant.name in message.body
    assert "expires on" in message.body and "7 days" in message.body
    html = message.alternatives[0][0]
    assert "Activate your account" in html and link_path(message) in html


def test_link_comes_from_site_url_never_the_request_host(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://aptem.example.org"
    admin = UserFactory(user_type="administrator")
    person = UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT)
    admin.roles.add(RoleFactory(tenant=admin.tenant, permissions=["create_users"]))
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitation_send", args=[person.pk]), HTTP_HOST="evil.example")
    assert "https://aptem.example.org/activate/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


def test_get_twice_then_post_activates_and_the_final_url_has_no_token(client, invited):
    path = link_path(mail.outbox[0])
    token = path.rstrip("/").split("/")[-1]
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 302
    assert token not in first.url and first.url.endswith("/set-password/")
    form_page = client.get(first.url)
    assert b"Activate Account" in form_page.content
    assert token.encode() not in form_page.content
    response = client.post(
        first.url, {"username": "ines", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert token not in response.url
    invited.refresh_from_db()
    assert invited.status == UserStatus.FULL and invited.username == "ines"
    assert invited.check_password(PASSWORD) and invited.activated_at is not None
    assert client.session["_auth_user_id"] == str(invited.pk)
    assert "Welcome to Aptem, Ines" in client.get(reverse("home")).content.decode()


def test_a_second_use_fails_and_leaves_the_password_unchanged(client, invited):
    path = link_path(mail.outbox[0])
    activate(client, path)
    client.logout()
    landing, _response = activate(client, path, password="another lovely passphrase")
    assert landing.status_code == 200
    assert b"This activation link does not work" in landing.content
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)
    assert not invited.check_password("another lovely passphrase")


def test_a_resend_kills_the_old_link(client, invited, django_capture_on_commit_callbacks):
    old_path = link_path(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=invited, sent_by=None)
    new_path = link_path(mail.outbox[1])
    assert b"does not work" in client.get(old_path).content
    assert client.get(new_path).status_code == 302


def test_an_email_change_kills_the_old_link(client, invited):
    path = link_path(mail.outbox[0])
    User.objects.filter(pk=invited.pk).update(email="new-address@example.com")
    assert b"does not work" in client.get(path).content


@pytest.mark.urls("tests.reset_urls")
def test_activation_token_is_not_a_password_reset_token_and_vice_versa(client, invited):
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    activation_token = link_path(mail.outbox[0]).rstrip("/").split("/")[-1]
    assert not default_token_generator.check_token(invited, activation_token)
    reset = client.get(f"/test-only/reset/{uid}/{activation_token}/")
    assert reset.status_code == 200 and not reset.context["validlink"]

    reset_token = default_token_generator.make_token(invited)
    assert not activation_token_generator.check_token(invited, reset_token)
    landing = client.get(reverse("accounts:activate", args=[uid, reset_token]))
    assert b"does not work" in landing.content


def test_set_password_page_without_a_session_token_is_refused(client, invited):
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    response = client.get(reverse("accounts:activate", args=[uid, "set-password"]))
    assert b"does not work" in response.content


def test_weak_or_mismatched_passwords_and_a_taken_username_are_explained(client, invited):
    UserFactory(username="Taken.Name")
    landing = client.get(link_path(mail.outbox[0]))
    cases = [
        (
            {"username": "ines", "new_password1": "short", "new_password2": "short"},
            "This password is too short",
        ),
        (
            {
                "username": "ines",
                "new_password1": "password123456",
                "new_password2": "password123456",
            },
            "This password is too common",
        ),
        (
            {"username": "ines", "new_password1": "x" * 129, "new_password2": "x" * 129},
            "at most 128 characters",
        ),
        (
            {"username": "ines", "new_password1": PASSWORD, "new_password2": PASSWORD + "!"},
            "The two passwords do not match",
        ),
        (
            {"username": "taken.name", "new_password1": PASSWORD, "new_password2": PASSWORD},
            "The username &#x27;taken.name&#x27; is already taken",
        ),
    ]
    for data, message in cases:
        html = client.post(landing.url, data).content.decode()
        assert message in html, message
        assert "There is a problem" in html
    invited.refresh_from_db()
    assert invited.status == UserStatus.INVITED and not invited.has_usable_password()


def test_activation_page_offers_new_password_autocomplete_and_prefills_username(client, invited):
    landing = client.get(link_path(mail.outbox[0]))
    html = client.get(landing.url).content.decode()
    assert html.count('autocomplete="new-password"') == 2
    assert 'value="invitee@example.com"' in html
    assert "onpaste" not in html
