import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User, UserStatus
from aptem.demo import DEMO_EMAIL_DOMAIN

from .conftest import (
    SCREENSHOTS,
    assert_accessible,
    assert_accessible_without_javascript,
    sign_in,
    signed_in_page,
)

pytestmark = pytest.mark.browser


def test_admin_signs_in_reaches_users_and_finds_a_demo_user_by_email(page: Page, demo_site):
    page.goto(f"{demo_site}/sign-in/")
    assert_accessible(page)

    sign_in(page, demo_site, "admin")
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Navigation panel").get_by_role(
        "link", name="Users"
    ).click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(10)
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "users-list.png", full_page=True)

    wanted = (
        User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN, status=UserStatus.PROSPECT)
        .order_by("pk")
        .last()
    )
    page.get_by_label("Search by name or email").fill(wanted.email)
    # htmx updates the results as the administrator types, and the URL stays bookmarkable.
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.email)
    expect(rows.first).to_contain_text("Prospect")
    assert "q=" in page.url
    assert_accessible(page)

    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(wanted.surname)
    assert_accessible(page)

    page.goto(f"{demo_site}/users/invitations/")
    expect(page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "pending-invitations.png", full_page=True)

    page.get_by_role("link", name="Organisations").first.click()
    page.get_by_label("Search by name, town, postcode or reference").fill("Harbour")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)


def test_users_list_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, demo_site, "viewer")
    page.goto(f"{demo_site}/users/")
    page.get_by_label("Search by name or email").fill("admin@")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("admin@demo-training.example")
    page.get_by_role("link", name="Reset").click()
    expect(page.get_by_label("Search by name or email")).to_have_value("")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_resend_from_pending_invitations_says_how_many_first(browser, demo_site, javascript):
    from django.core import mail

    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=javascript)
    page.goto(f"{demo_site}/users/invitations/")
    page.get_by_label("Order").select_option(label="Link expiring soonest first")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Select everyone on this page").click()
    boxes = page.get_by_role("checkbox", name=re.compile("^Select "))
    count = boxes.count()
    assert count > 1
    for index in range(count):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_role("button", name="Resend selected").first.click()
    question = page.get_by_role("heading", level=1)
    expect(question).to_have_text(f"Send a new invitation email to {count} people?")
    assert mail.outbox == []
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name=f"Yes, send {count} emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Resend invitation: {count} sent"
    )
    assert len(mail.outbox) == count
    expect(page.get_by_role("link", name="Back to Pending invitations")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.context.close()


def test_bulk_archive_from_the_users_list_confirms_and_summarises(page: Page, demo_site):
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/users/?status=prospect&sort=name")
    boxes = page.get_by_role("checkbox", name=re.compile("^Select "))
    names = [boxes.nth(i).get_attribute("aria-label").removeprefix("Select ") for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("With the selected people").select_option(label="Archive account")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive account for 2 people?")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, archive account for 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive account: 2 done")
    for name in names:
        expect(page.get_by_role("status")).to_contain_text(name)
    assert_accessible(page)
    assert User.objects.filter(is_archived=True).count() == 2


def harbour_digital_members() -> set[str]:
    from accounts.models import DEFAULT_LIST_STATUSES
    from employers.models import Organisation

    group = Organisation.objects.get(name="Harbour Digital").group
    listed = group.members.filter(is_archived=False, status__in=DEFAULT_LIST_STATUSES)
    return {f"{person.first_name} {person.surname}" for person in listed}


def shown_names(page: Page) -> set[str]:
    return set(page.locator("#results tbody tr td > a:not(.btn)").all_inner_texts())


def test_the_users_list_filters_by_employer_group_with_a_combobox(page: Page, demo_site):
    sign_in(page, demo_site, "viewer")
    page.goto(f"{demo_site}/users/?per_page=100")
    everyone = page.locator("#results tbody tr").count()
    box = page.get_by_role("combobox", name="Employer group")
    box.fill("Harbour Digital")
    option = page.get_by_role("option", name="All employers › South West › Harbour Digital")
    option.click()
    expected = harbour_digital_members()
    assert 0 < len(expected) < everyone
    expect(page.locator("#results tbody tr")).to_have_count(len(expected))
    assert shown_names(page) == expected
    assert "group=" in page.url
    expect(box).to_be_focused()
    assert_accessible(page)

    # Emptying the box means any group again.
    box.fill("")
    expect(page.locator("#results tbody tr")).to_have_count(everyone)


def test_the_employer_group_filter_works_without_javascript(browser, demo_site):
    page = signed_in_page(browser, demo_site, "viewer", java_script_enabled=False)
    page.goto(f"{demo_site}/users/?per_page=100")
    page.get_by_label("Find an employer group").fill("Harbour")
    page.get_by_label("Find an employer group").press("Enter")
    page.get_by_label("Employer group", exact=True).select_option(
        label="All employers › South West › Harbour Digital"
    )
    page.get_by_role("button", name="Search", exact=True).click()
    assert shown_names(page) == harbour_digital_members()
    assert_accessible_without_javascript(page)
    page.context.close()
