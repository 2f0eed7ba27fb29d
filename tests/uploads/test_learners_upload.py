"""Upload users (learners): the Add Learner rules, one employer record a row."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import UserStatus, UserType
from learners.models import EmployerRecord, LearnerProfile
from tests.factories import EmployerGroupFactory, OrganisationFactory, UserFactory
from uploads.models import UploadStatus

from .test_employers_upload import upload

pytestmark = pytest.mark.django_db
HEADER = [
    "Title",
    "First name",
    "Surname",
    "Email",
    "Mobile number",
    "Date of birth",
    "National Insurance number",
    "Employer",
    "Manager",
    "Mentor",
    "Interfaces",
    "Main Aim Registration Number",
]


@pytest.fixture
def harbour(admin):
    organisation = OrganisationFactory(tenant=admin.tenant, name="Harbour Digital")
    manager = UserFactory(
        tenant=admin.tenant,
        user_type=UserType.EMPLOYER,
        status=UserStatus.FULL,
        email="maya@harbour.example",
    )
    organisation.members.add(manager)
    EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    return organisation, manager


def learners_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def learner(n: int, **overrides) -> list[str]:
    values = {
        "Title": "Miss",
        "First name": f"Lily{n}",
        "Surname": "Carter",
        "Email": f"lily{n}@learner.example",
        "Mobile number": "07400 555666",
        "Date of birth": "27/03/2007",
        "National Insurance number": "ab 12 34 56 c",
        "Employer": "Harbour Digital",
        "Manager": "MAYA@harbour.example",
        "Mentor": "",
        "Interfaces": "Classic",
        "Main Aim Registration Number": "ZPROG001",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def test_learners_are_created_with_their_profile_and_employer_record(
    client, admin, harbour, django_capture_on_commit_callbacks
):
    organisation, manager = harbour
    found, _ = upload(client, learners_csv([learner(1), learner(2, Employer="")]), kind="learners")
    assert found.status == UploadStatus.READY, found.problems or found.file_problem
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:confirm", args=[found.pk]))
    found.refresh_from_db()
    assert found.status == UploadStatus.IMPORTED and found.created == 2
    first = organisation.tenant.users.get(email="lily1@learner.example")
    assert first.user_type == UserType.LEARNER and first.status == UserStatus.INVITED
    profile = LearnerProfile.objects.get(user=first)
    assert str(profile.date_of_birth) == "2007-03-27"
    assert profile.national_insurance_number == "AB123456C"
    record = EmployerRecord.objects.get(learner=first)
    assert (record.organisation, record.manager, record.is_primary) == (organisation, manager, True)
    assert record.main_aim_reference == "ZPROG001"
    second = organisation.tenant.users.get(email="lily2@learner.example")
    assert not EmployerRecord.objects.filter(learner=second).exists()


def test_each_learner_problem_names_its_row_and_column(client, admin, harbour):
    rows = [
        learner(1, **{"Date of birth": "31/02/2007"}),
        learner(2, Employer="Nowhere Ltd"),
        learner(3, Manager="stranger@elsewhere.example"),
        learner(4, **{"National Insurance number": "XX"}),
        learner(5, Interfaces=""),
    ]
    found, _ = upload(client, learners_csv(rows), kind="learners")
    assert found.problems == [
        [2, "Date of birth", "Write the date of birth as day/month/year, like 27/03/2007."],
        [3, "Employer", "No employer called 'Nowhere Ltd' in this tenant."],
        [
            4,
            "Manager",
            "No employer user at Harbour Digital has the address 'stranger@elsewhere.example'.",
        ],
        [
            5,
            "National Insurance number",
            "Enter a National Insurance number in the correct format, like AB 12 34 56 C.",
        ],
        [6, "Employer", "Employer 1: Select at least one interface the employer can sign in to."],
    ]
    assert not LearnerProfile.objects.exists()


def test_the_learners_template_reads_back_as_a_valid_file(client, admin, harbour):
    content = client.get(reverse("uploads:template", args=["learners"])).content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows[1][rows[0].index("Manager")] = "maya@harbour.example"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    found, _ = upload(client, out.getvalue().encode(), kind="learners")
    assert found.status == UploadStatus.READY, found.problems


def test_an_employers_file_uploaded_as_learners_names_the_columns_it_does_not_know(
    client, admin, harbour
):
    from .test_employers_upload import HEADER as EMPLOYER_HEADER
    from .test_employers_upload import csv_bytes, row

    found, _ = upload(client, csv_bytes([row(1)], header=EMPLOYER_HEADER), kind="learners")
    assert "Unknown columns: 'Roles', 'Position'" in found.file_problem
