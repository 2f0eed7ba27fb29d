"""Keyset pages: every row exactly once, in order, both ways, whatever ties the ordering has."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
from tests.factories import TenantFactory, UserFactory
from ui.pagination import EXACT_COUNT_BELOW, Total, keyset_page, total_of

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
ORDER = ("-created_at", "-id")


@pytest.fixture
def people():
    """23 people, several created in the same second (ties broken by id)."""
    tenant = TenantFactory()
    for n in range(23):
        UserFactory(tenant=tenant, created_at=START + timedelta(seconds=n // 3))
    return User.objects.filter(tenant=tenant)


def walk_forward(queryset, per_page):
    pages, cursor = [], ""
    while True:
        page = keyset_page(queryset, ordering=ORDER, per_page=per_page, after=cursor)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


def test_walking_forward_meets_every_row_once_in_order(people):
    pages = walk_forward(people, per_page=5)
    seen = [row.pk for page in pages for row in page.rows]
    assert seen == list(people.order_by(*ORDER).values_list("pk", flat=True))
    assert [len(page.rows) for page in pages] == [5, 5, 5, 5, 3]
    assert not pages[0].has_previous and all(page.has_previous for page in pages[1:])


def test_walking_back_from_the_last_page_meets_the_same_pages(people):
    pages = walk_forward(people, per_page=5)
    page = pages[-1]
    back = [page]
    while page.has_previous:
        page = keyset_page(people, ordering=ORDER, per_page=5, before=page.previous_cursor)
        back.append(page)
    assert [[r.pk for r in p.rows] for p in reversed(back)] == [
        [r.pk for r in p.rows] for p in pages
    ]
    assert not back[-1].has_previous and back[-1].has_next


def test_ascending_orderings_work_too(people):
    ascending = ("created_at", "id")
    first = keyset_page(people, ordering=ascending, per_page=10)
    second = keyset_page(people, ordering=ascending, per_page=10, after=first.next_cursor)
    expected = list(people.order_by(*ascending).values_list("pk", flat=True))
    assert [r.pk for r in first.rows + second.rows] == expected[:20]


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzFd", "WyJ4IiwgIjEiXQ", "W251bGwsIDFd"])
def test_a_cursor_that_is_not_ours_gives_the_first_page(people, cursor):
    first = keyset_page(people, ordering=ORDER, per_page=5)
    odd = keyset_page(people, ordering=ORDER, per_page=5, after=cursor)
    assert [r.pk for r in odd.rows] == [r.pk for r in first.rows]


def test_a_huge_id_in_a_cursor_is_refused_not_sent_to_the_database(people):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([START.isoformat(), 10**30]).encode()).decode()
    page = keyset_page(people, ordering=ORDER, per_page=5, after=cursor)
    assert len(page.rows) == 5 and not page.has_previous


def test_totals_are_exact_when_small(people):
    assert total_of(people) == Total(23, exact=True)
    assert str(Total(23, exact=True)) == "23"
    assert str(Total(1_200_000, exact=False)) == "about 1,200,000"
    assert str(Total(0, exact=False)) == f"more than {EXACT_COUNT_BELOW:,}"
