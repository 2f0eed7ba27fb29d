"""What the API writes is JSON any client reads, whatever the data holds."""

import json
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from api.renderers import JSONRenderer
from tests.factories import UserFactory


def test_line_and_paragraph_separators_are_escaped_as_drf_escapes_them():
    written = JSONRenderer().render({"name": "one\u2028two\u2029three"})
    assert b"\\u2028" in written and b"\\u2029" in written
    assert "\u2028".encode() not in written and "\u2029".encode() not in written
    assert json.loads(written) == {"name": "one\u2028two\u2029three"}


def test_what_orjson_does_not_know_is_written_as_drf_writes_it():
    data = {"message": gettext_lazy("Not found."), "rate": Decimal("1.50"), "ids": {3, 4}}
    written = json.loads(JSONRenderer().render(data))
    assert written == json.loads(renderers.JSONRenderer().render(data))
    assert written["message"] == "Not found." and sorted(written["ids"]) == [3, 4]


def test_an_integer_past_64_bits_is_still_written():
    assert json.loads(JSONRenderer().render({"big": 2**70})) == {"big": 2**70}


def test_an_indented_answer_when_the_client_asks_for_one():
    written = JSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert written == b'{\n  "a": 1\n}'


@pytest.mark.django_db
def test_a_listed_name_with_a_line_separator_reaches_the_client_intact(api, tenant):
    UserFactory(tenant=tenant, first_name="Ann\u2028Marie")
    response = api.get("/api/v1/users/")
    assert b"Ann\\u2028Marie" in response.content
    names = [row["first_name"] for row in response.json()["results"]]
    assert "Ann\u2028Marie" in names
