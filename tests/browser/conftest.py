from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from aptem.demo import DEMO_PASSWORD

_axe = Axe()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2's target size included), and axe's best practice.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def assert_accessible(page: Page, context: str | None = None) -> None:
    """axe-core finds no violation of any WCAG 2.2 AA rule or best practice on the page (or the
    part named by ``context``)."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    results = _axe.run(page, context=context, options=options)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The demo tenant behind a real server; returns the server's base URL."""
    from aptem.demo import load_demo

    load_demo()
    return live_server.url


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return page


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def signed_in_page(browser, base_url: str, username: str, **context_options) -> Page:
    """A new browser context (``java_script_enabled``, ``viewport``...) signed in as
    ``username``; close it with ``page.context.close()``."""
    page = browser.new_context(**context_options).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base_url, username)
    return page


def htmx_idle(page: Page) -> None:
    """Wait until htmx has finished every request, swap and settle, as a person would."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )
