"""Multi-factor verification at activation, in Chromium: an invited employer of a tenant that
requires it opens the emailed link, gets the code by text, types a wrong one, then the right
one, chooses a password and is signed in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.invitations.services import invitation_send
from accounts.models import Tenant, UserStatus, UserType
from aptem.demo import DEMO_SLUG
from tests.factories import UserFactory

from .conftest import assert_accessible
from .test_add_employer import NEW_PASSWORD

pytestmark = pytest.mark.browser


def test_an_invited_employer_verifies_their_mobile_then_chooses_a_password(
    browser, demo_site, settings, sms_outbox
):
    settings.SITE_URL = demo_site
    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    tenant.mfv_employers = True
    tenant.save()
    person = UserFactory(
        tenant=tenant,
        email="vera.verify@employer.example",
        first_name="Vera",
        surname="Verify",
        user_type=UserType.EMPLOYER,
        status=UserStatus.PROSPECT,
        mobile="+447400987656",
    )
    invitation_send(user=person, sent_by=None)
    link = re.search(r"(http\S+/activate/\S+/)", mail.outbox[-1].body).group(1)

    page = browser.new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Enter verification code")).to_be_visible()
    expect(page.get_by_text("ending in 56")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send code").click()
    code_box = page.get_by_label("Verification code")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    assert_accessible(page)

    [text] = sms_outbox
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    code_box.fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Verify and Register").click()
    expect(page.get_by_role("alert").first).to_contain_text("That code is not right")
    assert_accessible(page)

    page.get_by_role("link", name="Not received a text message?").click()
    expect(page.get_by_role("heading", name="Not received a text message?")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Verification code").fill(f"{code[:3]} {code[3:]}")
    page.get_by_role("button", name="Verify and Register").click()
    expect(page.get_by_role("heading", name="Activate Account")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is active")
    person.refresh_from_db()
    assert person.status == UserStatus.FULL
    page.context.close()
