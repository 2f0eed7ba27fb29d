"""One way to read a whole-number id from a posted or queried value.

``str.isdigit()`` says yes to superscripts such as ``²`` that ``int()`` refuses, and a value of
twenty digits overflows the database. Both are answered here as "not an id", never an exception.
"""

import unicodedata
from collections.abc import Iterable
from typing import Any

# The largest primary key any of our databases holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: Any, *, minimum: int = 1) -> int | None:
    """The whole number ``value`` spells in ASCII digits (or a model's pk), from ``minimum`` up
    to the largest id a database holds; None for anything else."""
    value = getattr(value, "pk", value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        number = int(text)
    return number if minimum <= number <= MAX_ID else None


def parse_ids(values: Iterable[Any] | None) -> list[int]:
    """The ids among ``values``, in order and without repeats; anything else is dropped."""
    seen: dict[int, None] = {}
    for value in values or ():
        number = parse_id(value)
        if number is not None:
            seen.setdefault(number, None)
    return list(seen)


def parse_page_number(value: Any) -> int:
    """A page number from the query string: 1 for anything that is not a sensible one."""
    return parse_id(value) or 1


MAX_SEARCH_WORDS = 8
MAX_WORD_LENGTH = 100


def search_words(term: Any) -> list[str]:
    """The words of a search box, safe to put in a query: control characters (a NUL byte makes
    PostgreSQL refuse the query) become spaces, and a pasted essay is cut to a few words."""
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in str(term or ""))
    return [word[:MAX_WORD_LENGTH] for word in text.split()[:MAX_SEARCH_WORDS]]
