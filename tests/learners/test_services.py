import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import UserStatus, UserType
from learners import services
from learners.models import EmployerRecord
from tests.factories import (
    AdministratorFactory,
    OrganisationFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def workplace(admin):
    organisation = OrganisationFactory(tenant=admin.tenant, name="Acme Ltd")
    manager = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Mo")
    mentor = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, first_name="Meg")
    organisation.members.add(manager, mentor)
    return organisation, manager, mentor


def learner_data(**overrides):
    data = {
        "title": "Mr",
        "first_name": "Leo",
        "surname": "Park",
        "email": "leo@park.example",
        "mobile": "07400 222333",
        "invite": False,
        "employer_records": [],
    }
    data.update(overrides)
    return data


def record(organisation, manager=None, mentor=None, **extra):
    return {
        "organisation": organisation.pk,
        "manager": manager and manager.pk,
        "mentor": mentor and mentor.pk,
        "interfaces": ["classic"],
        **extra,
    }


def messages_of(caught) -> dict[str, list[str]]:
    return {
        field: ValidationError(errors).messages for field, errors in caught.value.error_dict.items()
    }


def test_learner_and_records_are_created_together(
    admin, workplace, django_capture_on_commit_callbacks
):
    organisation, manager, mentor = workplace
    second = OrganisationFactory(tenant=admin.tenant, name="Second Ltd")
    data = learner_data(
        invite=True,
        national_insurance_number="ab 12 34 56 c",
        employer_records=[
            record(organisation, manager, mentor, key="a", main_aim_reference="Z1"),
            record(second, key="b"),
        ],
        primary_record="b",
    )
    with django_capture_on_commit_callbacks(execute=True):
        learner, _ = services.learner_create(tenant=admin.tenant, created_by=admin, data=data)
    records = list(EmployerRecord.objects.filter(learner=learner).order_by("organisation__name"))
    assert [(r.organisation.name, r.is_primary) for r in records] == [
        ("Acme Ltd", False),
        ("Second Ltd", True),
    ]
    assert records[0].manager == manager and records[0].mentor == mentor
    assert records[0].main_aim_reference == "Z1"
    assert learner.status == UserStatus.INVITED
    assert learner.learner_profile.national_insurance_number == "AB123456C"
    assert "your apprenticeship" in mail.outbox[0].body


def test_the_first_record_is_primary_when_none_is_chosen(admin, workplace):
    organisation, *_ = workplace
    learner, _ = services.learner_create(
        tenant=admin.tenant,
        created_by=admin,
        data=learner_data(employer_records=[record(organisation, key="x")]),
    )
    assert learner.employer_records.get().is_primary


def test_a_manager_from_another_organisation_is_refused(admin, workplace):
    organisation, *_ = workplace
    elsewhere = OrganisationFactory(tenant=admin.tenant)
    outsider = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER)
    elsewhere.members.add(outsider)
    with pytest.raises(ValidationError) as caught:
        services.employer_record_clean(
            tenant=admin.tenant, data=record(organisation, manager=outsider)
        )
    assert messages_of(caught)["manager"] == [services.MANAGER_NOT_AT_EMPLOYER]


def test_a_mentor_from_another_tenant_is_refused(admin, workplace):
    organisation, *_ = workplace
    other_tenant = TenantFactory()
    stranger = UserFactory(tenant=other_tenant, user_type=UserType.EMPLOYER)
    OrganisationFactory(tenant=other_tenant).members.add(stranger)
    organisation.members.add(stranger)  # even if wrongly linked, the tenant check holds
    with pytest.raises(ValidationError) as caught:
        services.employer_record_clean(
            tenant=admin.tenant, data=record(organisation, mentor=stranger)
        )
    assert "mentor" in messages_of(caught)


def test_a_learner_cannot_be_a_manager(admin, workplace):
    organisation, *_ = workplace
    learner = UserFactory(tenant=admin.tenant, user_type=UserType.LEARNER)
    organisation.members.add(learner)
    with pytest.raises(ValidationError):
        services.employer_record_clean(
            tenant=admin.tenant, data=record(organisation, manager=learner)
        )


def test_another_tenants_organisation_is_refused(admin):
    foreign = OrganisationFactory(tenant=TenantFactory())
    with pytest.raises(ValidationError) as caught:
        services.employer_record_clean(tenant=admin.tenant, data=record(foreign))
    assert messages_of(caught)["organisation"] == [services.EMPLOYER_UNKNOWN]


def test_missing_employer_interface_and_bad_main_aim_are_explained(admin):
    with pytest.raises(ValidationError) as caught:
        services.employer_record_clean(
            tenant=admin.tenant,
            data={"interfaces": [], "main_aim_reference": "not valid!"},
        )
    errors = messages_of(caught)
    assert errors["organisation"] == ["Select an employer."]
    assert errors["interfaces"] == ["Select at least one interface the employer can sign in to."]
    assert errors["main_aim_reference"] == [services.MAIN_AIM_INVALID]


def test_a_bad_record_fails_the_whole_learner_and_nothing_is_saved(admin, workplace):
    organisation, *_ = workplace
    with pytest.raises(ValidationError) as caught:
        services.learner_create(
            tenant=admin.tenant,
            created_by=admin,
            data=learner_data(
                employer_records=[
                    record(organisation, key="1"),
                    {"organisation": None, "interfaces": []},
                ]
            ),
        )
    assert messages_of(caught)["employer_records"][0].startswith("Employer 2: ")
    assert not EmployerRecord.objects.exists()
    assert not admin.tenant.users.filter(email="leo@park.example").exists()


def test_the_same_employer_twice_is_refused(admin, workplace):
    organisation, *_ = workplace
    with pytest.raises(ValidationError) as caught:
        services.learner_create(
            tenant=admin.tenant,
            created_by=admin,
            data=learner_data(
                employer_records=[record(organisation, key="1"), record(organisation, key="2")]
            ),
        )
    assert "already one of this learner's employers" in messages_of(caught)["employer_records"][0]


@pytest.mark.parametrize(
    ("typed", "stored"), [("AB123456C", "AB123456C"), ("ab 12 34 56 d", "AB123456D")]
)
def test_ni_numbers_are_normalised(typed, stored):
    assert services.normalise_ni_number(typed) == stored


@pytest.mark.parametrize("typed", ["QQ123456C", "AB123456E", "BG123456A", "12345678A"])
def test_impossible_ni_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        services.normalise_ni_number(typed)


def test_future_date_of_birth_is_refused(admin):
    from datetime import date, timedelta

    with pytest.raises(ValidationError) as caught:
        services.learner_clean(
            tenant=admin.tenant, data=learner_data(date_of_birth=date.today() + timedelta(days=1))
        )
    assert messages_of(caught)["date_of_birth"] == [services.DOB_FUTURE]


def test_a_past_date_of_birth_is_kept(admin):
    """The twin of the refusal above: yesterday is a date of birth."""
    from datetime import date, timedelta

    born = date.today() - timedelta(days=1)
    clean = services.learner_clean(tenant=admin.tenant, data=learner_data(date_of_birth=born))
    assert clean["date_of_birth"] == born


def test_the_organisations_own_employers_are_accepted_as_manager_and_mentor(admin, workplace):
    """The twin of the manager, mentor, learner and tenant refusals above."""
    organisation, manager, mentor = workplace
    clean = services.employer_record_clean(
        tenant=admin.tenant, data=record(organisation, manager=manager, mentor=mentor)
    )
    assert (clean["organisation"], clean["manager"], clean["mentor"]) == (
        organisation,
        manager,
        mentor,
    )


def test_two_different_employers_are_both_kept(admin, workplace):
    """The twin of the same-employer-twice refusal."""
    organisation, *_ = workplace
    other = OrganisationFactory(tenant=admin.tenant)
    learner, _ = services.learner_create(
        tenant=admin.tenant,
        created_by=admin,
        data=learner_data(employer_records=[record(organisation, key="1"), record(other, key="2")]),
    )
    assert set(learner.employer_records.values_list("organisation", flat=True)) == {
        organisation.pk,
        other.pk,
    }
