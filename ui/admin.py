"""Django admin pieces for tables of a million rows."""

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .pagination import total_of


class EstimatedCountPaginator(Paginator):
    """The changelist's paginator, counting at most a thousand rows and estimating beyond
    (``COUNT(*)`` over a million users costs a scan on every page view)."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # the changelist's queryset
        total = total_of(rows)
        if total.exact or total.count:
            return total.count
        # No estimate without PostgreSQL (SQLite, small databases): count for real.
        return int(rows.count())
