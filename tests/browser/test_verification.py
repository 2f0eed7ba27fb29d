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

from .conftest import SCREENSHOTS, assert_accessible
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
    page.screenshot(path=SCREENSHOTS / "verification-code.png", full_page=True)

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


def totp_now(key_base32: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key the page gave (RFC 6238)."""
    from base64 import b32decode

    from django_otp.oath import totp

    padded = key_base32 + "=" * (-len(key_base32) % 8)
    return f"{totp(b32decode(padded), drift=steps_ahead):06d}"


def test_sign_in_with_an_authenticator_app_and_a_backup_code_that_works_once(
    browser, demo_site
):
    from accounts.models import SecondFactor
    from aptem.demo import DEMO_PASSWORD

    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    tenant.second_factor = SecondFactor.EVERYONE
    tenant.save()
    page = browser.new_context().new_page()
    page.goto(f"{demo_site}/sign-in/")
    page.get_by_label("Username or email").fill("manager")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Every page leads to setting up the app first.
    expect(page.get_by_role("heading", name="Sign-in security")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    key = page.locator(".font-monospace").first.inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp_now(key))
    page.get_by_role("button", name="Confirm and continue").click()
    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    backup = codes.first.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", name="Welcome, Maya")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    def password_step():
        page.get_by_label("Username or email").fill("manager")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()

    page.goto(f"{demo_site}/sign-in/")
    password_step()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(totp_now(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Welcome, Maya")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    for attempt in ("first", "again"):
        page.goto(f"{demo_site}/sign-in/")
        password_step()
        page.get_by_role("link", name="Use a backup code").click()
        page.get_by_label("Backup code").fill(backup)
        page.get_by_role("button", name="Continue").click()
        if attempt == "first":
            expect(page.get_by_role("heading", name="Welcome, Maya")).to_be_visible()
            page.get_by_role("button", name="Sign out").click()
        else:
            expect(page.get_by_role("alert").first).to_contain_text("has been used already")
            assert_accessible(page)
    page.context.close()
