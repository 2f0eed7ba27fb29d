"""The import as the worker runs it: once, all or nothing, with progress for the page."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.invitations.models import Invitation
from accounts.models import User
from uploads import employers, importing, people
from uploads.models import Upload, UploadStatus

from .test_employers_upload import csv_bytes, row, upload

pytestmark = pytest.mark.django_db


def importing_upload(client) -> Upload:
    found, _ = upload(client, csv_bytes([row(1), row(2)]))
    Upload.objects.filter(pk=found.pk).update(status=UploadStatus.IMPORTING)
    return found


def test_the_task_imports_once_however_often_it_runs(
    client,
    admin,
    world,
    django_capture_on_commit_callbacks,
):
    found = importing_upload(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert importing.import_upload(found.pk) == "2 created, 0 updated"
    with django_capture_on_commit_callbacks(execute=True):
        assert importing.import_upload(found.pk) == "nothing to do"  # a re-queued task
    assert User.objects.filter(email__endswith="khan.example").count() == 2
    assert len(mail.outbox) == 2  # one invitation each, never two
    assert importing.progress_of(found.pk) == {"checked": 2, "written": 2}


def test_a_worker_lost_mid_import_leaves_nothing_and_the_rerun_imports_once(
    client,
    admin,
    world,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """The import is one transaction: a worker that dies after some batches are written (here,
    an error in the third batch of one row each) leaves no account, no invitation and no email,
    and the upload still Importing, so the re-queued task does it all, once."""
    found, _ = upload(client, csv_bytes([row(1), row(2), row(3)]))
    Upload.objects.filter(pk=found.pk).update(status=UploadStatus.IMPORTING)
    monkeypatch.setattr(people, "BATCH", 1)
    batches = []
    populate = employers._populate

    def dies_on_the_third(users, batch):
        batches.append(len(batch))
        if len(batches) == 3:
            raise RuntimeError("the worker's process was lost")
        populate(users, batch)

    monkeypatch.setattr(employers, "_populate", dies_on_the_third)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        importing.import_upload(found.pk)
    assert batches == [1, 1, 1]
    assert not User.objects.filter(email__endswith="khan.example").exists()
    assert not Invitation.objects.filter(email__endswith="khan.example").exists()
    assert mail.outbox == []
    found.refresh_from_db()
    assert found.status == UploadStatus.IMPORTING

    monkeypatch.setattr(employers, "_populate", populate)
    with django_capture_on_commit_callbacks(execute=True):
        assert importing.import_upload(found.pk) == "3 created, 0 updated"
    assert User.objects.filter(email__endswith="khan.example").count() == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        f"sam{number}@khan.example" for number in (1, 2, 3)
    ]


def test_a_race_for_an_address_writes_nothing_and_says_so(
    client,
    admin,
    world,
    monkeypatch,
):
    found = importing_upload(client)

    def raced(**kwargs):
        raise employers.ImportRaced

    monkeypatch.setattr(employers, "write", raced)
    assert importing.import_upload(found.pk) == "raced"
    found.refresh_from_db()
    assert found.status == UploadStatus.INVALID
    assert "nothing was written" in found.file_problem
    assert not User.objects.filter(email__endswith="khan.example").exists()


def test_the_page_polls_progress_until_the_import_is_done(client, admin, world):
    found = importing_upload(client)
    url = reverse("uploads:detail", args=[found.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Rows checked: 0 of 2" in page
    poll = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert 'role="status"' in poll.content.decode()
    Upload.objects.filter(pk=found.pk).update(status=UploadStatus.IMPORTED)
    done = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def posted_unchecked(client) -> Upload:
    """The upload form posted with the worker not yet at it (its check waits for the commit,
    which the suite's wrapping transaction never makes)."""
    data = {
        "kind": "employers",
        "existing": "skip",
        "send_invitations": "on",
        "file": SimpleUploadedFile("people.csv", csv_bytes([row(1), row(2)])),
    }
    response = client.post(reverse("uploads:upload"), data)
    assert response.status_code == 302
    return Upload.objects.latest("id")


def test_the_upload_answers_before_the_file_is_checked_and_the_page_follows_the_check(
    client, admin, world
):
    found = posted_unchecked(client)
    assert found.status == UploadStatus.CHECKING and found.rows == 0
    url = reverse("uploads:detail", args=[found.pk])
    page = client.get(url).content.decode()
    assert "Checking the file" in page and 'hx-trigger="every 1s"' in page
    assert "Import 2 rows" not in page  # nothing can be imported before it is checked
    poll = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Checking the file" in poll.content.decode()

    assert importing.check_upload(found.pk) == "Ready to import"
    done = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    assert "Import 2 rows" in client.get(url).content.decode()
    assert importing.progress_of(found.pk) == {}  # the import's counts start from nothing


def test_the_check_runs_once_however_often_its_task_runs(client, admin, world):
    found = posted_unchecked(client)
    assert importing.check_upload(found.pk) == "Ready to import"
    assert importing.check_upload(found.pk) == "nothing to do"
    found.refresh_from_db()
    assert (found.status, found.rows, found.to_create) == (UploadStatus.READY, 2, 2)


def test_a_check_that_fails_says_so_instead_of_checking_for_ever(client, admin, world, monkeypatch):
    found = posted_unchecked(client)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the check")

    monkeypatch.setattr(importing, "check_file", broken)
    with pytest.raises(RuntimeError):
        importing.check_upload(found.pk)
    page = client.get(reverse("uploads:detail", args=[found.pk])).content.decode()
    assert "stopped unexpectedly" in page and "Upload the file again" in page
    assert "Checking the file" not in page
    assert not User.objects.filter(email__endswith="khan.example").exists()
