"""Forgot your password?: a single-use link by email for Full users, the same answer for
everyone, sessions ended by the reset."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.invitations.tokens import activation_token_generator
from accounts.models import UserStatus
from accounts.passwords import password_reset_tokens
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
FORGOT = reverse("accounts:password_forgot")
NEW_PASSWORD = "quince harbour lantern 77"


def ask(client, email):
    return client.post(FORGOT, {"email": email}, follow=True)


def emailed_link() -> str:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[0].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_a_full_user_resets_their_password_once_and_every_other_session_ends(client):
    person = UserFactory(username="rosa", email="rosa@example.com", password=PASSWORD)
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/").status_code == 200

    answer = ask(client, "ROSA@example.com").content.decode()
    assert "a link to choose a new password is on its way" in answer
    assert mail.outbox[0].subject == "Reset your Aptem password"
    link = path_of(emailed_link())
    opened = client.get(link)
    assert opened.status_code == 302 and "set-password" in opened.url  # the token leaves the URL
    page = client.get(opened.url).content.decode()
    assert "Choose a new password" in page
    done = client.post(
        opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password has been changed." in done.content.decode()

    assert client.login(username="rosa", password=NEW_PASSWORD)
    assert elsewhere.get("/").status_code == 302  # signed out by the reset
    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again  # single use


@pytest.mark.parametrize(
    "status", [UserStatus.PROSPECT, UserStatus.CANCELLED, UserStatus.EXPIRED, "archived", None]
)
def test_nobody_else_gets_a_reset_email_and_the_answer_is_the_same(client, status):
    if status == "archived":
        UserFactory(email="who@example.com", status=UserStatus.FULL, is_archived=True)
    elif status is not None:
        UserFactory(email="who@example.com", status=status)
    answer = ask(client, "who@example.com").content.decode()
    assert "a link to choose a new password is on its way" in answer
    assert mail.outbox == []


def test_an_invited_person_gets_a_fresh_activation_link_instead(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="waiting@example.com", status=UserStatus.INVITED)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "waiting@example.com")
    assert [m.subject for m in mail.outbox] == ["Aptem Account Activation"]


def test_reset_and_activation_links_do_not_work_as_each_other(client):
    person = UserFactory(status=UserStatus.FULL, password=PASSWORD)
    activation = activation_token_generator.make_token(person)
    reset = password_reset_tokens.make_token(person)
    assert not password_reset_tokens.check_token(person, activation)
    assert not activation_token_generator.check_token(person, reset)


def test_requests_are_rate_limited_per_address(client):
    UserFactory(email="often@example.com", password=PASSWORD)
    for _ in range(3):
        ask(client, "often@example.com")
    assert "Too many requests" in ask(client, "often@example.com").content.decode()
    assert len(mail.outbox) == 3


def test_the_sign_in_page_offers_it_and_an_empty_request_names_the_field(client):
    assert FORGOT in client.get(reverse("accounts:sign_in")).content.decode()
    assert "Enter your email address." in client.post(FORGOT, {"email": ""}).content.decode()
