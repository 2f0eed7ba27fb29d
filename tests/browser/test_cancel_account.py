"""Cancel an employer who is signed in elsewhere: their next click lands on the sign-in page;
reactivate them and they sign in again."""

import pytest
from playwright.sync_api import expect

from accounts.models import User

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_cancel_ends_a_live_session_and_reactivate_lets_them_back(browser, demo_site):
    employer = browser.new_context().new_page()
    employer.set_default_timeout(10_000)
    sign_in(employer, demo_site, "manager")

    admin = browser.new_context().new_page()
    admin.set_default_timeout(10_000)
    sign_in(admin, demo_site, "admin")
    manager = User.objects.get(username="manager")
    admin.goto(f"{demo_site}/users/{manager.pk}/")
    admin.get_by_role("link", name="Cancel account").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Cancel {manager.full_name}'s account?"
    )
    assert_accessible(admin)
    admin.get_by_role("button", name="Cancel the account").click()
    expect(admin.get_by_label("Why is the account being cancelled?")).to_have_attribute(
        "aria-invalid", "true"
    )
    admin.get_by_label("Why is the account being cancelled?").fill("Left the company")
    admin.get_by_role("button", name="Cancel the account").click()
    expect(admin.get_by_role("status").first).to_contain_text("account is cancelled")

    employer.reload()
    expect(employer.get_by_role("heading", name="Sign in")).to_be_visible()

    admin.get_by_role("link", name="Reactivate account").click()
    assert_accessible(admin)
    admin.get_by_role("button", name="Reactivate the account").click()
    expect(admin.get_by_role("status").first).to_contain_text("active again, as a Full user")

    sign_in(employer, demo_site, "manager")
    employer.context.close()
    admin.context.close()
