"""On PostgreSQL the Users list search is served by trigram indexes, not a table scan."""

import pytest
from django.db import connection

from accounts import selectors
from tests.factories import TenantFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

FIRST_NAMES = ["Amelia", "Oliver", "Isla", "George", "Priya", "Mohammed", "Siobhan", "Tomasz"]
SURNAMES = ["Smith", "Jones", "Patel", "Nowak", "Okafor", "Campbell", "Hughes", "Murphy"]


def insert_users(tenant_id: int, count: int) -> None:
    """Set-based insert (seconds, not minutes) of realistic, varied users."""
    first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST_NAMES) + "]"
    last = "ARRAY[" + ",".join(f"'{n}'" for n in SURNAMES) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO accounts_user (
                tenant_id, user_type, status, is_archived, title, first_name, surname, email,
                username, mobile, gender, address_line_1, address_line_2, address_line_3, town,
                county, postcode, interface_classic, interface_console, is_active, is_staff,
                is_superuser, password, created_at, updated_at)
            SELECT %s,
                (ARRAY['learner','employer','referrer','administrator'])[1 + n %% 4],
                (ARRAY['prospect','invited','full','expired','cancelled'])[1 + n %% 5],
                false, 'Ms',
                ({first})[1 + n %% 8] || n::text,
                ({last})[1 + (n / 8) %% 8] || (n %% 997)::text,
                'person' || n || '@company' || (n %% 500) || '.example',
                NULL, '', '', '', '', '', '', '', '', true, false, true, false, false, '!',
                now() - (n || ' minutes')::interval, now()
            FROM generate_series(1, %s) AS n
            """,
            [tenant_id, count],
        )
        cursor.execute("ANALYZE accounts_user")


@pytest.fixture(scope="module")
def big_tenant(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        tenant = TenantFactory()
        insert_users(tenant.pk, 100_000)
        yield tenant
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_user WHERE tenant_id = %s", [tenant.pk])
        tenant.delete()


@pytest.mark.parametrize("term", ["person4242@", "person99999@", "person5@company5."])
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
    users = selectors.user_list(tenant=big_tenant, search="person4242@", statuses=[])
    assert [user.email for user in users] == ["person4242@company242.example"]
