"""Pages no other browser test checks with axe, each at desktop and phone width (see
``assert_accessible``), with and without JavaScript where the page differs."""

import pytest
from playwright.sync_api import expect

from accounts.models import User, UserStatus, UserType

from .conftest import (
    SCREENSHOTS,
    assert_accessible,
    assert_accessible_without_javascript,
    signed_in_page,
)

pytestmark = pytest.mark.browser


def demo_person(user_type: str, status: str) -> User:
    return (
        User.objects.filter(user_type=user_type, status=status, is_archived=False)
        .exclude(username__in=["manager"])
        .order_by("pk")
        .first()
    )


def test_the_administrators_other_pages_are_accessible(browser, demo_site):
    employer = demo_person(UserType.EMPLOYER, UserStatus.FULL)
    learner = demo_person(UserType.LEARNER, UserStatus.PROSPECT)
    pages = [
        ("/users/create/employer/", "Create Employer?"),
        (f"/employers/{employer.pk}/edit/", f"Edit {employer.first_name}"),
        ("/organisations/add/", "Add organisation"),
        (f"/users/{employer.pk}/cancel/", "Cancel"),
        (f"/users/{employer.pk}/archive/", "Archive"),
        (f"/users/{employer.pk}/access/", "Access end date"),
        ("/settings/security/", "Security settings"),
        (f"/users/{employer.pk}/devices/reset/", "sign-in devices"),
        (f"/users/{learner.pk}/", learner.surname),
    ]
    page = signed_in_page(browser, demo_site, "admin")
    for path, heading in pages:
        page.goto(f"{demo_site}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        if path == "/settings/security/":
            page.screenshot(path=SCREENSHOTS / "security-settings.png", full_page=True)
    page.context.close()


def test_the_section_round_trips_without_javascript_are_accessible(browser, demo_site):
    """Without JavaScript each section button answers with the whole page at its own URL."""
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=False)
    page.goto(f"{demo_site}/employers/add/")
    page.get_by_label("Search", exact=True).fill("Digital")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Groups matching “Digital”")).to_be_visible()
    assert_accessible_without_javascript(page)

    page.get_by_label("Or type a new position title and select Add").fill("Quality Lead")
    page.get_by_label("Or type a new position title and select Add").press("Enter")
    expect(page.get_by_text("Position 'Quality Lead' added and selected.")).to_be_visible()
    assert_accessible_without_javascript(page)

    page.get_by_label("First name", exact=True).press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Nothing has been saved yet")
    assert_accessible_without_javascript(page)

    page.goto(f"{demo_site}/learners/add/")
    page.get_by_label("Search", exact=True).fill("Digital")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Groups matching “Digital”")).to_be_visible()
    assert_accessible_without_javascript(page)

    page.get_by_role("button", name="Add employer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add Employer")
    assert_accessible_without_javascript(page)
    page.context.close()


def test_signed_out_pages_are_accessible(browser, demo_site):
    page = browser.new_context().new_page()
    page.goto(f"{demo_site}/activate/fresh-link/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.goto(f"{demo_site}/activate/MQ/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.context.close()
