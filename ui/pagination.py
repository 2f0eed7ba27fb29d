"""Pages of a list found without counting the whole table."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# Beyond this a page number is nonsense typed into the address bar: an OFFSET that large costs
# a scan of the whole table and can only come back empty.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    """One page of a list.

    ``COUNT(*)`` over a million users costs ~50 ms a view, so a page fetches one row more than
    it shows to know whether another page follows.
    """

    rows: list[Any]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0


def page_of(queryset: QuerySet[Any], *, number: int, per_page: int) -> Page:
    number = min(max(number, 1), MAX_PAGE)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(
        rows=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page
    )
