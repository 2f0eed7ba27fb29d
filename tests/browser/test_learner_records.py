"""A learner's employer records on their profile: add through the dialog, make primary, end
with a date (kept as history), and the manager's home page following at once."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from learners.models import EmployerRecord

from .conftest import (
    SCREENSHOTS,
    assert_accessible,
    assert_accessible_without_javascript,
    signed_in_page,
)
from .test_add_learner import choose, combobox, dialog

pytestmark = pytest.mark.browser


def test_an_administrator_adds_makes_primary_and_ends_records_on_the_profile(browser, demo_site):
    managed = (
        EmployerRecord.objects.filter(manager__username="manager", ended_on__isnull=True)
        .select_related("learner", "organisation")
        .order_by("learner__pk")
        .first()
    )
    learner = managed.learner
    manager_home = signed_in_page(browser, demo_site, "manager")
    supported = manager_home.get_by_role("table", name="Learners supported by Maya Manager")
    expect(supported.get_by_role("cell", name=learner.full_name)).to_be_visible()

    page = signed_in_page(browser, demo_site, "admin")
    page.goto(f"{demo_site}/users/{learner.pk}/")
    page.wait_for_load_state("load")
    assert_accessible(page)

    page.get_by_role("link", name="Add employer").click()
    box = dialog(page)
    expect(box).to_be_visible()
    expect(combobox(box, "Employer")).to_be_focused()
    choose(page, box, "Employer", "harbour", "Harbour Digital")
    box.get_by_label("Classic").check()
    assert_accessible(page)
    box.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Employer Harbour Digital added to {learner.full_name}."
    )
    expect(page.get_by_role("heading", name="Harbour Digital", level=3)).to_be_visible()

    page.get_by_role("button", name=re.compile("^Make primary.*Harbour Digital$")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Harbour Digital is now {learner.full_name}'s primary employer."
    )
    expect(page.get_by_role("heading", name="Harbour Digital Primary", level=3)).to_be_visible()

    old = managed.organisation.name
    page.get_by_role("link", name=f"End the record at {old}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"record at {old}?")
    expect(page.get_by_text("will no longer see")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="End the record").click()
    expect(page.get_by_role("status").first).to_contain_text("It stays in their history.")
    past = page.get_by_role("region", name="Past employers")
    expect(past).to_contain_text(old)
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "learner-employer-records.png", full_page=True)

    # The manager's home page no longer lists the learner, on the next load.
    manager_home.reload()
    expect(supported.get_by_role("cell", name=learner.full_name)).to_have_count(0)
    assert User.objects.get(pk=learner.pk).employer_records.filter(ended_on=None).count() >= 1
    page.context.close()
    manager_home.context.close()


def test_the_record_pages_work_without_javascript(browser, demo_site):
    record = (
        EmployerRecord.objects.filter(ended_on__isnull=True, manager__isnull=False)
        .select_related("learner", "organisation")
        .order_by("pk")
        .first()
    )
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=False)
    page.goto(f"{demo_site}/users/{record.learner.pk}/")
    page.get_by_role("link", name=f"Edit the record at {record.organisation.name}").click()
    page.get_by_label("Main Aim Registration Number").fill("not valid!")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Main Aim Registration Number can only have letters and digits"
    )
    page.get_by_label("Main Aim Registration Number").fill("ZPROG001")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    expect(page.get_by_text("ZPROG001")).to_be_visible()
    page.get_by_role("link", name="Add employer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Employer")
    assert_accessible_without_javascript(page)
    page.context.close()
