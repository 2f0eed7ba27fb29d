"""Pages of a list found without counting the whole table."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q, QuerySet

from .parsing import MAX_ID

# Beyond this a page number is nonsense typed into the address bar: an OFFSET that large costs
# a scan of the whole table and can only come back empty.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    """One page of a list.

    Counting every row of a large list on each view is slow, so a page fetches one row more
    than it shows to know whether another page follows.
    """

    rows: list[Any]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(queryset: QuerySet[Any], *, number: int, per_page: int) -> Page:
    number = min(max(number, 1), MAX_PAGE)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(
        rows=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page
    )


# --- Keyset (seek) pagination ------------------------------------------------------------------
#
# OFFSET reads and throws away every row before the page, so deep pages of a big tenant are
# slow. A keyset page starts after (or before) the last row the person saw,
# which an index on the ordering finds directly, at any depth. The boundary travels in the URL as
# an opaque cursor, so a page can be bookmarked, and a row added meanwhile never shifts a page.


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    per_page: int
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def _encode(values: list[Any]) -> str:
    text = json.dumps(
        [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
    )
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_for(row: Any, ordering: tuple[str, ...], model: Any = None) -> str:
    """The cursor of ``row`` (a model instance, or a dict from ``values()`` of ``model``):
    its values of the ordering's fields."""
    meta = (model or row)._meta
    fields = [meta.get_field(name.lstrip("-")) for name in ordering]
    if isinstance(row, dict):
        return _encode([row[field.attname] for field in fields])
    return _encode([getattr(row, field.attname) for field in fields])


def _decode(cursor: str, fields: list[Any]) -> list[Any] | None:
    """The boundary values a cursor carries, as the ordering fields' Python values; None for a
    cursor that is not one of ours (a stale or edited URL shows the first page)."""
    if not cursor or len(cursor) > 400:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        values = [field.to_python(value) for field, value in zip(fields, raw, strict=True)]
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        return None
    if any(value is None for value in values):
        return None
    if any(isinstance(value, int) and not 0 < value <= MAX_ID for value in values):
        return None
    if any(isinstance(value, str) and "\x00" in value for value in values):
        return None  # PostgreSQL refuses NUL in text: no row could be beyond it
    return values


class CursorInvalid(ValueError):
    """A cursor that is not one of ours (``keyset_page(..., strict=True)``)."""

    def __init__(self, parameter: str) -> None:
        super().__init__(parameter)
        self.parameter = parameter


def _beyond(names: list[str], descending: list[bool], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after ``values`` in the ordering (``forward``), or strictly before it.

    ``(a, b) < (x, y)`` is written ``a <= x AND (a < x OR (a = x AND b < y))``: the first part
    lets the database start its index scan at the boundary instead of filtering every row."""
    condition = Q()
    for index, name in enumerate(names):
        later = descending[index] == forward  # descending + forward means "smaller"
        step = Q(**{f"{name}__{'lt' if later else 'gt'}": values[index]})
        for earlier in range(index):
            step &= Q(**{names[earlier]: values[earlier]})
        condition |= step
    first_later = descending[0] == forward
    return Q(**{f"{names[0]}__{'lte' if first_later else 'gte'}": values[0]}) & condition


def keyset_page(
    queryset: QuerySet[Any],
    *,
    ordering: tuple[str, ...],
    per_page: int,
    after: str = "",
    before: str = "",
    strict: bool = False,
) -> KeysetPage:
    """One page of ``queryset`` in ``ordering`` (which must end in a unique field, such as
    ``-id``), starting after the cursor ``after`` or ending before ``before``; the first page
    when neither is a valid cursor (or, ``strict``, CursorInvalid naming the bad one: the API
    answers 400 where a page shows the first page). A ``values()`` queryset (holding the
    ordering's fields) pages the same way, without building a model instance a row."""
    names = [name.lstrip("-") for name in ordering]
    descending = [name.startswith("-") for name in ordering]
    model = queryset.model
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    reversed_order = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)

    def rows_from(boundary: list[Any] | None, *, forward: bool) -> list[Any]:
        """Up to per_page + 1 rows beyond ``boundary`` (from the start, without one), going
        forward in the ordering or back."""
        order = ordering if forward else reversed_order
        rows = queryset.order_by(*order)
        if boundary is not None:
            rows = rows.filter(_beyond(names, descending, boundary, forward=forward))
        return list(rows[: per_page + 1])

    def cursor_of(row: Any) -> str:
        return cursor_for(row, ordering, model)

    going_back = _decode(before, fields) if before and not after else None
    start = _decode(after, fields) if after else None
    if strict and after and start is None:
        raise CursorInvalid("after")
    if strict and before and not after and going_back is None:
        raise CursorInvalid("before")
    if going_back is not None:
        rows = rows_from(going_back, forward=False)
        more_before = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        return KeysetPage(
            rows=rows,
            per_page=per_page,
            next_cursor=cursor_of(rows[-1]) if rows else "",
            previous_cursor=cursor_of(rows[0]) if rows and more_before else "",
        )
    rows = rows_from(start, forward=True)
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows=rows,
        per_page=per_page,
        next_cursor=cursor_of(rows[-1]) if rows and more_after else "",
        previous_cursor=cursor_of(rows[0]) if rows and start is not None else "",
    )


# --- Totals without a full count ----------------------------------------------------------------

EXACT_COUNT_BELOW = 1_000


@dataclass(frozen=True)
class Total:
    """How many rows a list has: exact when small, the planner's estimate when counting would
    read the whole table ("about 1,000,000")."""

    count: int
    exact: bool

    def __str__(self) -> str:
        if self.exact:
            return f"{self.count:,}"
        return f"about {self.count:,}" if self.count else f"more than {EXACT_COUNT_BELOW:,}"


def total_of(
    queryset: QuerySet[Any],
    *,
    page: KeysetPage | None = None,
    exact_below: int = EXACT_COUNT_BELOW,
) -> Total:
    """How many rows ``queryset`` has, at the least cost that is still honest.

    A ``page`` that shows every row already knows (no query). On PostgreSQL the planner's
    estimate comes first (an EXPLAIN, no rows read): a large one is shown as "about N", a small
    one is checked by counting, which is then cheap. Elsewhere, count at most ``exact_below`` + 1.
    """
    if page is not None and not page.has_next and not page.has_previous:
        return Total(len(page.rows), exact=True)
    if connections[queryset.db].vendor == "postgresql":
        plan = json.loads(queryset.order_by().explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate > exact_below * 10:
            return Total(_two_significant_figures(estimate), exact=False)
    counted = queryset.order_by()[: exact_below + 1].count()
    if counted <= exact_below:
        return Total(counted, exact=True)
    if connections[queryset.db].vendor != "postgresql":
        return Total(0, exact=False)
    return Total(_two_significant_figures(max(estimate, exact_below + 1)), exact=False)


def _two_significant_figures(number: int) -> int:
    digits = len(str(number))
    scale = 10 ** max(digits - 2, 0)
    return round(number / scale) * scale
