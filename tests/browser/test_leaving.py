"""Leaving a half-filled form by the navigation bar (or Sign out) asks first, as Close does."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import sign_in

pytestmark = pytest.mark.browser
QUESTION = "Leave without saving? What you typed will be lost."


def test_the_navigation_bar_and_sign_out_ask_before_discarding(page: Page, demo_site):
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/employers/add/")
    page.wait_for_load_state("load")
    page.get_by_label("First name", exact=True).fill("Half typed")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    site_nav = page.get_by_role("navigation", name="Site")
    page.once("dialog", decline)
    site_nav.get_by_role("link", name="Organisations").click()
    page.once("dialog", decline)
    page.get_by_role("button", name="Sign out").click()
    assert asked == [QUESTION, QUESTION]
    expect(page.get_by_label("First name", exact=True)).to_have_value("Half typed")

    page.once("dialog", lambda dialog: dialog.accept())
    site_nav.get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("heading", name="Organisations", level=1)).to_be_visible()


def test_an_untouched_form_is_left_without_a_question(page: Page, demo_site):
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/employers/add/")
    page.wait_for_load_state("load")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert asked == []
