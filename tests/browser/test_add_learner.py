import json

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from employers.models import EmployerGroup, GroupKind, Organisation
from employers.selectors import organisation_staff

from .conftest import SCREENSHOTS, assert_accessible, htmx_idle, sign_in, signed_in_page

pytestmark = pytest.mark.browser


def staff_names(organisation_name: str) -> list[str]:
    organisation = Organisation.objects.get(name=organisation_name)
    return [f"{p.full_name} ({p.email})" for p in organisation_staff(organisation=organisation)]


def open_add_learner(page: Page, site: str) -> None:
    sign_in(page, site, "admin")
    page.goto(f"{site}/users/")
    page.get_by_text("Create", exact=True).click()
    page.get_by_role("link", name="Learner").click()
    page.get_by_role("link", name="Yes").click()
    expect(page.get_by_role("heading", name="Add Learner", exact=True)).to_be_visible()
    page.wait_for_load_state("load")  # scripts (htmx, the dialog) are ready


def type_learner(page: Page) -> None:
    page.get_by_label("Title", exact=True).select_option("Miss")
    page.get_by_label("First name", exact=True).fill("Lily")
    page.get_by_label("Surname", exact=True).fill("Carter")
    page.get_by_label("Email", exact=True).fill("lily.carter@learner.example")
    page.get_by_label("Mobile number", exact=True).fill("07400 555666")
    page.get_by_label("Date of birth").fill("2007-03-27")
    page.get_by_label("National Insurance number").fill("ab 12 34 56 c")


def dialog(page: Page):
    return page.get_by_role("dialog", name="Add Employer")


def combobox(box, name: str):
    """The combobox named ``name``, once the script has turned its select into one."""
    return box.locator("input").and_(box.get_by_role("combobox", name=name))


def choose(page: Page, box, name: str, typed: str, option: str) -> None:
    """Type into a combobox and click one of the options the server offers."""
    field = combobox(box, name)
    field.fill("")
    field.press_sequentially(typed)
    box.get_by_role("listbox", name=name).get_by_role("option", name=option, exact=True).click()
    expect(field).to_have_value(option)
    htmx_idle(page)


def test_add_learner_with_an_employer_record_through_the_dialog(page: Page, demo_site):
    open_add_learner(page, demo_site)
    assert_accessible(page)
    type_learner(page)

    page.get_by_role("button", name="Add employer").click()
    box = dialog(page)
    expect(box).to_be_visible()
    expect(combobox(box, "Employer")).to_be_focused()
    assert_accessible(page)

    choose(page, box, "Employer", "bright", "Brightside Care Homes")
    expect(box.locator("#employer-address")).to_contain_text("8 Elm Street, Birmingham, B1 1AA")
    people = staff_names("Brightside Care Homes")
    manager = combobox(box, "Manager")
    manager.focus()
    page.keyboard.press("ArrowDown")  # an empty box offers the first of the staff
    expect(box.get_by_role("listbox", name="Manager").get_by_role("option")).to_have_text(people)
    assert_accessible(page)
    page.keyboard.press("Escape")  # closes the list only; the dialog stays
    expect(box).to_be_visible()
    choose(page, box, "Manager", people[0].split()[0], people[0])
    choose(page, box, "Mentor", people[1].split()[0], people[1])
    box.get_by_label("Classic").check()
    box.get_by_label("Console").check()
    box.get_by_label("Main Aim Registration Number").fill("ZPROG001")
    page.screenshot(path=SCREENSHOTS / "add-employer-dialog.png", full_page=False)
    box.get_by_role("button", name="Save").click()

    expect(box).to_be_hidden()
    record = page.locator(".employer-record")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("Brightside Care Homes")
    names = [label.split(" (")[0] for label in people]  # options carry the email too
    expect(record).to_contain_text(names[0])
    expect(record).to_contain_text("Classic, Console")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Lily")
    expect(page.get_by_label("Date of birth")).to_have_value("2007-03-27")
    assert_accessible(page)

    page.get_by_role("group", name="Would you like to invite this learner?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Learner Lily Carter created as a Prospect")
    employers = page.get_by_role("region", name="Employers")
    expect(employers).to_contain_text("Brightside Care Homes")
    expect(employers).to_contain_text("8 Elm Street, Birmingham, B1 1AA")
    expect(employers).to_contain_text(names[0])
    expect(employers).to_contain_text(names[1])
    expect(employers).to_contain_text("Classic, Console")
    expect(employers).to_contain_text("ZPROG001")
    expect(page.get_by_role("region", name="Personal details")).to_contain_text("27 March 2007")
    expect(page.get_by_role("region", name="Personal details")).to_contain_text("AB 12 34 56 C")
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "learner-profile.png", full_page=True)
    learner = User.objects.get(email="lily.carter@learner.example")
    assert learner.learner_profile.national_insurance_number == "AB123456C"

    # The dialog's full-page fallback (used without JavaScript) is accessible too.
    page.goto(f"{demo_site}/learners/add/employer/")
    expect(page.get_by_role("heading", name="Add Employer", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_dialogs_plus_adds_an_organisation_with_its_employer_group(page: Page, demo_site):
    open_add_learner(page, demo_site)
    page.get_by_role("button", name="Add employer").click()
    box = dialog(page)
    box.get_by_role("button", name="Add a new employer organisation").click()
    box.get_by_label("Employer name").fill("Riverside Bakery")
    box.get_by_label("Postcode").fill("ls11ur")
    box.get_by_role("button", name="Save new employer").click()
    htmx_idle(page)
    expect(box.get_by_text("Employer 'Riverside Bakery' added and selected.")).to_be_visible()
    expect(combobox(box, "Employer")).to_have_value("Riverside Bakery")
    expect(box.locator("#employer-address")).to_contain_text("LS1 1UR")
    group = EmployerGroup.objects.get(organisation__name="Riverside Bakery")
    assert group.kind == GroupKind.EMPLOYER and group.name == "Riverside Bakery"
    assert group.parent.name == "All employers"  # inside the hierarchy, not a stray root


def test_dialog_by_keyboard_alone_with_errors_esc_and_focus_return(page: Page, demo_site):
    open_add_learner(page, demo_site)
    plus = page.get_by_role("button", name="Add employer")
    plus.focus()
    page.keyboard.press("Enter")
    box = dialog(page)
    expect(box).to_be_visible()
    expect(combobox(box, "Employer")).to_be_focused()

    # Save with nothing chosen: the errors show inside the dialog.
    expect(box.get_by_label("Classic")).not_to_be_checked()  # nothing ticked, as on Add Employer
    box.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(box.get_by_role("alert")).to_contain_text("Select an employer.")
    htmx_idle(page)
    expect(box.get_by_role("alert")).to_contain_text("Select at least one interface")
    assert_accessible(page)

    employer = combobox(box, "Employer")
    employer.focus()
    page.keyboard.type("kestrel")
    expect(box.get_by_role("option", name="Kestrel Logistics")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box.locator("#employer-address")).to_contain_text("Newcastle, NE1 3PF")
    htmx_idle(page)
    expect(combobox(box, "Employer")).to_be_focused()  # the redrawn dialog keeps the place
    expect(combobox(box, "Employer")).to_have_value("Kestrel Logistics")
    box.get_by_label("Classic").focus()
    page.keyboard.press("Space")
    box.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(box).to_be_hidden()
    expect(page.locator(".employer-record")).to_have_count(1)
    expect(plus).to_be_focused()

    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    expect(plus).to_be_focused()


def test_without_javascript_the_same_learner_is_created(browser, demo_site):
    page = signed_in_page(browser, demo_site, "admin", java_script_enabled=False)
    page.goto(f"{demo_site}/learners/add/")
    type_learner(page)
    page.get_by_role("button", name="Add employer").click()

    expect(page.get_by_role("heading", name="Add Employer", level=1)).to_be_visible()
    # (axe runs in the page's JavaScript, so the full page is checked in another test.)
    page.get_by_label("Employer", exact=True).select_option(label="Kestrel Logistics")
    page.get_by_role("button", name="Show the employer's address and people").click()
    expect(page.locator("#employer-address")).to_contain_text("Newcastle, NE1 3PF")
    people = staff_names("Kestrel Logistics")
    page.get_by_label("Manager").select_option(label=people[0])
    page.get_by_label("Classic").check()
    page.get_by_label("Main Aim Registration Number").fill("ZPROG002")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Add Learner", exact=True)).to_be_visible()
    expect(page.get_by_label("First name", exact=True)).to_have_value("Lily")
    expect(page.get_by_label("Date of birth")).to_have_value("2007-03-27")
    expect(page.locator(".employer-record")).to_contain_text("Kestrel Logistics")
    page.get_by_role("group", name="Would you like to invite this learner?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Learner Lily Carter created")
    learner = User.objects.get(email="lily.carter@learner.example")
    record = learner.employer_records.get()
    assert record.organisation.name == "Kestrel Logistics"
    assert f"{record.manager.full_name} ({record.manager.email})" == people[0] and record.is_primary
    assert record.main_aim_reference == "ZPROG002" and record.interfaces == ["Classic"]
    page.context.close()


def test_two_staff_of_one_name_are_told_apart_and_chosen_by_keyboard(page: Page, demo_site):
    organisation = Organisation.objects.get(name="Kestrel Logistics")
    namesakes = []
    for email in ("sam.lee@kestrel.example", "sam.lee2@kestrel.example"):
        person = User.objects.create(
            tenant=organisation.tenant,
            user_type="employer",
            username=email,
            first_name="Sam",
            surname="Leeworth",
            email=email,
        )
        organisation.members.add(person)
        namesakes.append(person)
    open_add_learner(page, demo_site)
    page.get_by_role("button", name="Add employer").click()
    box = dialog(page)
    choose(page, box, "Employer", "kestrel", "Kestrel Logistics")

    mentor = combobox(box, "Mentor")
    mentor.focus()
    page.keyboard.type("leeworth")
    options = box.get_by_role("listbox", name="Mentor").get_by_role("option")
    expect(options).to_have_text(
        ["Sam Leeworth (sam.lee@kestrel.example)", "Sam Leeworth (sam.lee2@kestrel.example)"]
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(mentor).to_have_value("Sam Leeworth (sam.lee2@kestrel.example)")
    expect(box).to_be_visible()
    box.get_by_label("Classic").check()
    box.get_by_role("button", name="Save").click()
    expect(box).to_be_hidden()
    expect(page.locator(".employer-record")).to_contain_text("Sam Leeworth")
    record = json.loads(page.locator("input[name=employer_records]").input_value())
    assert record["mentor"] == namesakes[1].pk


def test_edit_learner_from_the_profile(page: Page, demo_site):
    learner = User.objects.filter(user_type="learner", is_archived=False).first()
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/users/{learner.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {learner.full_name}")
    assert_accessible(page)
    page.get_by_label("Surname", exact=True).fill("Renamed")
    page.get_by_role("button", name="Save", exact=True).click()
    saved = f"Details of {learner.first_name} Renamed saved."
    expect(page.get_by_role("status").first).to_contain_text(saved)
    learner.refresh_from_db()
    assert learner.surname == "Renamed"
