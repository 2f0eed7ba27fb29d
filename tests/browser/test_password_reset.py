"""Forgot your password?, end to end in Chromium: ask, read the email where development
writes it (``var/mail/``, as a person running ``make run`` would), choose, sign in."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser
NEW_PASSWORD = "quince harbour lantern 77"


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    page: Page, demo_site, settings, tmp_path
):
    settings.SITE_URL = demo_site
    # The development email backend, writing under a var/ of the test's own.
    settings.EMAIL_BACKEND = "accounts.mail.FileEmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mail"
    page.goto(f"{demo_site}/sign-in/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address").fill("manager@demo-training.example")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status").first).to_contain_text("is on its way")
    assert_accessible(page)

    [written] = (tmp_path / "var" / "mail").glob("*.txt")
    text = written.read_text()
    assert "To: manager@demo-training.example" in text
    link = re.search(r"(http\S+/password/reset/\S+/)", text).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert "set-password" in page.url
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").first).to_contain_text("Your password has been changed.")

    page.get_by_label("Username or email").fill("manager")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(link)  # used once, it works no more
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)
