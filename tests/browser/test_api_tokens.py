"""An administrator makes an API token, an integration uses it, the administrator revokes it;
the tokens page and the API's documentation are checked with axe."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, assert_accessible, signed_in_page

pytestmark = pytest.mark.browser


def api_status(base_url: str, secret: str) -> int:
    request = urllib.request.Request(  # noqa: S310  (the test's own live server)
        f"{base_url}/api/v1/users/?limit=5", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert len(json.load(response)["results"]) == 5
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_use_and_revoke_a_token(browser, demo_site):
    page = signed_in_page(browser, demo_site, "admin")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)

    page.get_by_role("button", name="Create token").click()
    expect(
        page.get_by_text("Enter a name for the token, like 'Payroll sync'.").first
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Token name").fill("Payroll sync")
    page.get_by_label("users:read: list and read users, groups, roles and positions").check()
    page.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_label("Your new token")
    expect(secret_box).to_have_value(re.compile(r"^aptem_[0-9a-f]{8}_"))
    secret = secret_box.input_value()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "api-tokens.png", full_page=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert api_status(demo_site, secret) == 200

    page.goto(f"{demo_site}/settings/api-tokens/")
    expect(page.get_by_label("Your new token")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Payroll sync")
    expect(row).to_contain_text("users:read")
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Revoke Payroll sync").click()
    expect(page.get_by_text("The token 'Payroll sync' is revoked")).to_be_visible()
    assert api_status(demo_site, secret) == 401
    page.context.close()


def test_the_api_documentation_is_accessible(browser, demo_site):
    page = browser.new_context().new_page()
    page.goto(f"{demo_site}/api/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aptem API")
    expect(
        page.get_by_role("heading", name="POST /api/v1/employers/: Create an employer")
    ).to_be_visible()
    assert_accessible(page)
    page.context.close()
