import pytest
from django.urls import reverse

from accounts.models import Permission
from employers.models import GroupKind, Organisation
from tests.factories import AdministratorFactory, OrganisationFactory, TenantFactory

pytestmark = pytest.mark.django_db
LIST = reverse("employers:organisation_list")
ADD = reverse("employers:organisation_add")


def test_list_is_searchable_and_scoped_to_the_tenant(client, django_assert_max_num_queries):
    admin = AdministratorFactory(roles=[])
    client.force_login(admin)
    OrganisationFactory(tenant=admin.tenant, name="Harbour Digital", town="Bristol")
    OrganisationFactory(tenant=admin.tenant, name="Kestrel Logistics", town="Newcastle")
    OrganisationFactory(tenant=TenantFactory(), name="Harbour Elsewhere")
    for n in range(30):
        OrganisationFactory(tenant=admin.tenant, name=f"Filler {n:02d}")
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"q": "harbour"})
    assert [o.name for o in response.context["page"].rows] == ["Harbour Digital"]
    assert [o.name for o in client.get(LIST, {"q": "newcastle"}).context["page"].rows] == [
        "Kestrel Logistics"
    ]
    with django_assert_max_num_queries(6):
        first = client.get(LIST)
    assert len(first.context["page"].rows) == 25
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"].rows) == 7
    assert b"Add organisation" not in client.get(LIST).content


def test_adding_an_organisation_creates_its_employer_group(client):
    admin = AdministratorFactory(roles=[Permission.MANAGE_ORGANISATIONS])
    client.force_login(admin)
    response = client.post(ADD, {"name": "Oak Joinery", "postcode": "b11aa"}, follow=True)
    assert "Employer &#x27;Oak Joinery&#x27; added" in response.content.decode()
    organisation = Organisation.objects.get(name="Oak Joinery")
    assert organisation.postcode == "B1 1AA"
    assert (
        organisation.group.kind == GroupKind.EMPLOYER and organisation.group.name == "Oak Joinery"
    )
    again = client.post(ADD, {"name": "oak joinery"})
    assert again.status_code == 422 and "already exists" in again.content.decode()


def test_adding_needs_manage_organisations(client):
    client.force_login(AdministratorFactory(roles=[Permission.CREATE_USERS]))
    assert client.get(ADD).status_code == 403


def test_manage_organisations_opens_the_add_page(client):
    """The twin of the refusal above."""
    client.force_login(AdministratorFactory(roles=[Permission.MANAGE_ORGANISATIONS]))
    assert client.get(ADD).status_code == 200


def test_staff_counts_are_right_and_cost_one_query_for_the_page(client):
    from accounts.models import UserType
    from tests.factories import UserFactory

    admin = AdministratorFactory(roles=[])
    client.force_login(admin)
    busy = OrganisationFactory(tenant=admin.tenant, name="Busy Ltd")
    OrganisationFactory(tenant=admin.tenant, name="Quiet Ltd")
    busy.members.add(*UserFactory.create_batch(3, tenant=admin.tenant, user_type=UserType.EMPLOYER))
    rows = client.get(LIST).context["page"].rows
    assert [(o.name, o.staff_count) for o in rows] == [("Busy Ltd", 3), ("Quiet Ltd", 0)]


def test_the_list_costs_the_same_queries_for_10_organisations_as_for_100(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import UserType
    from tests.factories import UserFactory

    admin = AdministratorFactory(roles=[])
    client.force_login(admin)

    def queries_with(count: int) -> int:
        while Organisation.objects.filter(tenant=admin.tenant).count() < count:
            organisation = OrganisationFactory(tenant=admin.tenant)
            organisation.members.add(UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER))
        with CaptureQueriesContext(connection) as captured:
            client.get(LIST)
        return len(captured)

    assert queries_with(10) == queries_with(100)
