"""Queries compiled once per shape give exactly the rows the ORM gives, for any tenant and day."""

import itertools
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db.models.sql.compiler import SQLCompiler

from accounts import selectors
from accounts.models import User, UserStatus, UserType
from tests.factories import TenantFactory, UserFactory
from ui import compiled
from ui.compiled import Shape
from ui.pagination import keyset_page

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fresh_shapes():
    """Each test compiles its own shapes: one compiled for another test's database settings
    must not hide a mistake here."""
    compiled._compiled.__dict__.clear()
    yield
    compiled._compiled.__dict__.clear()


@pytest.fixture
def tenant():
    """People of every type and status, several created in the same second, some archived,
    some without a mobile, some past their own last day of access."""
    tenant = TenantFactory()
    kinds = itertools.cycle(
        itertools.product(
            [UserType.EMPLOYER, UserType.LEARNER],
            [UserStatus.FULL, UserStatus.INVITED, UserStatus.PROSPECT, UserStatus.CANCELLED],
        )
    )
    for n in range(40):
        user_type, status = next(kinds)
        UserFactory(
            tenant=tenant,
            user_type=user_type,
            status=status,
            surname=f"Surname{n % 7}",
            created_at=START + timedelta(seconds=n // 3),
            is_archived=n % 11 == 0,
            mobile="" if n % 5 == 0 else "07400 123456",
            access_ends_on=TODAY - timedelta(days=1) if n % 6 == 0 else None,
        )
    return tenant


FILTERS = [
    {},
    {"statuses": [UserStatus.EXPIRED]},
    {"statuses": [UserStatus.FULL, UserStatus.CANCELLED], "types": [UserType.LEARNER]},
    {"statuses": [UserStatus.PROSPECT, UserStatus.CANCELLED]},  # today's date not in the SQL
    {"statuses": [], "archived": True},
    {"missing_mobile": True, "types": [UserType.EMPLOYER, UserType.LEARNER]},
]


def pages(rows, ordering, per_page):
    """Every page walking forward, then every page walking back from the last."""
    forward, cursor = [], ""
    for _ in range(100):  # a cursor that led nowhere new would otherwise walk for ever
        page = keyset_page(rows, ordering=ordering, per_page=per_page, after=cursor)
        forward.append(page)
        if not page.has_next:
            break
        cursor = page.next_cursor
    else:
        pytest.fail("the pages never ended")
    back, page = [], forward[-1]
    while page.has_previous and len(back) < 100:
        page = keyset_page(rows, ordering=ordering, per_page=per_page, before=page.previous_cursor)
        back.append(page)
    return forward + back


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("sort", list(selectors.USER_LIST_SORTS))
@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False)
def test_compiled_pages_are_the_orms_pages_in_every_order(tenant, filters, sort):
    ordering = selectors.USER_LIST_SORTS[sort]
    shape = selectors.user_list_values(tenant=tenant, sort=sort, **filters)
    assert isinstance(shape, Shape)
    orm = selectors.user_list(tenant=tenant, sort=sort, **filters).values(*selectors.LIST_COLUMNS)
    walked = list(zip(pages(orm, ordering, 4), pages(shape, ordering, 4), strict=True))
    for theirs, ours in walked:
        assert ours.rows == theirs.rows
        assert (ours.next_cursor, ours.previous_cursor) == (
            theirs.next_cursor,
            theirs.previous_cursor,
        )
    assert any(ours.rows for _, ours in walked)


def test_one_compiled_shape_serves_every_tenant_with_its_own_people(tenant):
    other = TenantFactory()
    theirs = UserFactory(tenant=other)
    first = keyset_page(selectors.user_list_values(tenant=tenant), ordering=("id",), per_page=100)
    second = keyset_page(selectors.user_list_values(tenant=other), ordering=("id",), per_page=100)
    assert [row["id"] for row in second.rows] == [theirs.pk]
    assert theirs.pk not in {row["id"] for row in first.rows}
    assert len(compiled._compiled.shapes) == 1


def test_a_shape_compiled_yesterday_knows_what_has_expired_today(tenant):
    last_day = UserFactory(tenant=tenant, status=UserStatus.FULL, access_ends_on=TODAY)

    def expired_ids():
        shape = selectors.user_list_values(tenant=tenant, statuses=[UserStatus.EXPIRED])
        page = keyset_page(shape, ordering=("id",), per_page=100)
        return {row["id"] for row in page.rows}

    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        assert last_day.pk not in expired_ids()
    with time_machine.travel(datetime(2026, 6, 2, 12, tzinfo=UTC), tick=False):
        assert last_day.pk in expired_ids()
    assert len(compiled._compiled.shapes) == 1


def test_a_tenant_whose_access_has_ended_gets_a_shape_of_its_own(tenant):
    ended = TenantFactory(access_ends_on=TODAY - timedelta(days=30))
    person = UserFactory(tenant=ended, status=UserStatus.FULL, access_ends_on=None)
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        for who, expected in ((tenant, set()), (ended, {person.pk})):
            shape = selectors.user_list_values(tenant=who, statuses=[UserStatus.EXPIRED])
            page = keyset_page(shape, ordering=("id",), per_page=100)
            assert {row["id"] for row in page.rows} & {person.pk} == expected


def test_the_next_page_of_a_shape_is_not_compiled_again(tenant, django_assert_num_queries):
    shape = selectors.user_list_values(tenant=tenant)
    first = keyset_page(shape, ordering=selectors.USER_LIST_ORDER, per_page=5)
    second = keyset_page(
        shape, ordering=selectors.USER_LIST_ORDER, per_page=5, after=first.next_cursor
    )
    never = mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled"))
    with never, django_assert_num_queries(1):
        third = keyset_page(
            selectors.user_list_values(tenant=tenant),
            ordering=selectors.USER_LIST_ORDER,
            per_page=5,
            after=second.next_cursor,
        )
    assert len(third.rows) == 5


def test_a_search_or_another_apps_filter_is_a_plain_queryset(tenant):
    assert not isinstance(selectors.user_list_values(tenant=tenant, search="Surname1"), Shape)
    narrowed = selectors.user_list_values(tenant=tenant, narrowed_by=[lambda users: users])
    assert not isinstance(narrowed, Shape)


def test_a_stand_in_the_builder_leaves_out_is_a_mistake_said_at_once():
    def build(stand_ins):
        stand_ins.of(User._meta.get_field("created_at"), "since")
        return User.objects.all()

    with pytest.raises(ValueError, match="since"):
        compiled.compiled(User, "forgetful", build)


def test_a_field_without_a_stand_in_is_refused():
    with pytest.raises(TypeError):
        compiled.StandIns().of(User._meta.get_field("is_archived"), "archived")


def test_the_cache_of_shapes_stays_bounded(monkeypatch):
    monkeypatch.setattr(compiled, "MAX_SHAPES", 3)
    for n in range(7):
        compiled.compiled(User, ("bounded", n), lambda stand_ins, n=n: User.objects.all()[: n + 1])
    assert len(compiled._compiled.shapes) <= 3


def test_a_shape_that_nothing_can_match_finds_nothing():
    UserFactory()

    def build(stand_ins):
        tenant = stand_ins.of(User._meta.get_field("tenant"), "tenant")
        return User.objects.filter(tenant_id=tenant, pk__in=[])

    assert compiled.compiled(User, "nothing", build).fetch({"tenant": 1}) == []


def test_a_query_that_would_prefetch_is_refused():
    with pytest.raises(ValueError, match="prefetch"):
        compiled.compiled(User, "prefetching", lambda s: User.objects.prefetch_related("roles"))


def test_a_join_that_finds_nothing_gives_none_as_the_orm_does():
    from employers.models import EmployerProfile
    from tests.factories import UserFactory as People

    person = People(user_type=UserType.EMPLOYER)
    profile = EmployerProfile.objects.filter(user=person).first() or EmployerProfile.objects.create(
        user=person
    )
    assert profile.position_id is None

    def build(stand_ins):
        user = stand_ins.of(EmployerProfile._meta.get_field("user"), "user")
        return EmployerProfile.objects.select_related("position", "user").filter(user_id=user)

    [found] = compiled.compiled(EmployerProfile, "profile", build).fetch({"user": person.pk})
    assert found.position is None and found.user == person and found.pk == profile.pk
    assert found.user.employer_profile is found
