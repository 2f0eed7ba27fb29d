"""On PostgreSQL the Users list search is served by trigram indexes, not a table scan."""

import pytest
from django.db import connection

from accounts import selectors

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


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
