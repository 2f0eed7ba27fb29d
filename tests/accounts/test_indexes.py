"""At 100,000 users (and 100,000 groups, roles, positions and organisations) every lookup on the
create, activation, sign-in, list and search paths is served by an index (PostgreSQL): EXPLAIN
each query the real code runs, and find no sequential scan."""

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import selectors
from accounts.activation import account_activate
from accounts.invitations.selectors import PENDING_ORDER, pending_invitations
from accounts.invitations.services import fresh_link_request
from accounts.models import User, UserStatus
from employers import services as employer_services
from tests.factories import AdministratorFactory, EmployerGroupFactory
from ui.pagination import cursor_for, keyset_page, total_of

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]
SCANNED = ("Seq Scan on accounts_user", "Seq Scan on accounts_invitation")


def plans_during(action) -> list[tuple[str, str]]:
    """(SQL, plan) of every read of the users or invitations tables that ``action`` makes."""
    with CaptureQueriesContext(connection) as captured:
        action()
    plans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        if "accounts_user" not in sql and "accounts_invitation" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def assert_indexed(plans) -> None:
    assert plans, "the action read neither table"
    for sql, plan in plans:
        assert not any(scan in plan for scan in SCANNED), f"{sql}\n{plan}"


def a_big_user(tenant, **filters) -> User:
    return User.objects.filter(tenant=tenant, **filters).order_by("pk")[500]


def test_creating_an_employer_uses_indexes(big_tenant, django_capture_on_commit_callbacks):
    admin = AdministratorFactory(tenant=big_tenant)
    group = EmployerGroupFactory(tenant=big_tenant)
    data = {
        "title": "Mr",
        "first_name": "Index",
        "surname": "Tester",
        "email": "index.tester@example.com",
        "mobile": "07400 123456",
        "employer_groups": [group.pk],
        "interfaces": ["classic"],
        "invite": True,
    }

    def create():
        with django_capture_on_commit_callbacks(execute=True):
            employer_services.employer_create(tenant=big_tenant, created_by=admin, data=data)

    assert_indexed(plans_during(create))


def test_activation_uses_indexes(big_tenant):
    person = a_big_user(big_tenant, status=UserStatus.INVITED)
    assert_indexed(
        plans_during(
            lambda: account_activate(
                user=person, username=f"chosen-{person.pk}", password="plum orchard lantern 42"
            )
        )
    )


@pytest.mark.parametrize("by", ["username", "email"])
def test_sign_in_uses_indexes(big_tenant, by):
    person = a_big_user(big_tenant, status=UserStatus.FULL)
    identifier = getattr(person, by).upper()
    assert_indexed(plans_during(lambda: authenticate(username=identifier, password="wrong")))


def test_a_fresh_link_request_uses_indexes(big_tenant):
    person = a_big_user(big_tenant, status=UserStatus.INVITED)
    assert_indexed(plans_during(lambda: fresh_link_request(email=person.email.upper())))


def test_the_users_list_and_pending_invitations_use_indexes(big_tenant):
    assert_indexed(plans_during(lambda: list(selectors.user_list(tenant=big_tenant)[:11])))
    archived = selectors.user_list(tenant=big_tenant, archived=True)
    assert_indexed(plans_during(lambda: list(archived[:11])))
    assert_indexed(plans_during(lambda: list(pending_invitations(tenant=big_tenant)[:51])))


def test_a_deep_page_seeks_with_the_index_and_the_total_is_an_estimate(big_tenant):
    users = selectors.user_list(tenant=big_tenant)
    boundary = users[50_000]
    cursor = cursor_for(boundary, selectors.USER_LIST_ORDER)
    page = keyset_page(users, ordering=selectors.USER_LIST_ORDER, per_page=100, after=cursor)
    assert len(page.rows) == 100 and page.rows[0] == users[50_001]
    assert_indexed(
        plans_during(
            lambda: keyset_page(
                users, ordering=selectors.USER_LIST_ORDER, per_page=100, after=cursor
            )
        )
    )
    total = total_of(users)
    assert not total.exact and 40_000 < total.count < 80_000  # 60,000 really: 3 statuses of 5
    assert str(total).startswith("about ")


@pytest.mark.parametrize("sort", list(selectors.USER_LIST_SORTS))
def test_every_offered_sort_of_the_users_list_pages_by_an_index(big_tenant, sort):
    ordering = selectors.USER_LIST_SORTS[sort]
    users = selectors.user_list(tenant=big_tenant, sort=sort)
    cursor = cursor_for(users[20_000], ordering)
    assert_indexed(plans_during(lambda: list(users[:11])))
    assert_indexed(
        plans_during(lambda: keyset_page(users, ordering=ordering, per_page=100, after=cursor))
    )


def test_a_deep_pending_invitations_page_seeks_with_the_index(big_tenant):
    pending = pending_invitations(tenant=big_tenant)
    cursor = cursor_for(pending[10_000], PENDING_ORDER)
    assert_indexed(
        plans_during(
            lambda: keyset_page(pending, ordering=PENDING_ORDER, per_page=50, after=cursor)
        )
    )


@pytest.mark.parametrize("term", ["Group 4242", "Employer role 4242", "Position 4242"])
def test_searching_100_000_groups_roles_and_positions_uses_indexes(big_tenant, term):
    from employers import selectors as employer_selectors

    def search():
        employer_selectors.group_search(tenant=big_tenant, term="Group 4242")
        employer_selectors.role_picker(tenant=big_tenant, assigned_ids=[], term=term)
        employer_selectors.position_choices(tenant=big_tenant, term=term)
        list(employer_selectors.organisation_list(tenant=big_tenant, search="Employer 4242")[:26])

    with CaptureQueriesContext(connection) as captured:
        search()
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        for table in ("employergroup", "accounts_role", "position", "organisation"):
            assert (
                f"Seq Scan on {table}" not in plan and f"Seq Scan on employers_{table}" not in plan
            ), f"{query['sql']}\n{plan}"


def test_the_django_admin_user_search_and_change_page_use_indexes(big_tenant, client):
    from django.urls import reverse

    operator = User.objects.create_superuser(
        "operator", "operator@platform.example", "a long operator passphrase", tenant=big_tenant
    )
    client.force_login(operator)
    person = a_big_user(big_tenant, status=UserStatus.FULL)

    def search():
        response = client.get(reverse("admin:accounts_user_changelist"), {"q": "-person4242@"})
        assert response.status_code == 200

    def change_page():
        response = client.get(reverse("admin:accounts_user_change", args=[person.pk]))
        assert response.status_code == 200

    assert_indexed(plans_during(search))
    assert_indexed(plans_during(change_page))


# --- The Users list search: trigram indexes on UPPER(col), as icontains compiles ------------------


@pytest.mark.parametrize("term", ["-person4242@", "-person99999@", "-person5@company5."])
def test_a_selective_search_uses_the_trigram_indexes(big_tenant, term):
    plan = selectors.user_list(tenant=big_tenant, search=term)[:11].explain()
    assert "Seq Scan on accounts_user" not in plan, plan
    assert "_upper_trgm" in plan, plan


@pytest.mark.parametrize("term", ["siob", "example", "smi", "company17.example"])
def test_a_common_term_never_scans_the_table(big_tenant, term):
    """One user in eight matches: reading the newest-first index until a page is full wins."""
    plan = selectors.user_list(tenant=big_tenant, search=term)[:11].explain()
    assert "Seq Scan on accounts_user" not in plan, plan


def test_indexes_match_what_icontains_compiles_to(big_tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts_user' "
            "AND indexname LIKE '%%_upper_trgm' ORDER BY indexname"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert len(definitions) == 3
    for definition in definitions:
        assert "gin (upper(" in definition and "gin_trgm_ops" in definition


def test_search_finds_the_right_people_among_100_000(big_tenant):
    users = selectors.user_list(tenant=big_tenant, search="-person4242@", statuses=[])
    assert [user.email for user in users] == [f"t{big_tenant.pk}-person4242@company242.example"]
