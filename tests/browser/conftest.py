from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from aptem.demo import DEMO_PASSWORD

_axe = Axe()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2's target size included), and axe's best practice.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


PHONE_WIDTH = 390  # an iPhone 12 to 15 held upright, in CSS pixels


def assert_accessible(page: Page, context: str | None = None) -> None:
    """axe-core finds no violation of any WCAG 2.2 AA rule or best practice on the page (or the
    part named by ``context``), at the page's own width and again at a phone's, where the page
    must not scroll sideways either. The width is put back afterwards."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    results = _axe.run(page, context=context, options=options)
    assert results.violations_count == 0, results.generate_report()
    size = page.viewport_size
    if size is None or size["width"] <= PHONE_WIDTH:
        return
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        page.wait_for_function(f"() => window.innerWidth === {PHONE_WIDTH}")
        results = _axe.run(page, context=context, options=options)
        assert results.violations_count == 0, f"At {PHONE_WIDTH} px: {results.generate_report()}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= PHONE_WIDTH, f"At {PHONE_WIDTH} px the page is {overflow} px wide"
    finally:
        page.set_viewport_size(size)


def assert_accessible_without_javascript(page: Page) -> None:
    """``assert_accessible`` for a page whose browser runs no JavaScript (axe itself needs it):
    the page as drawn is served again, at its own address, to a context that runs axe but
    fetches none of the page's own scripts, so what is checked is what the person saw."""
    html = page.content()
    url = page.url
    viewport = page.viewport_size or {"width": 1280, "height": 720}
    context = page.context.browser.new_context(viewport=viewport)
    try:
        checker = context.new_page()
        checker.route("**/*.js", lambda route: route.abort())
        checker.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        checker.goto(url)
        assert_accessible(checker)
    finally:
        context.close()


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


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """Every browser test also fails if the page broke its own Content-Security-Policy (an
    inline script or style the browser refused), which would leave a feature dead."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    yield
    assert refused == []
