"""Enter in a section's own box runs that box's action; nothing is created except by the
Create button. With JavaScript and without, on Add Employer, Add Learner and the dialog."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from employers.models import Position

from .conftest import assert_accessible, htmx_idle, signed_in_page
from .test_add_employer import fill_personal_details, invite_question
from .test_add_learner import dialog, open_add_learner

pytestmark = pytest.mark.browser


def ready_to_create(page: Page, site: str) -> None:
    """A valid Add Employer form with Invite = Yes: one press of Create would email."""
    page.goto(f"{site}/employers/add/")
    page.wait_for_load_state("load")
    fill_personal_details(page, first_name="Ena", surname="Enter", email="ena@enter.example")
    page.get_by_label("Search", exact=True).fill("Kestrel")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label("All employers › North East › Kestrel Logistics").check()
    page.get_by_label("Classic").check()
    invite_question(page).get_by_label("Yes").check()


def assert_nothing_created() -> None:
    assert not User.objects.filter(email="ena@enter.example").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_enter_in_add_employers_boxes_runs_their_own_action(browser, demo_site, javascript):
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=javascript)
    ready_to_create(page, demo_site)

    page.get_by_label("Search", exact=True).fill("Harbour")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Groups matching “Harbour”")).to_be_visible()
    assert_nothing_created()

    page.get_by_label("Or type a new position title and select Add").fill("Quality Lead")
    page.get_by_label("Or type a new position title and select Add").press("Enter")
    expect(page.get_by_text("Position 'Quality Lead' added and selected.")).to_be_visible()
    assert Position.objects.filter(title="Quality Lead").exists()
    assert_nothing_created()

    page.get_by_label("First name", exact=True).press("Enter")
    if not javascript:  # the page was drawn again, everything kept, and says so
        expect(page.get_by_role("status").first).to_contain_text("Nothing has been saved yet")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Ena")
    assert_nothing_created()
    if javascript:
        assert_accessible(page)

    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Employer Ena Enter created")
    assert len(mail.outbox) == 1
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_enter_in_the_learner_forms_group_search_only_searches(browser, demo_site, javascript):
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=javascript)
    page.goto(f"{demo_site}/learners/add/")
    page.wait_for_load_state("load")
    page.get_by_label("First name", exact=True).fill("Lee")
    page.get_by_label("Search", exact=True).fill("Harbour")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Groups matching “Harbour”")).to_be_visible()
    expect(page.get_by_label("First name", exact=True)).to_have_value("Lee")
    assert not User.objects.filter(first_name="Lee").exists()
    page.context.close()


def test_enter_in_the_dialog_does_not_save_a_record(page: Page, demo_site):
    open_add_learner(page, demo_site)
    page.get_by_role("button", name="Add employer").click()
    box = dialog(page)
    expect(box).to_be_visible()
    box.get_by_label("Main Aim Registration Number").fill("ZPROG009")
    box.get_by_label("Main Aim Registration Number").press("Enter")
    htmx_idle(page)
    expect(box).to_be_visible()  # no save was tried: no errors, no record
    expect(box.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".employer-record")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_show_selected_only_shows_what_was_just_ticked(browser, demo_site, javascript):
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=javascript)
    page.goto(f"{demo_site}/employers/add/")
    page.wait_for_load_state("load")
    page.get_by_label("Search", exact=True).fill("London Digital")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label("All employers › London › London Digital").check()
    if javascript:
        htmx_idle(page)
        expect(page.get_by_role("heading", name="Selected (1)")).to_be_visible()
        # The ticked box moved to Selected and kept the focus.
        expect(page.get_by_label("All employers › London › London Digital")).to_be_focused()
    page.get_by_label("Show selected records only").check()
    if not javascript:
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Selected (1)")).to_be_visible()
    expect(page.get_by_label("All employers › London › London Digital")).to_be_checked()
    expect(page.get_by_label("All employers › London › London Digital")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.context.close()
