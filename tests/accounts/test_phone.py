import pytest
from django.core.exceptions import ValidationError

from accounts.factors.phone import format_mobile, normalise_mobile


@pytest.mark.parametrize(
    "typed",
    ["07400 123456", "07400123456", "+44 7400 123456", "(07400) 123-456", "0044 7400 123456"],
)
def test_uk_mobiles_are_stored_in_e164(typed):
    assert normalise_mobile(typed) == "+447400123456"


def test_numbers_from_abroad_need_their_country_code():
    assert normalise_mobile("+33 6 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize("typed", ["", "hello", "0740", "07400 1234567890"])
def test_nonsense_is_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as caught:
        normalise_mobile(typed)
    assert "07400 123456" in caught.value.messages[0]


def test_a_landline_is_refused_because_sms_cannot_reach_it():
    with pytest.raises(ValidationError) as caught:
        normalise_mobile("020 7946 0018")
    assert caught.value.code == "not_mobile"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("0800 123 4567", "freephone"),
        ("0300 123 4567", "non-geographic (03)"),
        ("056 1234 5678", "internet (VoIP)"),
        ("070 1234 5678", "personal (follow-me)"),
        ("07600 123456", "pager"),
        ("0906 123 4567", "premium-rate"),
    ],
)
def test_numbers_that_cannot_receive_a_text_are_refused_saying_what_they_are(typed, kind):
    with pytest.raises(ValidationError) as caught:
        normalise_mobile(typed)
    assert caught.value.code == "not_mobile"
    assert caught.value.messages == [
        f"This is a {kind} number, which cannot receive text messages. Enter a mobile number, "
        "like 07400 123456."
    ]


def test_where_mobiles_and_landlines_look_alike_both_are_accepted():
    assert normalise_mobile("+1 212 555 0123") == "+12125550123"  # the USA: either kind


def test_display_is_national_for_uk_and_international_otherwise():
    assert format_mobile("+447400123456") == "07400 123456"
    assert format_mobile("+33612345678") == "+33 6 12 34 56 78"
    assert format_mobile("") == ""
