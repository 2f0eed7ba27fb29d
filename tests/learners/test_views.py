import json

import pytest
from django.urls import reverse

from accounts.models import UserType
from learners.models import EmployerRecord
from tests.factories import PASSWORD, AdministratorFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
RECORD = reverse("learners:employer_record")


@pytest.fixture
def admin(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    return admin


def test_the_dialog_refuses_a_manager_from_another_organisation_posted_directly(client, admin):
    mine = OrganisationFactory(tenant=admin.tenant)
    theirs = OrganisationFactory(tenant=admin.tenant)
    outsider = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER)
    theirs.members.add(outsider)
    response = client.post(
        RECORD,
        {
            "organisation": mine.pk,
            "manager": outsider.pk,
            "interfaces": ["classic"],
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Choose a manager who works for the selected employer." in html
    assert "HX-Trigger-After-Settle" not in response


def test_saving_in_the_dialog_returns_the_record_for_the_learner_form(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant, name="Acme Ltd")
    response = client.post(
        RECORD,
        {"organisation": organisation.pk, "interfaces": ["console"], "action": "save"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Trigger-After-Settle"] == "employerRecordSaved"
    assert response["HX-Retarget"] == "#employer-records"
    html = response.content.decode()
    assert "Acme Ltd" in html and 'name="employer_records"' in html


def test_dialog_lists_only_the_chosen_employers_people(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant)
    staff = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Inside")
    organisation.members.add(staff)
    UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Outside")
    response = client.post(
        RECORD,
        {"organisation": organisation.pk, "action": "choose_employer"},
        HTTP_HX_REQUEST="true",
    )
    assert [p.first_name for p in response.context["staff"]] == ["Inside"]


def test_without_javascript_the_record_page_returns_to_the_learner_draft(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant, name="Draft Co")
    add = reverse("learners:add")
    response = client.post(reverse("learners:employer_draft"), {"first_name": "Kept"})
    assert response.url == RECORD
    response = client.post(
        RECORD, {"organisation": organisation.pk, "interfaces": ["classic"], "action": "save"}
    )
    assert response.url.startswith(f"{add}?draft=1")
    html = client.get(f"{add}?draft=1").content.decode()
    assert 'value="Kept"' in html and "Draft Co" in html


def test_managers_home_lists_their_learners_and_others_see_none(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant)
    manager = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, password=PASSWORD)
    unrelated = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, password=PASSWORD)
    organisation.members.add(manager, unrelated)
    learner = UserFactory(tenant=admin.tenant, first_name="Tia", surname="Learner")
    EmployerRecord.objects.create(
        tenant=admin.tenant,
        learner=learner,
        organisation=organisation,
        manager=manager,
        interface_classic=True,
        is_primary=True,
    )

    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert "Your learners" in html and "Tia Learner" in html and "Manager" in html

    client.force_login(unrelated)
    html = client.get(reverse("home")).content.decode()
    assert "Tia Learner" not in html

    client.force_login(admin)
    profile = client.get(reverse("accounts:user_detail", args=[manager.pk])).content.decode()
    assert "Learners they manage or mentor" in profile and "Tia Learner" in profile


def test_the_learner_form_keeps_records_when_one_is_removed_without_javascript(client, admin):
    one = OrganisationFactory(tenant=admin.tenant, name="One Ltd")
    two = OrganisationFactory(tenant=admin.tenant, name="Two Ltd")
    records = [
        json.dumps({"key": "k1", "organisation": one.pk, "interfaces": ["classic"]}),
        json.dumps({"key": "k2", "organisation": two.pk, "interfaces": ["classic"]}),
    ]
    response = client.post(
        reverse("learners:add_record_remove"),
        {"employer_records": records, "first_name": "Kept", "remove": "k1"},
    )
    shown = [record["organisation"].name for record in response.context["records"]]
    assert shown == ["Two Ltd"]
    assert 'value="Kept"' in response.content.decode()


def test_add_learner_needs_create_users(client):
    client.force_login(AdministratorFactory(roles=[]))
    assert client.get(reverse("learners:add")).status_code == 403
    assert client.get(RECORD).status_code == 403


def test_create_users_opens_add_learner_and_the_dialog(client):
    """The twin of the refusal above."""
    client.force_login(AdministratorFactory(roles=["create_users"]))
    assert client.get(reverse("learners:add")).status_code == 200
    assert client.get(RECORD).status_code == 200
