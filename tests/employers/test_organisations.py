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


def test_a_new_organisation_goes_under_the_employers_root_or_the_group_chosen(client):
    from tests.factories import EmployerGroupFactory

    admin = AdministratorFactory(roles=[Permission.MANAGE_ORGANISATIONS])
    client.force_login(admin)
    root = EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    region = EmployerGroupFactory(tenant=admin.tenant, name="North West", parent=root)
    page = client.get(ADD).content.decode()
    assert "Employer group it belongs under" in page
    assert f'<option value="{root.pk}" selected>All employers</option>' in page

    client.post(ADD, {"name": "Default Placed Ltd"})
    assert Organisation.objects.get(name="Default Placed Ltd").group.parent == root
    client.post(ADD, {"name": "Chosen Placed Ltd", "parent_group": region.pk})
    assert Organisation.objects.get(name="Chosen Placed Ltd").group.parent == region

    employer_group = Organisation.objects.get(name="Chosen Placed Ltd").group
    for refused in (employer_group.pk, EmployerGroupFactory().pk):  # an employer's own; elsewhere
        response = client.post(ADD, {"name": "Nowhere Ltd", "parent_group": refused})
        assert response.status_code == 422
        assert "Choose the employer group this employer belongs under." in response.content.decode()
    assert not Organisation.objects.filter(name="Nowhere Ltd").exists()


def test_the_parent_group_combobox_offers_this_tenants_groups_but_no_employers_own(client):
    from tests.factories import EmployerGroupFactory, TenantFactory

    admin = AdministratorFactory(roles=[Permission.MANAGE_ORGANISATIONS])
    client.force_login(admin)
    root = EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    EmployerGroupFactory(tenant=admin.tenant, name="Harbour Region", parent=root)
    OrganisationFactory(tenant=admin.tenant, name="Harbour Cafe")
    EmployerGroupFactory(tenant=TenantFactory(), name="Harbour Elsewhere")
    response = client.get(reverse("employers:group_options"), {"q": "harbour"})
    assert [item["label"] for item in response.json()["results"]] == [
        "All employers › Harbour Region"
    ]
