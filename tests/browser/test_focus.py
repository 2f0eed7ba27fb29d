"""After a part of the page is redrawn, focus stays with the control used (or goes to the
error summary when the redraw brought errors), so a keyboard user carries on."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import htmx_idle, sign_in
from .test_add_learner import combobox, dialog, open_add_learner

pytestmark = pytest.mark.browser


def test_focus_stays_with_the_section_control_used(page: Page, demo_site):
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/employers/add/")
    page.wait_for_load_state("load")

    page.get_by_label("Available").focus()
    page.keyboard.press("ArrowDown")
    assign = page.get_by_role("button", name="Move selected roles to Assigned")
    assign.focus()
    page.keyboard.press("Enter")
    htmx_idle(page)
    expect(page.get_by_label("Assigned").locator("option")).to_have_count(1)
    expect(page.get_by_role("button", name="Move selected roles to Assigned")).to_be_focused()

    new_position = page.get_by_label("Or type a new position title and select Add")
    new_position.fill("Focus Keeper")
    page.get_by_role("button", name="Add", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Position 'Focus Keeper' added and selected.")).to_be_visible()
    htmx_idle(page)
    expect(page.get_by_role("button", name="Add", exact=True)).to_be_focused()

    page.get_by_label("Search", exact=True).fill("Harbour")
    page.get_by_role("button", name="Search", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Groups matching “Harbour”")).to_be_visible()
    htmx_idle(page)
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_focused()


def test_an_invalid_save_in_the_dialog_takes_focus_to_the_error_summary(page: Page, demo_site):
    open_add_learner(page, demo_site)
    page.get_by_role("button", name="Add employer").click()
    box = dialog(page)
    # Once the dialog's pickers are comboboxes, htmx has taken over its form (before that,
    # a very quick Save would be a plain form post).
    expect(combobox(box, "Employer")).to_be_focused()
    box.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(box.get_by_role("alert")).to_contain_text("Select an employer.")
    htmx_idle(page)
    expect(box.get_by_role("alert")).to_be_focused()
