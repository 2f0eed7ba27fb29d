import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User, UserStatus

from .conftest import SCREENSHOTS, assert_accessible, htmx_idle, sign_in, signed_in_page

pytestmark = pytest.mark.browser
NEW_PASSWORD = "plum orchard lantern 42"


@pytest.fixture
def site(demo_site, settings):
    """Links in emails point at the live server, as SITE_URL would in production."""
    settings.SITE_URL = demo_site
    return demo_site


def open_add_employer(page: Page, site: str) -> None:
    page.goto(f"{site}/")
    page.get_by_role("navigation", name="Navigation panel").get_by_role(
        "link", name="Users"
    ).click()
    page.get_by_text("Create", exact=True).click()
    page.get_by_role("link", name="Employer").click()
    expect(page.get_by_role("heading", name="Create Employer?")).to_be_visible()
    page.get_by_role("link", name="Yes").click()
    expect(page.get_by_role("heading", name="Add Employer", exact=True)).to_be_visible()
    page.wait_for_load_state("load")


def fill_personal_details(page: Page, *, first_name: str, surname: str, email: str) -> None:
    page.get_by_label("Title", exact=True).select_option("Mr")
    page.get_by_label("First name", exact=True).fill(first_name)
    page.get_by_label("Surname", exact=True).fill(surname)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mobile number", exact=True).fill("07400 111222")


def invite_question(page: Page):
    return page.get_by_role("group", name="Would you like to invite this employer?")


def activation_link() -> str:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Aptem Account Activation"
    return re.search(r"(http\S+/activate/\S+/)", message.body).group(1)


def activate(browser, link: str, *, username: str | None) -> Page:
    """Open the emailed link in a fresh browser, as the employer would."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Activate Account")).to_be_visible()
    assert "set-password" in page.url and link.rstrip("/").split("/")[-1] not in page.url
    assert_accessible(page)
    if username:
        page.get_by_label("Username").fill(username)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is active")
    return page


def test_add_employer_invite_now_then_activate_and_sign_in(page: Page, site, browser):
    sign_in(page, site, "admin")
    open_add_employer(page, site)
    assert_accessible(page)

    fill_personal_details(page, first_name="Bernard", surname="Okoro", email="b.okoro@acme.example")
    page.get_by_label("Gender").select_option("male")
    page.get_by_label("Postcode").fill("sw1a1aa")
    page.get_by_label("Address line 1").fill("10 Downing Street")
    page.get_by_label("Town or city").fill("London")

    page.get_by_label("Search", exact=True).fill("London Digital")
    group = page.get_by_label("All employers › London › London Digital")
    expect(group).to_be_visible()
    htmx_idle(page)
    group.check()

    page.get_by_label("Available").select_option(label="Learners Progress")
    page.get_by_role("button", name="Move selected roles to Assigned").click()
    expect(page.get_by_label("Assigned").locator("option")).to_have_text(["Learners Progress"])
    htmx_idle(page)

    page.get_by_label("Or type a new position title and select Add").fill("Site Foreman")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Position 'Site Foreman' added and selected")
    expect(page.locator("#id_position option:checked")).to_have_text("Site Foreman")

    page.get_by_label("Classic").check()
    page.get_by_role("group", name="Would you like to invite this employer?").get_by_label(
        "Yes"
    ).check()
    page.screenshot(path=SCREENSHOTS / "add-employer.png", full_page=True)
    page.get_by_role("button", name="Create", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Employer Bernard Okoro created. Invitation email sent to b.okoro@acme.example."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bernard Okoro")
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "employer-profile.png", full_page=True)
    employer = User.objects.get(email="b.okoro@acme.example")
    assert employer.status == UserStatus.INVITED
    assert employer.postcode == "SW1A 1AA"
    assert [g.name for g in employer.employer_groups.all()] == ["London Digital"]
    assert [r.name for r in employer.roles.all()] == ["Learners Progress"]
    assert employer.employer_profile.position.title == "Site Foreman"
    assert employer.interfaces == ["Classic"]

    employer_page = activate(browser, activation_link(), username="bernard.okoro")
    expect(employer_page.get_by_text("Bernard Okoro · Demo Training Ltd")).to_be_visible()
    employer_page.get_by_role("button", name="Sign out").click()
    sign_in(employer_page, site, "bernard.okoro", NEW_PASSWORD)
    expect(employer_page.get_by_role("heading", name="Welcome, Bernard")).to_be_visible()


def test_prospect_then_send_invitation_then_activate(page: Page, site, browser):
    sign_in(page, site, "admin")
    open_add_employer(page, site)
    fill_personal_details(page, first_name="Petra", surname="Novak", email="petra@harbour.example")
    page.get_by_label("Search", exact=True).fill("Harbour")
    expect(page.get_by_label("All employers › South West › Harbour Digital")).to_be_visible()
    htmx_idle(page)
    page.get_by_label("All employers › South West › Harbour Digital").check()
    page.get_by_label("Console").check()
    page.get_by_role("group", name="Would you like to invite this employer?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("created as a Prospect")
    assert mail.outbox == []

    # Listed as a Prospect, and cannot sign in.
    page.get_by_role("link", name="Users").first.click()
    page.get_by_label("Search by name or email").fill("petra@harbour.example")
    row = page.locator("#results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Prospect")
    outsider = browser.new_context().new_page()
    outsider.goto(f"{site}/sign-in/")
    outsider.get_by_label("Username or email").fill("petra@harbour.example")
    outsider.get_by_label("Password").fill("any password at all")
    outsider.get_by_role("button", name="Sign in").click()
    expect(outsider.get_by_role("alert")).to_contain_text("Enter a correct username or email")

    row.get_by_role("link", name="Petra Novak", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Send Invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation email sent to petra@harbour.example."
    )
    expect(page.get_by_role("button", name="Resend invitation")).to_be_visible()

    employer_page = activate(browser, activation_link(), username=None)
    expect(employer_page.get_by_role("heading", name="Welcome, Petra")).to_be_visible()
    assert User.objects.get(email="petra@harbour.example").username == "petra@harbour.example"


def test_empty_add_employer_shows_every_error_and_keeps_typing(page: Page, site):
    sign_in(page, site, "admin")
    page.goto(f"{site}/employers/add/")
    page.get_by_label("First name", exact=True).fill("Only")
    page.get_by_role("button", name="Create", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    for message in [
        "Select a title.",
        "Enter a surname.",
        "Enter an email address.",
        "Enter a mobile number.",
        "Select at least one employer group.",
        "Select at least one interface the employer can sign in to.",
        "Select Yes to send the activation email now",
    ]:
        expect(summary).to_contain_text(message)
    expect(page.get_by_label("First name", exact=True)).to_have_value("Only")
    expect(page.get_by_label("Surname", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("employer group")).click()
    expect(page.locator("#id_employer_groups")).to_be_focused()


def test_add_employer_works_without_javascript_and_by_keyboard(browser, site):
    page = signed_in_page(browser, site, "admin", java_script_enabled=False)
    page.goto(f"{site}/employers/add/")
    fill_personal_details(page, first_name="Nia", surname="Evans", email="nia@kestrel.example")

    page.get_by_label("Search", exact=True).fill("Kestrel")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_label("First name", exact=True)).to_have_value("Nia")  # nothing lost
    page.get_by_label("All employers › North East › Kestrel Logistics").check()

    # Roles by keyboard alone: focus the Available list, pick with the arrow key, press the button.
    page.get_by_label("Available").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move selected roles to Assigned")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Assigned").locator("option")).to_have_count(1)
    expect(page.get_by_label("All employers › North East › Kestrel Logistics")).to_be_checked()

    page.get_by_label("Or type a new position title and select Add").fill("Fleet Manager")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#id_position option:checked")).to_have_text("Fleet Manager")

    page.get_by_label("Classic").check()
    invite_question(page).get_by_label("No").check()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Employer Nia Evans created as a Prospect")
    nia = User.objects.get(email="nia@kestrel.example")
    assert nia.roles.count() == 1 and nia.employer_profile.position.title == "Fleet Manager"
    assert [g.name for g in nia.employer_groups.all()] == ["Kestrel Logistics"]
    assert [o.name for o in nia.organisations.all()] == ["Kestrel Logistics"]
    page.context.close()


def test_close_asks_before_discarding_what_was_typed(page: Page, site):
    sign_in(page, site, "admin")
    page.goto(f"{site}/employers/add/")
    page.get_by_label("First name", exact=True).fill("Half typed")
    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("link", name="Close").click()
    assert questions == ["Leave without saving? What you typed will be lost."]
    expect(page.get_by_label("First name", exact=True)).to_have_value("Half typed")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Close").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()


def test_the_position_combobox_by_keyboard(page: Page, site):
    """Type, arrow down, Enter: the WAI-ARIA combobox asks the server and fills the field."""
    sign_in(page, site, "admin")
    page.goto(f"{site}/employers/add/")
    page.wait_for_load_state("load")
    combobox = page.get_by_role("combobox", name="Position")
    combobox.focus()
    page.keyboard.type("train")
    listbox = page.get_by_role("listbox", name="Position")
    expect(listbox.get_by_role("option")).to_have_text(["Training Coordinator"])
    expect(combobox).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute(
        "aria-activedescendant", listbox.get_by_role("option").get_attribute("id")
    )
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Training Coordinator")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_position option:checked")).to_have_text("Training Coordinator")
    announcements = page.locator("#id_position-status")  # a polite live region
    expect(announcements).to_have_text("Training Coordinator chosen.")
    page.keyboard.type("zzz-nothing")
    expect(announcements).to_have_text("No matches.")
    page.keyboard.press("Escape")
    assert_accessible(page)
