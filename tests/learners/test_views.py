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
    # Not an empty page: what it will hold, and who to ask.
    assert "No learners are linked to you yet" in html and "contact the training team" in html

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


def test_an_employer_of_10_000_staff_keeps_the_dialog_small_and_findable(
    client, admin, django_assert_max_num_queries
):
    from accounts.models import User

    organisation = OrganisationFactory(tenant=admin.tenant)
    User.objects.bulk_create(
        User(
            tenant=admin.tenant,
            user_type=UserType.EMPLOYER,
            status="full",
            title="Ms",
            first_name=f"Staff{n:05d}",
            surname="Member",
            email=f"staff{n:05d}@big.example",
            password="!",
        )
        for n in range(10_000)
    )
    staff = User.objects.filter(email__endswith="@big.example")
    organisation.members.through.objects.bulk_create(
        organisation.members.through(organisation_id=organisation.pk, user_id=pk)
        for pk in staff.values_list("pk", flat=True)
    )
    wanted = staff.get(email="staff09876@big.example")
    with django_assert_max_num_queries(10):
        response = client.post(
            RECORD,
            {"organisation": organisation.pk, "action": "choose_employer"},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert len(html) < 60_000 and html.count("<option") < 2 * 51 + 60
    assert "The lists show the first 50 people" in html
    assert "Staff09876" not in html
    response = client.post(
        RECORD,
        {"organisation": organisation.pk, "staff_search": "09876", "action": "choose_employer"},
        HTTP_HX_REQUEST="true",
    )
    assert "Staff09876 Member (staff09876@big.example)" in response.content.decode()
    # A chosen manager stays in the list whatever the search.
    response = client.post(
        RECORD,
        {
            "organisation": organisation.pk,
            "manager": wanted.pk,
            "staff_search": "00001",
            "action": "choose_employer",
        },
        HTTP_HX_REQUEST="true",
    )
    assert f'<option value="{wanted.pk}" selected>' in response.content.decode()


def test_a_managers_learners_come_a_page_at_a_time_in_the_same_queries(client, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organisation = OrganisationFactory(tenant=admin.tenant)
    manager = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, password=PASSWORD)
    organisation.members.add(manager)

    def give_learners(count):
        for learner in UserFactory.create_batch(count, tenant=admin.tenant):
            EmployerRecord.objects.create(
                tenant=admin.tenant,
                learner=learner,
                organisation=organisation,
                manager=manager,
                is_primary=True,
            )

    def home_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        return response, len(captured)

    client.force_login(manager)
    give_learners(10)
    _, with_10 = home_queries()
    give_learners(20)
    response, with_30 = home_queries()
    assert with_10 == with_30
    html = response.content.decode()
    assert html.count("<tr>") == 1 + 25  # the header row and one page
    assert 'href="?learners_page=2#my-learners-heading" rel="next"' in html
    second = client.get(reverse("home"), {"learners_page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 5
    client.force_login(admin)
    profile = client.get(reverse("accounts:user_detail", args=[manager.pk])).content.decode()
    assert 'href="?learners_page=2#supported-heading" rel="next"' in profile


def test_the_employer_combobox_offers_this_tenants_organisations_only(client, admin):
    OrganisationFactory(tenant=admin.tenant, name="Kestrel Logistics")
    OrganisationFactory(tenant=admin.tenant, name="Brightside Care")
    OrganisationFactory(name="Kestrel Elsewhere")  # another tenant's
    url = reverse("employers:organisation_options")
    response = client.get(url, {"q": "kestrel"})
    assert [item["label"] for item in response.json()["results"]] == ["Kestrel Logistics"]
    assert client.get(url, {"q": "\x00"}).status_code == 200


def test_manager_and_mentor_options_are_the_organisations_staff_with_their_emails(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant)
    for email in ("sam.one@example.com", "sam.two@example.com"):
        person = UserFactory(
            tenant=admin.tenant,
            user_type=UserType.EMPLOYER,
            first_name="Sam",
            surname="Lee",
            email=email,
        )
        organisation.members.add(person)
    organisation.members.add(
        UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Ola")
    )
    outsider = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Sam")
    OrganisationFactory(tenant=admin.tenant).members.add(outsider)
    url = reverse("employers:staff_options", args=[organisation.pk])
    labels = [item["label"] for item in client.get(url, {"q": "sam"}).json()["results"]]
    # Two people of one name are told apart by their email; nobody from elsewhere is offered.
    assert labels == ["Sam Lee (sam.one@example.com)", "Sam Lee (sam.two@example.com)"]
    other_tenants = reverse("employers:staff_options", args=[OrganisationFactory().pk])
    assert client.get(other_tenants).status_code == 404


def test_the_dialog_marks_its_pickers_for_the_combobox_once_an_employer_is_chosen(client, admin):
    organisation = OrganisationFactory(tenant=admin.tenant)
    html = client.get(RECORD, HTTP_HX_REQUEST="true").content.decode()
    organisation_options = reverse("employers:organisation_options")
    assert f'data-combobox="{organisation_options}"' in html
    assert html.count("data-combobox=") == 1  # no people to pick before an employer is chosen
    response = client.post(
        RECORD,
        {"organisation": organisation.pk, "action": "choose_employer"},
        HTTP_HX_REQUEST="true",
    )
    staff_options = reverse("employers:staff_options", args=[organisation.pk])
    assert response.content.decode().count(f'data-combobox="{staff_options}"') == 2


def test_edit_learner_uses_the_add_learner_rules_and_keeps_the_records(client, admin):
    from datetime import date

    from learners.models import LearnerProfile
    from tests.factories import EmployerGroupFactory

    organisation = OrganisationFactory(tenant=admin.tenant)
    learner = UserFactory(
        tenant=admin.tenant, first_name="Lea", surname="Old", email="lea@x.example"
    )
    LearnerProfile.objects.create(user=learner, national_insurance_number="AB123456C")
    EmployerRecord.objects.create(
        tenant=admin.tenant, learner=learner, organisation=organisation, is_primary=True
    )
    UserFactory(tenant=admin.tenant, email="taken@x.example")
    group = EmployerGroupFactory(tenant=admin.tenant)
    edit = reverse("learners:edit", args=[learner.pk])
    page = client.get(edit).content.decode()
    assert ('value="Lea"' in page and "AB 12 34 56 C" in page) or "AB123456C" in page
    assert "Would you like to invite" not in page and "Add employer" not in page

    data = {
        "title": "Ms",
        "first_name": "Lea",
        "surname": "New",
        "email": "taken@x.example",
        "mobile": "07400 123456",
        "date_of_birth": "2006-05-04",
        "national_insurance_number": "jk 65 43 21 a",
        "employer_groups": [group.pk],
    }
    refused = client.post(edit, data)
    assert refused.status_code == 422
    assert "already registered to another account" in refused.content.decode()
    saved = client.post(edit, {**data, "email": "lea.new@x.example"}, follow=True)
    assert "Details of Lea New saved." in saved.content.decode()
    learner.refresh_from_db()
    assert (learner.surname, learner.email) == ("New", "lea.new@x.example")
    assert learner.learner_profile.date_of_birth == date(2006, 5, 4)
    assert learner.learner_profile.national_insurance_number == "JK654321A"
    assert list(learner.employer_groups.all()) == [group]
    assert learner.employer_records.count() == 1  # records have their own actions
    assert client.get(reverse("learners:edit", args=[admin.pk])).status_code == 404  # not a learner


def test_the_learner_profile_offers_edit(client, admin):
    learner = UserFactory(tenant=admin.tenant)
    html = client.get(reverse("accounts:user_detail", args=[learner.pk])).content.decode()
    assert reverse("learners:edit", args=[learner.pk]) in html
