import re

from django.core.exceptions import ValidationError

POSTCODE_INVALID = "Enter a real UK postcode, like SW1A 1AA."
# Matched without spaces: outward code (area, district) then inward code (sector, unit).
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'; raises ValidationError for anything that is not a UK postcode."""
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        raise ValidationError(POSTCODE_INVALID, code="invalid")
    return f"{compact[:-3]} {compact[-3:]}"
