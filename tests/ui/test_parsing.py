"""The one parser for posted and queried ids answers bad input with None, never an exception."""

import pytest

from ui.parsing import MAX_ID, parse_id, parse_ids, parse_page_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        ("²", None),  # isdigit() says yes, int() says no
        ("１２", None),  # fullwidth digits
        ("0", None),
        ("-3", None),
        ("3.0", None),
        ("", None),
        (None, None),
        (True, None),
        ("9" * 20, None),  # overflows every database's integer
        (str(MAX_ID + 1), None),
        ("12\x00", None),
        ("abc", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_id_takes_a_models_pk():
    class Row:
        pk = 12

    assert parse_id(Row()) == 12


def test_a_count_may_be_zero_when_asked():
    assert parse_id("0", minimum=0) == 0
    assert parse_id("²", minimum=0) is None


def test_parse_ids_keeps_order_drops_junk_and_repeats():
    assert parse_ids(["3", "²", "1", "3", "x", "9" * 25, 2]) == [3, 1, 2]
    assert parse_ids(None) == []


@pytest.mark.parametrize(
    ("value", "expected"), [("2", 2), ("²", 1), ("99999999999999999999", 1), (None, 1), ("0", 1)]
)
def test_parse_page_number_falls_back_to_the_first_page(value, expected):
    assert parse_page_number(value) == expected
