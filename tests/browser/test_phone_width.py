"""At a phone's 390 px nothing runs off the screen, and wide tables scroll by keyboard."""

import pytest
from playwright.sync_api import expect

from accounts.models import User

from .conftest import SCREENSHOTS, assert_accessible, signed_in_page

pytestmark = pytest.mark.browser


def test_signed_in_pages_fit_a_phone_and_tables_scroll_by_keyboard(browser, demo_site):
    page = signed_in_page(browser, demo_site, "admin", viewport={"width": 390, "height": 844})
    invited = User.objects.filter(invitations__isnull=False).distinct().first()
    for path in ("/", "/users/", f"/users/{invited.pk}/", "/organisations/", "/employers/add/"):
        page.goto(demo_site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        sign_out = page.get_by_role("button", name="Sign out")
        box = sign_out.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, box)
        assert_accessible(page)
    page.goto(f"{demo_site}/users/{invited.pk}/")
    history = page.get_by_role("region", name=f"Invitation emails sent to {invited.full_name}")
    history.focus()
    expect(history).to_be_focused()
    page.goto(f"{demo_site}/users/")
    page.screenshot(path=SCREENSHOTS / "users-list-phone.png", full_page=False)
    page.context.close()


def test_boxes_in_a_row_line_up_and_a_select_shows_its_whole_placeholder(browser, demo_site):
    page = signed_in_page(browser, demo_site, "admin", viewport={"width": 1280, "height": 900})
    page.goto(f"{demo_site}/employers/add/")
    page.get_by_role("button", name="Create", exact=True).click()  # every message showing
    expect(page.get_by_role("alert")).to_be_visible()
    tops = page.evaluate(
        "['id_email', 'id_mobile', 'id_gender'].map("
        "id => Math.round(document.getElementById(id).getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops  # the mobile hint no longer pushes its box down
    room = page.evaluate(
        """() => {
        const select = document.getElementById('id_title');
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d');
        context.font = style.font;
        const text = context.measureText(select.options[select.selectedIndex].text).width;
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        return select.clientWidth - padding - text;
    }"""
    )
    assert room >= 0, f"'Select a title' is cut by {-room:.0f} px"
    page.context.close()
