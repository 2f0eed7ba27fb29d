"""A fault shows the product's own page; a lost database answers 503 with Retry-After."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import AdministratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(AdministratorFactory())
    client.raise_request_exception = False
    return client


def test_a_lost_database_inside_a_view_answers_503_with_retry_after(signed_in):
    lost = OperationalError("connection to server at 127.0.0.1 port 5432 failed")
    with mock.patch("accounts.selectors.user_list", side_effect=lost):
        response = signed_in.get(reverse("accounts:user_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Aptem is briefly unavailable" in html and "try again in" in html
    assert "5432" not in html  # nothing of the fault is shown


def test_a_lost_database_before_the_view_answers_503_too(signed_in):
    """The session is read by middleware, before any view: that path is covered as well."""
    lost = OperationalError("server closed the connection unexpectedly")
    target = "django.contrib.sessions.backends.db.SessionStore._get_session_from_db"
    with mock.patch(target, side_effect=lost):
        response = signed_in.get(reverse("home"))
    assert response.status_code == 503
    assert "Aptem is briefly unavailable" in response.content.decode()


def test_any_other_fault_shows_the_products_own_500_page(signed_in):
    with mock.patch("accounts.selectors.user_list", side_effect=RuntimeError("bug")):
        response = signed_in.get(reverse("accounts:user_list"))
    assert response.status_code == 500
    assert "Retry-After" not in response
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "bug" not in html
    assert 'lang="en-GB"' in html and "<h1" in html


def test_a_missing_page_is_the_products_own_404_with_a_way_home(signed_in):
    response = signed_in.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'aria-label="Site"' in html and 'href="/"' in html


def test_a_refusal_is_the_products_own_403_logged_once_without_a_traceback(client):
    import io
    import logging

    from aptem.errors import ForbiddenWithoutTraceback

    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(ForbiddenWithoutTraceback())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client.force_login(AdministratorFactory(roles=[]))  # may view users, not create them
    try:
        response = client.get(reverse("employers:add"))
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html and "give you the right role" in html
    logged = lines.getvalue().splitlines()
    assert logged == ["WARNING Forbidden (Permission denied): /employers/add/"]


def test_a_stale_form_says_so_in_the_products_layout():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("accounts:sign_in"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form expired" in html and "Nothing was saved" in html
    assert "CSRF verification failed" not in html and "Referer" not in html


def test_a_request_for_another_host_is_the_products_own_400(client, settings):
    settings.ALLOWED_HOSTS = ["aptem.example.com"]
    client.raise_request_exception = False
    response = client.get("/sign-in/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "That request could not be understood" in response.content.decode()
