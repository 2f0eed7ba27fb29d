"""Upload users (employers): checked before anything is written, then all rows or none."""

import csv
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, Permission, RoleAudience, User, UserStatus, UserType
from employers.models import EmployerProfile
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    OrganisationFactory,
    PositionFactory,
    RoleFactory,
    UserFactory,
)
from uploads import employers
from uploads.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db
UPLOAD = reverse("uploads:upload")
HEADER = [
    "Title",
    "First name",
    "Surname",
    "Email",
    "Mobile number",
    "Gender",
    "Employer groups",
    "Roles",
    "Position",
    "Interfaces",
    "Invite",
]


@pytest.fixture
def admin(client):
    admin = AdministratorFactory(roles=[Permission.BULK_UPLOAD, Permission.CREATE_USERS])
    client.force_login(admin)
    return admin


@pytest.fixture
def world(admin):
    tenant = admin.tenant
    root = EmployerGroupFactory(tenant=tenant, name="All employers")
    north = EmployerGroupFactory(tenant=tenant, name="North West", parent=root)
    acme = OrganisationFactory(tenant=tenant, name="Acme Ltd")
    acme.group.parent = north
    acme.group.save()
    return {
        "root": root,
        "north": north,
        "acme": acme,
        "role": RoleFactory(tenant=tenant, name="Site lead", audience=RoleAudience.EMPLOYER),
        "position": PositionFactory(tenant=tenant, title="Site Foreman"),
    }


def row(number: int, **overrides) -> list[str]:
    values = {
        "Title": "Mr",
        "First name": f"Sam{number}",
        "Surname": "Khan",
        "Email": f"sam{number}@khan.example",
        "Mobile number": "07400 123456",
        "Gender": "Male",
        "Employer groups": "All employers › North West",
        "Roles": "",
        "Position": "",
        "Interfaces": "Classic",
        "Invite": "",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, content: bytes, **options):
    data = {
        "kind": options.pop("kind", "employers"),
        "file": SimpleUploadedFile("people.csv", content, content_type="text/csv"),
        "existing": "skip",
        **options,
    }
    if options.get("send_invitations", True):
        data["send_invitations"] = "on"
    else:
        data.pop("send_invitations")
    response = posted(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Upload.objects.latest("id"), client.get(response.url)


def posted(client, data, *, follow: bool = False):
    """The upload form posted, and its check run as the queue runs it once the upload is
    saved (the suite's wrapping transaction never commits by itself); with ``follow``, the
    page the administrator is sent to, opened once the check has run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(UPLOAD, data)
    if follow and response.status_code == 302:
        return client.get(response["Location"])
    return response


def test_only_roles_granting_bulk_upload_reach_the_page(client):
    client.force_login(AdministratorFactory(roles=[Permission.CREATE_USERS]))
    assert client.get(UPLOAD).status_code == 403
    client.force_login(AdministratorFactory(roles=[Permission.BULK_UPLOAD]))
    assert client.get(UPLOAD).status_code == 200
    assert b"Bulk upload" in client.get("/").content


def test_the_template_has_every_column_and_an_example(client, admin):
    response = client.get(reverse("uploads:template", args=["employers"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER and len(rows) == 2


def test_a_clean_file_previews_then_imports_every_row_with_its_links_and_invitations(
    client, admin, world, django_capture_on_commit_callbacks
):
    rows = [
        row(1, Roles="Site lead", Position="site foreman", Invite="Yes"),
        row(2, **{"Employer groups": "Acme Ltd", "Interfaces": "Classic|Console"}),
        row(3, Invite="no"),
    ]
    found, preview = upload(client, csv_bytes(rows))
    page = preview.content.decode()
    assert found.status == UploadStatus.READY and found.to_create == 3
    assert "Import 3 rows" in page and not User.objects.filter(email__endswith="khan.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:confirm", args=[found.pk]))
    page = client.get(reverse("uploads:detail", args=[found.pk])).content.decode()
    assert "3 created, 0 updated, 0 skipped" in page
    assert "Invitation emails: 2 in all; 2 sent, 0 waiting to be sent, 0 failed." in page
    people = {user.email: user for user in User.objects.filter(email__endswith="khan.example")}
    assert len(people) == 3
    first, second, third = (people[f"sam{n}@khan.example"] for n in (1, 2, 3))
    assert first.status == UserStatus.INVITED and second.status == UserStatus.INVITED
    assert third.status == UserStatus.PROSPECT  # its Invite column said no
    assert list(first.roles.all()) == [world["role"]]
    assert EmployerProfile.objects.get(user=first).position == world["position"]
    assert list(second.organisations.all()) == [world["acme"]]
    assert second.interface_console and first.mobile == "+447400123456"
    assert not first.has_usable_password()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "sam1@khan.example",
        "sam2@khan.example",
    ]
    assert AuditEvent.objects.filter(subject=first, action="user.created").exists()
    # Importing twice does nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:confirm", args=[found.pk]))
    assert User.objects.filter(email__endswith="khan.example").count() == 3


def test_one_bad_row_in_a_thousand_writes_nothing_and_names_its_row_column_and_message(
    client, admin, world, confirm
):
    rows = [row(n) for n in range(1, 1001)]
    rows[499] = row(500, Email="not-an-email")
    found, preview = upload(client, csv_bytes(rows), send_invitations=False)
    assert found.status == UploadStatus.INVALID
    assert found.problems == [
        [501, "Email", "Enter an email address in the correct format, like name@example.com."]
    ]
    assert (
        "Import"
        not in preview.content.decode().split("Upload a corrected file")[0].split("Problems")[0]
        or found.error_count == 1
    )
    assert confirm(found).status_code == 302
    assert not User.objects.filter(email__endswith="khan.example").exists()

    rows[499] = row(500)
    found, _ = upload(client, csv_bytes(rows), send_invitations=False)
    confirm(found)
    assert User.objects.filter(email__endswith="khan.example").count() == 1000


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    """Import, as the worker does it once the page's transaction commits."""

    def run(upload):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("uploads:confirm", args=[upload.pk]))
        upload.refresh_from_db()
        return response

    return run


def problems_of(client, content: bytes, **options):
    found, page = upload(client, content, **options)
    return found, page.content.decode()


def test_header_problems_name_the_column(client, admin, world):
    header = [name for name in HEADER if name != "Email"] + ["Shoe size"]
    found, page = problems_of(client, csv_bytes([], header=header))
    assert "Missing required column: 'Email'." in found.file_problem
    assert "Unknown column: 'Shoe size'." in found.file_problem
    assert found.status == UploadStatus.INVALID and "cannot be imported" in page


def test_headers_match_whatever_their_case_spacing_or_order(client, admin, world):
    header = [name.upper().replace(" ", "_") for name in reversed(HEADER)]
    found, _ = problems_of(client, csv_bytes([list(reversed(row(1)))], header=header))
    assert found.status == UploadStatus.READY and found.to_create == 1


@pytest.mark.parametrize(
    ("delimiter", "encoding", "prefix"),
    [(",", "utf-8", b"\xef\xbb\xbf"), (";", "utf-8", b""), (",", "cp1252", b"")],
)
def test_comma_or_semicolon_utf8_with_a_bom_or_windows_1252(
    client, admin, world, confirm, delimiter, encoding, prefix
):
    content = prefix + csv_bytes([row(1, Surname="Dupré")], delimiter=delimiter, encoding=encoding)
    found, _ = problems_of(client, content)
    assert found.status == UploadStatus.READY, found.problems or found.file_problem
    confirm(found)
    assert User.objects.get(email="sam1@khan.example").surname == "Dupré"


def test_duplicates_in_the_file_and_unknown_names_are_row_problems(client, admin, world):
    rows = [
        row(1),
        row(2, Email="sam1@khan.example"),
        row(3, **{"Employer groups": "Nowhere"}, Roles="Astronaut", Position="Chief"),
        row(4, Title="Sir", Interfaces="Fax", Invite="maybe"),
        [*row(5), "extra"],
    ]
    found, _ = problems_of(client, csv_bytes(rows))
    assert found.problems == [
        [3, "Email", "This email address is also in row 2 of the file."],
        [4, "Employer groups", "No employer group called 'Nowhere' in this tenant."],
        [4, "Roles", "No employer role called 'Astronaut' in this tenant."],
        [4, "Position", "No position called 'Chief' in this tenant."],
        [5, "Title", "Title must be one of: Mr, Mrs, Miss, Ms, Mx, Dr, Prof."],
        [5, "Interfaces", "Interfaces must be Classic, Console or both (Classic|Console)."],
        [5, "Invite", "Write Yes or No, or leave it empty to follow the page's choice."],
        [6, "", "This row has more cells than the header has columns."],
    ]


def test_existing_accounts_are_skipped_or_updated_as_chosen(client, admin, world, confirm):
    person = UserFactory(
        tenant=admin.tenant,
        email="sam1@khan.example",
        user_type=UserType.EMPLOYER,
        first_name="Old",
    )
    EmployerProfile.objects.create(user=person)
    found, _ = problems_of(client, csv_bytes([row(1), row(2)]))
    assert (found.to_create, found.to_skip, found.to_update) == (1, 1, 0)
    found, _ = problems_of(client, csv_bytes([row(1), row(2)]), existing="update")
    assert (found.to_create, found.to_skip, found.to_update) == (1, 0, 1)
    confirm(found)
    person.refresh_from_db()
    assert person.first_name == "Sam1"


def test_the_error_report_never_holds_a_cell_a_spreadsheet_would_run(client, admin, world):
    rows = [row(1, **{"Employer groups": '=HYPERLINK("http://evil")'}, Position="+1+1")]
    found, _ = problems_of(client, csv_bytes(rows))
    report = client.get(reverse("uploads:report", args=[found.pk])).content.decode()
    cells = [cell for line in csv.reader(io.StringIO(report)) for cell in line]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert any("'=HYPERLINK" in cell or "=HYPERLINK" in cell for cell in cells)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "not a CSV text file"),
        # A NUL deep in the file (PostgreSQL would refuse it in a search: a 500 before).
        (
            csv_bytes([row(n) for n in range(1, 80)])
            + b"Mr,Sam,Khan,late\x00nul@khan.example,07400 123456,,,,,Classic,\n",
            "not a CSV text file",
        ),
        (b"", "This file is empty."),
        (",".join(HEADER).encode(), "has a header but no people"),
    ],
)
def test_files_that_are_not_what_they_claim_get_a_clear_message(
    client, admin, world, content, message
):
    data = {"kind": "employers", "existing": "skip", "send_invitations": "on"}
    data["file"] = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = posted(client, data, follow=True)
    text = response.content.decode()
    assert message in text or message.replace("CSV", "csv") in text
    assert not User.objects.filter(email__endswith="khan.example").exists()


def test_size_and_row_limits(client, admin, world, settings):
    settings.UPLOAD_MAX_ROWS = 5
    found, _ = problems_of(client, csv_bytes([row(n) for n in range(1, 7)]))
    assert "more than 5 rows" in found.file_problem
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = csv_bytes([row(n) for n in range(1, 3)]) + b"x" * (1024 * 1024)
    data = {"kind": "employers", "existing": "skip", "send_invitations": "on"}
    data["file"] = SimpleUploadedFile("big.csv", big, content_type="text/csv")
    response = client.post(UPLOAD, data)
    assert response.status_code == 422 and "larger than 1 MB" in response.content.decode()


@pytest.mark.postgresql  # SQLite's limit on parameters splits a bulk insert by its size
def test_checking_and_writing_cost_the_same_queries_for_100_rows_as_for_1000(admin, world):
    def queries(count: int) -> tuple[int, int]:
        rows = [row(n, Email=f"p{count}-{n}@khan.example") for n in range(count)]
        with CaptureQueriesContext(connection) as checked:
            found = employers.check(
                tenant=admin.tenant,
                raw=csv_bytes(rows),
                default_group=None,
                send_invitations=True,
                update_existing=False,
                max_rows=100_000,
            )
        with CaptureQueriesContext(connection) as written:
            employers.write(tenant=admin.tenant, uploaded_by=admin, found=found)
        return len(checked), len(written)

    assert queries(100) == queries(1000)


def test_checking_costs_the_same_queries_for_100_rows_as_for_1000(admin, world):
    def queries(count: int) -> int:
        rows = [row(n, Email=f"c{count}-{n}@khan.example") for n in range(count)]
        with CaptureQueriesContext(connection) as checked:
            employers.check(
                tenant=admin.tenant,
                raw=csv_bytes(rows),
                default_group=None,
                send_invitations=True,
                update_existing=False,
                max_rows=100_000,
            )
        return len(checked)

    assert queries(100) == queries(1000) <= 5


def test_the_users_list_offers_upload_users_to_roles_granting_bulk_upload(client):
    users = reverse("accounts:user_list")
    client.force_login(AdministratorFactory(roles=[Permission.CREATE_USERS]))
    assert UPLOAD not in client.get(users).content.decode()
    client.force_login(AdministratorFactory(roles=[Permission.BULK_UPLOAD]))
    page = client.get(users).content.decode()
    assert f'href="{UPLOAD}">Upload users</a>' in page


def test_the_report_is_read_from_the_check_not_made_again(client, admin, world):
    """Downloading the report costs no second check of the file (up to 100,000 rows)."""
    found, _ = upload(client, csv_bytes([row(1, Title="Dr Who"), row(2, Title="Sir")]))
    assert found.error_count == 2
    with mock.patch("uploads.employers.check", side_effect=AssertionError("checked again")):
        report = client.get(reverse("uploads:report", args=[found.pk])).content.decode()
    lines = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert lines[0] == ["Row", "Column", "Problem"] and len(lines) == 3
    assert [line[0] for line in lines[1:]] == ["2", "3"]
