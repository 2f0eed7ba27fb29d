"""The error pages a person can meet are the product's own, accessible, at desk and phone
widths, with a way on."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_refused_and_missing_pages_are_accessible_and_lead_home(browser, demo_site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, demo_site, "viewer")  # may see users, not create them
    for path, heading in [
        ("/employers/add/", "You do not have access to this page"),
        ("/no-such-page/", "Page not found"),
    ]:
        page.goto(demo_site + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(f"{demo_site}/")
    context.close()
