"""Checking and importing an upload: the same steps for the page and the worker.

An import is one transaction, so a worker lost part-way leaves nothing behind, and the
upload stays Importing until the task runs again (the worker re-queues a stalled task); the
invitations are queued only when the transaction commits, so none is sent twice. Progress
(rows checked, rows written) goes to the cache as it happens, for the page to show.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import csvfile, employers, learners, organisations
from .models import ExistingAccounts, Upload, UploadKind, UploadStatus
from .people import Check, ImportRaced
from .tasks import queue_invitations

# Each kind of file: its columns, its template, its check and its write.
KINDS = {
    UploadKind.EMPLOYERS: employers,
    UploadKind.LEARNERS: learners,
    UploadKind.ORGANISATIONS: organisations,
}

IMPORT_RACED = (
    "Someone created an account with one of this file's email addresses while it was being "
    "imported, so nothing was written. Upload the file again to check it."
)
PROGRESS_SECONDS = 24 * 60 * 60


def progress_key(upload_id: int) -> str:
    return f"upload-progress:{upload_id}"


def progress_of(upload_id: int) -> dict[str, int]:
    return cache.get(progress_key(upload_id)) or {}


def _report(upload_id: int, **counts: int) -> None:
    cache.set(progress_key(upload_id), {**progress_of(upload_id), **counts}, PROGRESS_SECONDS)


def check_file(upload: Upload, *, progress=None) -> Check:
    """The kind's check of the kept file, with the upload's options (FileProblem if the file
    as a whole cannot be read)."""
    return KINDS[UploadKind(upload.kind)].check(
        tenant=upload.tenant,
        raw=upload.content.encode("utf-8"),
        default_group=upload.default_group,
        send_invitations=upload.send_invitations,
        update_existing=upload.existing == ExistingAccounts.UPDATE,
        max_rows=settings.UPLOAD_MAX_ROWS,
        progress=progress,
    )


CHECK_STOPPED = (
    "The check of this file stopped unexpectedly, and nothing was imported. Upload the file "
    "again; if this happens again, contact support."
)
CHECKED_FIELDS = [
    "file_problem", "rows", "to_create", "to_update", "to_skip", "to_invite", "error_count",
    "problems", "status",
]  # fmt: skip


def run_check(upload: Upload, *, report: bool = False) -> Check | None:
    """Check the kept file again with its options; set what was found on the upload (the
    caller saves ``CHECKED_FIELDS``)."""

    def checked(rows: int) -> None:
        if report:
            _report(upload.pk, checked=rows)

    try:
        found = check_file(upload, progress=checked)
    except csvfile.FileProblem as problem:
        upload.file_problem = str(problem)
        upload.status = UploadStatus.INVALID
        upload.rows = upload.to_create = upload.to_update = upload.to_skip = upload.to_invite = 0
        upload.problems, upload.error_count = [], 1
        return None
    upload.file_problem = ""
    upload.rows = found.rows
    upload.to_create = len(found.creates)
    upload.to_update = len(found.updates)
    upload.to_skip = found.skipped
    upload.to_invite = found.invites
    upload.error_count = found.error_count
    upload.problems = [list(problem) for problem in found.problems]
    if upload.status != UploadStatus.IMPORTING or found.error_count:
        upload.status = UploadStatus.INVALID if found.error_count else UploadStatus.READY
    return found


def check_upload(upload_id: int) -> str:
    """The first check of a new upload, in the worker (a file of 100,000 rows is too long for
    a request), with progress for the page. The check only reads, so it holds no lock (on
    SQLite a transaction would hold every other writer back); its outcome is written once,
    whatever its task's runs."""
    upload = (
        Upload.objects.select_related("tenant", "default_group")
        .filter(pk=upload_id, status=UploadStatus.CHECKING)
        .first()
    )
    if upload is None:
        return "nothing to do"  # checked already
    _report(upload_id, checked=0, written=0)
    try:
        run_check(upload, report=True)
    except Exception:
        # Never a page that says "Checking" for ever: the administrator is told, the worker's
        # log keeps the error.
        Upload.objects.filter(pk=upload_id, status=UploadStatus.CHECKING).update(
            status=UploadStatus.INVALID, file_problem=CHECK_STOPPED, error_count=1
        )
        raise
    written = Upload.objects.filter(pk=upload_id, status=UploadStatus.CHECKING).update(
        **{field: getattr(upload, field) for field in CHECKED_FIELDS}
    )
    cache.delete(progress_key(upload_id))  # the import's progress starts from nothing
    return upload.get_status_display() if written else "nothing to do"


def import_upload(upload_id: int) -> str:
    """Check the file again (the tenant may have changed), then write every row or none."""
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update(of=("self",))
            .select_related("tenant", "uploaded_by", "default_group")
            .filter(pk=upload_id, status=UploadStatus.IMPORTING)
            .first()
        )
        if upload is None:
            return "nothing to do"  # imported already, or never asked for
        _report(upload_id, checked=0, written=0)
        found = run_check(upload, report=True)
        if found is None or found.error_count:
            upload.save(update_fields=CHECKED_FIELDS)
            return "the file has errors now"
        try:
            with transaction.atomic():
                now = timezone.now()
                created, updated, invitation_ids = KINDS[UploadKind(upload.kind)].write(
                    tenant=upload.tenant,
                    uploaded_by=upload.uploaded_by,
                    found=found,
                    upload_id=upload.pk,
                    progress=lambda rows: _report(upload_id, written=rows),
                    now=now,
                )
        except ImportRaced:
            upload.status = UploadStatus.INVALID
            upload.file_problem = IMPORT_RACED
            upload.save(update_fields=["status", "file_problem"])
            return "raced"
        upload.status = UploadStatus.IMPORTED
        upload.imported_at = now  # the created_at of everyone the upload created
        upload.created, upload.updated, upload.invited = created, updated, len(invitation_ids)
        upload.save(
            update_fields=[*CHECKED_FIELDS, "imported_at", "created", "updated", "invited"]
        )
        queue_invitations(invitation_ids)
    return f"{created} created, {updated} updated"
