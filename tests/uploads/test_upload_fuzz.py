"""Hypothesis: malformed files of every kind (bad encodings, ragged rows, formula prefixes,
huge cells, duplicates in the file and against the tenant) never make a server error, and an
import writes every row or none."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Permission, User
from employers.models import Organisation
from tests.factories import AdministratorFactory, EmployerGroupFactory, UserFactory
from uploads.models import Upload, UploadStatus

from .test_employers_upload import HEADER

pytestmark = pytest.mark.django_db
TAKEN = "taken@tenant.example"

cells = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "", "Classic", "Yes"]),
    st.sampled_from(["Mr", "Ms", "07400 123456", "All employers", TAKEN, "a@b.example"]),
    st.text(min_size=1000, max_size=3000).map(lambda text: text or "x"),
)
good_row = st.builds(
    lambda n: [
        "Ms",
        f"Fuzz{n}",
        "Case",
        f"fuzz{n}@rows.example",
        "07400 123456",
        "All employers",
        "Classic",
        "",
    ],
    st.integers(min_value=0, max_value=30),
)
rows = st.lists(st.one_of(good_row, st.lists(cells, max_size=12)), max_size=8)
headers = st.one_of(
    st.just(
        [
            "Title",
            "First name",
            "Surname",
            "Email",
            "Mobile number",
            "Employer groups",
            "Interfaces",
            "Invite",
        ]
    ),
    st.just(HEADER),
    st.just(["Title", "First name", "Surname", "Email", "Mobile number", "Employer", "Manager"]),
    st.just(["Employer name", "Postcode", "Employer group"]),
    st.lists(st.sampled_from([*HEADER, "Shoe size", "", "EMAIL", "Employer"]), max_size=12),
)


def encode(text: str, how: str) -> bytes:
    if how == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "cp1252":
        return text.encode("cp1252", errors="replace")
    if how == "garbage":
        return text.encode("utf-8") + b"\xff\xfe\x00\x81"
    return text.encode("utf-8")


@pytest.fixture
def site(client):
    admin = AdministratorFactory(roles=[Permission.BULK_UPLOAD])
    EmployerGroupFactory(tenant=admin.tenant, name="All employers")
    UserFactory(tenant=admin.tenant, email=TAKEN)
    client.force_login(admin)
    client.raise_request_exception = False
    return client, admin


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=headers,
    body=rows,
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "garbage"]),
    existing=st.sampled_from(["skip", "update", "nonsense"]),
    kind=st.sampled_from(["employers", "learners", "organisations"]),
)
def test_no_file_makes_a_server_error_or_a_partial_import(
    site, django_capture_on_commit_callbacks, header, body, delimiter, encoding, existing, kind
):
    client, admin = site
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    content = encode(out.getvalue(), encoding)
    def count() -> int:
        if kind == "organisations":
            return Organisation.objects.filter(tenant=admin.tenant).count()
        return User.objects.filter(tenant=admin.tenant).count()

    before = count()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's check
        response = client.post(
            reverse("uploads:upload"),
            {
                "kind": kind,
                "existing": existing,
                "send_invitations": "on",
                "file": SimpleUploadedFile("fuzz.csv", content, content_type="text/csv"),
            },
        )
    assert response.status_code < 500
    if response.status_code != 302:
        assert count() == before
        return
    upload = Upload.objects.latest("id")
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("uploads:report", args=[upload.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the worker's import
        confirm = client.post(reverse("uploads:confirm", args=[upload.pk]))
    assert confirm.status_code < 500
    upload.refresh_from_db()
    after = count()
    assert upload.status != UploadStatus.IMPORTING
    if upload.status == UploadStatus.IMPORTED:
        assert after == before + upload.created  # every row
    else:
        assert after == before  # or none
