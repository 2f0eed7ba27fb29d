"""employers' reads: group search, long dropdowns, an organisation's staff, the list."""

import pytest

from accounts.models import UserStatus, UserType
from employers import selectors
from employers.models import EmployerProfile
from tests.factories import (
    EmployerGroupFactory,
    OrganisationFactory,
    PositionFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_group_search_matches_every_word_of_the_path_and_says_when_more_exist():
    tenant = TenantFactory()
    north = EmployerGroupFactory(tenant=tenant, name="North")
    leeds = EmployerGroupFactory(tenant=tenant, name="Leeds Digital", parent=north)
    EmployerGroupFactory(tenant=tenant, name="Leeds Care", parent=north)
    EmployerGroupFactory(tenant=TenantFactory(), name="Leeds Digital")
    found, more = selectors.group_search(tenant=tenant, term="north digital")
    assert found == [leeds] and more is False
    found, more = selectors.group_search(tenant=tenant, term="leeds", limit=1)
    assert len(found) == 1 and more is True


def test_position_choices_keep_the_selected_one_even_beyond_the_page():
    tenant = TenantFactory()
    for n in range(5):
        PositionFactory(tenant=tenant, title=f"A position {n}")
    chosen = PositionFactory(tenant=tenant, title="Zookeeper")
    rows, more = selectors.position_choices(tenant=tenant, selected_id=chosen.pk, limit=3)
    assert rows[0] == chosen and len(rows) == 4 and more is True


def test_organisation_staff_are_its_active_employers_in_its_tenant():
    organisation = OrganisationFactory()
    tenant = organisation.tenant
    staff = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    cancelled = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, status=UserStatus.CANCELLED)
    archived = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, is_archived=True)
    learner = UserFactory(tenant=tenant, user_type=UserType.LEARNER)
    stranger = UserFactory(user_type=UserType.EMPLOYER)
    organisation.members.add(staff, cancelled, archived, learner, stranger)
    assert list(selectors.organisation_staff(organisation=organisation)) == [staff]


def test_organisation_list_searches_name_town_postcode_and_reference():
    tenant = TenantFactory()
    oak = OrganisationFactory(tenant=tenant, name="Oak Joinery", town="Leeds", postcode="LS1 4AP")
    OrganisationFactory(tenant=tenant, name="Birch Ltd", town="York")
    OrganisationFactory(tenant=TenantFactory(), name="Oak Joinery")
    for term in ("oak", "leeds", "ls1"):
        assert list(selectors.organisation_list(tenant=tenant, search=term)) == [oak]


def test_an_employers_position_comes_from_their_profile():
    employer = UserFactory(user_type=UserType.EMPLOYER)
    assert selectors.employer_position(user=employer) is None
    foreman = PositionFactory(tenant=employer.tenant, title="Site Foreman")
    EmployerProfile.objects.create(user=employer, position=foreman)
    assert selectors.employer_position(user=employer) == foreman
