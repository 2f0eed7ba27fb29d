"""Activation with multi-factor verification on: the code step, then the password step."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.factors.verification import CODE_WRONG, NO_MOBILE
from accounts.invitations import services
from accounts.models import User, UserStatus, UserType
from tests.factories import TenantFactory, UserFactory

from .test_activation import PASSWORD, link_path

pytestmark = pytest.mark.django_db


def invite(django_capture_on_commit_callbacks, **fields) -> User:
    defaults = {
        "status": UserStatus.PROSPECT,
        "email": "invitee@example.com",
        "first_name": "Ines",
        "user_type": UserType.EMPLOYER,
        "mobile": "+447400123456",
        "tenant": TenantFactory(mfv_employers=True),
    }
    user = UserFactory(**{**defaults, **fields})
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=user, sent_by=None)
    user.refresh_from_db()
    return user


def password_post(username: str = "ines") -> dict:
    return {"username": username, "new_password1": PASSWORD, "new_password2": PASSWORD}


def open_link(client) -> str:
    """Follow the emailed link; returns where the browser ends up."""
    response = client.get(link_path(mail.outbox[-1]), follow=True)
    return response.redirect_chain[-1][0]


def texted_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def test_the_code_comes_before_the_password_and_then_activation_signs_in(
    client, django_capture_on_commit_callbacks, sms_outbox
):
    person = invite(django_capture_on_commit_callbacks)
    verify = open_link(client)
    assert verify == reverse("accounts:activate_verify", args=[verify.split("/")[2]])
    page = client.get(verify).content.decode()
    assert "Enter verification code" in page and "ending in 56" in page
    assert "+447400123456" not in page and "07400 123456" not in page
    assert sms_outbox == []  # nothing is sent by opening the link (mail scanners open links)

    page = client.post(verify, {"action": "send"}).content.decode()
    assert len(sms_outbox) == 1 and 'autocomplete="one-time-code"' in page
    wrong = "000000" if texted_code(sms_outbox) != "000000" else "111111"
    response = client.post(verify, {"action": "verify", "code": wrong})
    assert response.status_code == 422 and CODE_WRONG in response.content.decode()

    code = texted_code(sms_outbox)
    response = client.post(verify, {"action": "verify", "code": f"{code[:3]}-{code[3:]}"})
    password_step = response.url
    assert password_step.endswith("/set-password/")
    assert "Choose the username and password" in client.get(password_step).content.decode()
    response = client.post(password_step, password_post())
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == UserStatus.FULL
    assert client.get("/").status_code == 200  # signed in


def test_the_password_step_is_unreachable_without_a_verified_code(
    client, django_capture_on_commit_callbacks, sms_outbox
):
    person = invite(django_capture_on_commit_callbacks)
    verify = open_link(client)
    password_step = verify.replace("/verify/", "/set-password/")
    response = client.post(password_step, password_post())
    assert response.status_code == 302 and response.url == verify
    person.refresh_from_db()
    assert person.status == UserStatus.INVITED

    # Verified in one browser is not verified in another that holds the same link.
    client.post(verify, {"action": "send"})
    response = client.post(verify, {"action": "verify", "code": texted_code(sms_outbox)})
    assert response.url == password_step
    other = Client()
    assert open_link(other) == verify
    response = other.post(password_step, password_post("someone"))
    assert response.url == verify


def test_without_a_mobile_nothing_is_sent_and_the_person_is_told_whom_to_ask(
    client, django_capture_on_commit_callbacks, sms_outbox
):
    person = invite(django_capture_on_commit_callbacks, mobile="")
    verify = open_link(client)
    page = client.get(verify).content.decode().replace("&#x27;", "'")
    assert NO_MOBILE.replace("(", "(") in page and "Send code" not in page
    response = client.post(verify, {"action": "send"})
    assert NO_MOBILE in response.content.decode().replace("&#x27;", "'")
    assert sms_outbox == []
    response = client.post(verify.replace("/verify/", "/set-password/"), password_post())
    assert response.url == verify
    person.refresh_from_db()
    assert person.status == UserStatus.INVITED


def test_each_switch_asks_only_its_own_kind_of_person(
    client, django_capture_on_commit_callbacks
):
    learner = invite(
        django_capture_on_commit_callbacks,
        user_type=UserType.LEARNER,
        tenant=TenantFactory(mfv_employers=True, mfv_learners=False),
    )
    landing = open_link(client)
    assert landing.endswith("/set-password/"), "learners are not asked in this tenant"
    assert learner.status == UserStatus.INVITED

    invite(
        django_capture_on_commit_callbacks,
        email="second@example.com",
        user_type=UserType.LEARNER,
        tenant=TenantFactory(mfv_learners=True),
    )
    assert open_link(Client()).endswith("/verify/")


def test_a_broken_or_missing_link_shows_the_fresh_link_page_not_the_code_step(client):
    response = client.get(reverse("accounts:activate_verify", args=["MQ"]))
    assert "This activation link does not work" in response.content.decode()


def test_administrators_see_whether_the_text_went_and_the_lock(
    client, django_capture_on_commit_callbacks, sms_outbox
):
    from tests.factories import AdministratorFactory

    person = invite(django_capture_on_commit_callbacks)
    verify = open_link(client)
    client.post(verify, {"action": "send"})
    admin = Client()
    admin.force_login(AdministratorFactory(tenant=person.tenant))
    profile = reverse("accounts:user_detail", args=[person.pk])
    page = admin.get(profile).content.decode()
    assert "Text message delivered" in page and "(1 of 5 sends used)" in page
    client.post(verify, {"action": "verify", "code": texted_code(sms_outbox)})
    assert "Verified" in admin.get(profile).content.decode()
