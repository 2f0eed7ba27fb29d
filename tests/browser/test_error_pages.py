"""The error pages a person can meet are the product's own, accessible, at desk and phone
widths, with a way on."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, signed_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_refused_and_missing_pages_are_accessible_and_lead_home(browser, demo_site, width):
    # A viewer may see users, not create them.
    viewport = {"width": width, "height": 900}
    page = signed_in_page(browser, demo_site, "viewer", viewport=viewport)
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
    page.context.close()
