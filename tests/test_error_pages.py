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
