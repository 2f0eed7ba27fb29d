"""The Users list's employer-group filter, which employers adds to the list accounts owns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserType
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
USERS = reverse("accounts:user_list")
OPTIONS = reverse("employers:group_filter_options")


@pytest.fixture
def tree():
    """All employers, Harbour Group below it, Harbour Cranes below that; and Inland."""
    tenant = TenantFactory()
    root = EmployerGroupFactory(tenant=tenant, name="All employers")
    harbour = EmployerGroupFactory(tenant=tenant, name="Harbour Group", parent=root)
    cranes = EmployerGroupFactory(tenant=tenant, name="Harbour Cranes", parent=harbour)
    # A sibling whose name starts the same is not below Harbour Group.
    lookalike = EmployerGroupFactory(tenant=tenant, name="Harbour Group Two", parent=root)
    inland = EmployerGroupFactory(tenant=tenant, name="Inland", parent=root)
    people = {}
    for name, group in (
        ("harbour", harbour),
        ("cranes", cranes),
        ("lookalike", lookalike),
        ("inland", inland),
    ):
        person = UserFactory(tenant=tenant, email=f"{name}@example.com")
        person.employer_groups.add(group)
        people[name] = person
    UserFactory(tenant=tenant, email="nogroup@example.com")
    return {
        "tenant": tenant,
        "root": root,
        "harbour": harbour,
        "cranes": cranes,
        "inland": inland,
        "people": people,
    }


def listed(response) -> set[str]:
    return {row.email for row in response.context["page"].rows}


@pytest.fixture
def viewer(client, tree):
    # Any administrator may filter the list, with or without Create Users.
    admin = AdministratorFactory(tenant=tree["tenant"], email="ada@provider.example")
    client.force_login(admin)
    return admin


def test_a_group_lists_its_people_and_the_people_of_the_groups_below_it(client, tree, viewer):
    response = client.get(USERS, {"group": tree["harbour"].pk})
    assert listed(response) == {"harbour@example.com", "cranes@example.com"}

    response = client.get(USERS, {"group": tree["cranes"].pk})
    assert listed(response) == {"cranes@example.com"}

    everyone_in_a_group = {f"{name}@example.com" for name in tree["people"]}
    assert listed(client.get(USERS, {"group": tree["root"].pk})) == everyone_in_a_group


def test_the_group_filter_works_with_the_search_the_other_filters_and_each_sort(
    client, tree, viewer
):
    for name, kind in (("harbour", UserType.EMPLOYER), ("cranes", UserType.LEARNER)):
        tree["people"][name].user_type = kind
        tree["people"][name].save()
    query = {"group": tree["harbour"].pk, "type": "learner"}
    assert listed(client.get(USERS, query)) == {"cranes@example.com"}
    assert listed(client.get(USERS, {**query, "q": "nobody-like-this"})) == set()
    for sort in ("name", "email", "status", "type", "created"):
        assert listed(client.get(USERS, {"group": tree["harbour"].pk, "sort": sort})) == {
            "harbour@example.com",
            "cranes@example.com",
        }


def test_the_chosen_group_is_shown_chosen_and_kept_in_the_page_links(client, tree, viewer):
    response = client.get(USERS, {"group": tree["cranes"].pk, "per_page": 10})
    page = response.content.decode()
    assert f'<option value="{tree["cranes"].pk}" selected>' in page
    assert f"group={tree['cranes'].pk}" in response.context["query"]


def test_another_tenants_group_or_a_stale_one_is_refused_at_the_field_and_nothing_else_breaks(
    client, tree, viewer
):
    stranger = EmployerGroupFactory(name="Someone else's")
    stranger_member = UserFactory(tenant=stranger.tenant, email="stranger@example.com")
    stranger_member.employer_groups.add(stranger)
    for value in (stranger.pk, 999999, "abc"):
        response = client.get(USERS, {"group": value, "q": "harbour"})
        assert response.status_code == 200
        assert "That employer group no longer exists" in response.content.decode()
        # The search still applies; the bad group does not empty (or widen) the list.
        assert listed(response) == {"harbour@example.com"}


def test_without_javascript_the_find_box_chooses_which_groups_the_select_offers(
    client, tree, viewer
):
    response = client.get(USERS, {"group_find": "cranes"})
    choices = dict(response.context["form"].fields["group"].choices)
    assert choices == {"": "Any employer group", str(tree["cranes"].pk): tree["cranes"].path}


def test_the_options_answer_any_administrator_with_this_tenants_groups_only(client, tree, viewer):
    EmployerGroupFactory(name="Harbour elsewhere")
    results = client.get(OPTIONS, {"q": "harbour"}).json()["results"]
    assert {row["label"] for row in results} == {
        "All employers › Harbour Group",
        "All employers › Harbour Group › Harbour Cranes",
        "All employers › Harbour Group Two",
    }


def test_the_options_are_for_administrators(client, tree):
    assert client.get(OPTIONS).status_code == 302
    client.force_login(UserFactory(tenant=tree["tenant"], user_type=UserType.EMPLOYER))
    assert client.get(OPTIONS).status_code == 403


def test_filtering_by_a_group_adds_a_condition_not_a_query_a_row(client, tree, viewer):
    for person in UserFactory.create_batch(30, tenant=tree["tenant"]):
        person.employer_groups.add(tree["cranes"])

    def queries(query) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(USERS, {**query, "per_page": 25})
        return len(captured)

    plain = queries({})
    assert queries({"group": tree["harbour"].pk}) == plain
    assert queries({"group": tree["cranes"].pk, "per_page": 100}) == plain
