"""Upload users (employer organisations): each with its own group, under a chosen group."""

import csv
import io

import pytest
from django.urls import reverse

from employers.models import EmployerGroup, GroupKind, Organisation
from tests.factories import EmployerGroupFactory, OrganisationFactory
from uploads.models import UploadStatus

from .test_employers_upload import upload

pytestmark = pytest.mark.django_db
HEADER = ["Employer name", "Town or city", "Postcode", "Employer group"]


def organisations_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def regions(admin):
    root = EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    west = EmployerGroupFactory(tenant=admin.tenant, name="South West", parent=root)
    return root, west


def test_organisations_are_created_with_their_own_groups_where_the_file_says(
    client, admin, regions, django_capture_on_commit_callbacks
):
    root, west = regions
    OrganisationFactory(tenant=admin.tenant, name="Old Firm Ltd")
    rows = [
        ["Harbour Digital", "Bristol", "bs15tr", "All employers › South West"],
        ["Inland Ltd", "Swindon", "", ""],
        ["old firm ltd", "", "", ""],  # exists already: skipped
    ]
    found, page = upload(client, organisations_csv(rows), kind="organisations")
    assert (found.status, found.to_create, found.to_skip) == (UploadStatus.READY, 2, 1)
    assert "New employers" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:confirm", args=[found.pk]))
    harbour = Organisation.objects.get(name="Harbour Digital")
    assert harbour.postcode == "BS1 5TR"
    assert harbour.group.kind == GroupKind.EMPLOYER and harbour.group.parent == west
    assert harbour.group.path == "All employers › South West › Harbour Digital"
    assert Organisation.objects.get(name="Inland Ltd").group.parent == root  # the top, by default


def test_organisation_problems_name_their_row_and_column(client, admin, regions):
    OrganisationFactory(tenant=admin.tenant, name="Acme Ltd")
    rows = [
        ["", "Bristol", "", ""],
        ["Twice Ltd", "", "", ""],
        ["Twice Ltd", "", "", ""],
        ["Lost Ltd", "", "", "Atlantis"],
        ["Badpost Ltd", "", "NOT A CODE", ""],
        ["Under Acme", "", "", "Acme Ltd"],
    ]
    found, _ = upload(client, organisations_csv(rows), kind="organisations")
    assert found.problems == [
        [2, "Employer name", "Enter the employer's name."],
        [4, "Employer name", "This employer is also in row 3 of the file."],
        [5, "Employer group", "No employer group called 'Atlantis' in this tenant."],
        [6, "Postcode", "Enter a real UK postcode, like SW1A 1AA."],
        [7, "Employer group", "'Acme Ltd' is an employer's own group; choose an employer group."],
    ]
    assert not EmployerGroup.objects.filter(name="Twice Ltd").exists()
