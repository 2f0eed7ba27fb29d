"""Upload users: the page, the check's preview, the import, the report and the template."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.mixins import TenantPermissionRequiredMixin
from accounts.models import Permission

from . import csvfile, employers
from .forms import UploadForm
from .models import ExistingAccounts, Upload, UploadKind, UploadStatus
from .tasks import queue_invitations

HISTORY = 20
IMPORT_RACED = (
    "Someone created an account with one of this file's email addresses while it was being "
    "imported, so nothing was written. Check the file again."
)


class BulkUploadMixin(TenantPermissionRequiredMixin):
    required_permission = Permission.BULK_UPLOAD

    def upload(self, pk: int) -> Upload:
        return get_object_or_404(Upload.objects.for_tenant(self.tenant), pk=pk)


def run_check(upload: Upload) -> employers.Check | None:
    """Check the kept file again with its options; record what was found on the upload."""
    try:
        found = employers.check(
            tenant=upload.tenant,
            raw=upload.content.encode("utf-8"),
            default_group=upload.default_group,
            send_invitations=upload.send_invitations,
            update_existing=upload.existing == ExistingAccounts.UPDATE,
            max_rows=settings.UPLOAD_MAX_ROWS,
        )
    except csvfile.FileProblem as problem:
        upload.file_problem = str(problem)
        upload.status = UploadStatus.INVALID
        upload.problems, upload.error_count = [], 1
        upload.save()
        return None
    upload.file_problem = ""
    upload.rows = found.rows
    upload.to_create = len(found.creates)
    upload.to_update = len(found.updates)
    upload.to_skip = found.skipped
    upload.to_invite = found.invites
    upload.error_count = found.error_count
    upload.problems = [list(problem) for problem in found.problems]
    upload.status = UploadStatus.INVALID if found.error_count else UploadStatus.READY
    upload.save()
    return found


class UploadView(BulkUploadMixin, View):
    template_name = "uploads/upload.html"

    def get(self, request):
        return self.render(UploadForm(tenant=self.tenant))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, tenant=self.tenant)
        if not form.is_valid():
            return self.render(form, status=422)
        handle = form.cleaned_data["file"]
        raw = handle.read(settings.UPLOAD_MAX_BYTES + 1)
        try:
            text = csvfile.decode(raw) if len(raw) <= settings.UPLOAD_MAX_BYTES else None
        except csvfile.FileProblem as problem:
            form.add_error("file", str(problem))
            return self.render(form, status=422)
        if text is None:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            form.add_error("file", f"This file is larger than {limit} MB. Split it up.")
            return self.render(form, status=422)
        upload = Upload(
            tenant=self.tenant,
            uploaded_by=request.user,
            kind=form.cleaned_data["kind"],
            file_name=(handle.name or "upload.csv")[:255],
            content=text,
            default_group=form.cleaned_data["default_group"],
            send_invitations=form.cleaned_data["send_invitations"],
            existing=form.cleaned_data["existing"],
            status=UploadStatus.INVALID,
        )
        run_check(upload)
        return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))

    def render(self, form, status: int = 200):
        history = (
            Upload.objects.for_tenant(self.tenant)
            .select_related("uploaded_by")
            .defer("content", "problems")[:HISTORY]
        )
        context = {"form": form, "history": history}
        return render(self.request, self.template_name, context, status=status)


class UploadDetailView(BulkUploadMixin, View):
    def get(self, request, pk):
        upload = self.upload(pk)
        return render(request, "uploads/detail.html", {"upload": upload})


class UploadConfirmView(BulkUploadMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        with transaction.atomic():
            upload = Upload.objects.select_for_update().get(pk=self.upload(pk).pk)
            if upload.status != UploadStatus.READY:
                messages.error(request, "This file has been imported already, or has errors.")
                return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))
            found = run_check(upload)  # the tenant may have changed since the first check
            if found is None or found.error_count:
                messages.error(request, "Nothing was imported: the file has errors now.")
                return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))
            try:
                created, updated, invitation_ids = employers.write(
                    tenant=self.tenant, uploaded_by=request.user, found=found
                )
            except employers.ImportRaced:
                messages.error(request, IMPORT_RACED)
                return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))
            upload.status = UploadStatus.IMPORTED
            upload.imported_at = timezone.now()
            upload.created, upload.updated, upload.invited = (
                created,
                updated,
                len(invitation_ids),
            )
            upload.save()
            transaction.on_commit(lambda: queue_invitations(invitation_ids))
        messages.success(
            request,
            f"Imported: {created} created, {updated} updated, {upload.to_skip} skipped. "
            f"{len(invitation_ids)} invitation emails are on their way.",
        )
        return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))


class UploadReportView(BulkUploadMixin, View):
    """Every problem of the file as CSV; no cell can run as a spreadsheet formula."""

    def get(self, request, pk):
        upload = self.upload(pk)
        rows: list[list[str]] = [["Row", "Column", "Problem"]]
        if upload.file_problem:
            rows.append(["", "", upload.file_problem])
        else:
            try:
                found = employers.check(
                    tenant=upload.tenant,
                    raw=upload.content.encode("utf-8"),
                    default_group=upload.default_group,
                    send_invitations=upload.send_invitations,
                    update_existing=upload.existing == ExistingAccounts.UPDATE,
                    max_rows=settings.UPLOAD_MAX_ROWS,
                )
            except csvfile.FileProblem as problem:
                rows.append(["", "", str(problem)])
            else:
                rows += [[str(r), c, m] for r, c, m in found.problems]
        response = HttpResponse(csvfile.write(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-errors.csv"'
        return response


class TemplateFileView(BulkUploadMixin, View):
    def get(self, request, kind):
        if kind != UploadKind.EMPLOYERS:
            raise Http404("No template of that kind")
        response = HttpResponse(
            "\ufeff" + csvfile.write(employers.TEMPLATE_ROWS),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="employers-template.csv"'
        return response
