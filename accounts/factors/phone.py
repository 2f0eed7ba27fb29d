from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "GB"

MOBILE_INVALID = "Enter a valid mobile number, like 07400 123456 or +44 7400 123456."
MOBILE_NOT_MOBILE = "This is a landline number. Enter a mobile number that can receive SMS."
MOBILE_CANNOT_TEXT = (
    "This is a %(kind)s number, which cannot receive text messages. Enter a mobile number, "
    "like 07400 123456."
)
# What a number can be, as phonenumbers tells it: only these receive a text message. Where a
# country's numbering does not tell mobiles from landlines (the USA's), both count.
TEXTABLE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
KINDS = {
    phonenumbers.PhoneNumberType.TOLL_FREE: "freephone",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "premium-rate",
    phonenumbers.PhoneNumberType.SHARED_COST: "shared-cost",
    phonenumbers.PhoneNumberType.VOIP: "internet (VoIP)",
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER: "personal (follow-me)",
    phonenumbers.PhoneNumberType.PAGER: "pager",
    phonenumbers.PhoneNumberType.UAN: "non-geographic (03)",
    phonenumbers.PhoneNumberType.VOICEMAIL: "voicemail",
}


def normalise_mobile(value: str, *, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 (+447400123456), or raise ValidationError."""
    e164, problem = _judged(value, region)
    if problem == "invalid":
        raise ValidationError(MOBILE_INVALID, code="invalid")
    if problem == "not_mobile":
        raise ValidationError(MOBILE_NOT_MOBILE, code="not_mobile")
    if problem:
        raise ValidationError(MOBILE_CANNOT_TEXT, code="not_mobile", params={"kind": problem})
    return e164


@lru_cache(maxsize=4096)
def _judged(value: str, region: str) -> tuple[str, str]:
    """(E.164, "") or ("", the problem: "invalid", "not_mobile" for a landline, or the kind of
    number that cannot take a text). Parsing is the costly part of checking a row of an
    upload, so a number met again (an office's shared mobile, say) is judged once."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return "", "invalid"
    if not phonenumbers.is_valid_number(number):
        return "", "invalid"
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "", "not_mobile"
    if kind not in TEXTABLE:
        return "", KINDS.get(kind, "non-mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def format_mobile(e164: str) -> str:
    """The stored number as people read it: national format at home, international abroad."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if number.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
