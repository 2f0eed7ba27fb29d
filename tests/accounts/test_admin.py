"""The Django admin stays usable for platform staff at a million users."""

import pytest
from django.urls import reverse

from accounts.models import RoleAudience, User
from tests.factories import RoleFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    operator = User.objects.create_superuser(
        "operator",
        "operator@platform.example",
        "a long operator passphrase",
        tenant=TenantFactory(),
    )
    client.force_login(operator)
    return client


def test_the_user_change_page_lists_no_roles_of_other_tenants(staff_client):
    person = UserFactory()
    mine = RoleFactory(tenant=person.tenant, name="Mine", audience=RoleAudience.EMPLOYER)
    person.roles.add(mine)
    for tenant in TenantFactory.create_batch(3):
        RoleFactory.create_batch(100, tenant=tenant)
    response = staff_client.get(reverse("admin:accounts_user_change", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in html  # the chosen role, through the autocomplete widget
    assert html.count("<option") < 60  # titles, types, statuses, genders: no roles or tenants


def test_the_admin_search_finds_names_emails_and_a_whole_username(staff_client):
    UserFactory(first_name="Grace", surname="Hopper", email="grace@navy.example", username="gh")
    UserFactory(first_name="Alan", surname="Turing", email="alan@bletchley.example")
    changelist = reverse("admin:accounts_user_changelist")
    for term in ("hopper", "navy.example", "GH"):
        response = staff_client.get(changelist, {"q": term})
        assert [u.username for u in response.context["cl"].result_list] == ["gh"], term


def test_the_role_autocomplete_answers_a_search(staff_client):
    RoleFactory(name="Quality Lead", audience=RoleAudience.EMPLOYER)
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "quality",
            "app_label": "accounts",
            "model_name": "user",
            "field_name": "roles",
        },
    )
    assert [item["text"] for item in response.json()["results"]] == ["Quality Lead"]
