"""Upload users: the page, the check's preview, the import, the report and the template."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from accounts.invitations.models import Invitation, InvitationStatus
from accounts.mixins import TenantPermissionRequiredMixin
from accounts.models import Permission, User
from ui.queue import enqueue_with_data

from . import csvfile
from .forms import UploadForm
from .importing import KINDS, progress_of
from .models import Upload, UploadKind, UploadStatus
from .tasks import check_upload, import_upload

HISTORY = 20


class BulkUploadMixin(TenantPermissionRequiredMixin):
    required_permission = Permission.BULK_UPLOAD

    def upload(self, pk: int) -> Upload:
        return get_object_or_404(Upload.objects.for_tenant(self.tenant), pk=pk)


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
            status=UploadStatus.CHECKING,
        )
        with transaction.atomic():  # the check is queued with the upload, or not at all
            upload.save()
            enqueue_with_data(check_upload, upload.pk)
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
    """While checking, then importing, its progress (htmx asks every second); between, the
    check's preview; after,
    what was written and what became of the invitation emails."""

    def get(self, request, pk):
        upload = self.upload(pk)
        if request.GET.get("progress"):
            if upload.status not in (UploadStatus.CHECKING, UploadStatus.IMPORTING):
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return render(
                request,
                "uploads/includes/progress.html",
                {"upload": upload, "progress": progress_of(upload.pk)},
            )
        context = {"upload": upload, "progress": progress_of(upload.pk)}
        if upload.status == UploadStatus.IMPORTED:
            context["emails"] = invitation_counts(upload)
        return render(request, "uploads/detail.html", context)


def invitation_counts(upload: Upload) -> dict[str, int]:
    """The upload's invitation emails by status (queued, sent, failed): the people it created
    share one created_at, its imported_at, so the tenant's created index finds them."""
    people = User.objects.for_tenant(upload.tenant_id).filter(created_at=upload.imported_at)
    counts = dict(
        Invitation.objects.filter(user__in=people.values("pk"), sequence=1)
        .values_list("status")
        .annotate(total=Count("id"))
        .values_list("status", "total")
    )
    return {
        "queued": counts.get(InvitationStatus.PENDING, 0),
        "sent": counts.get(InvitationStatus.SENT, 0) + counts.get(InvitationStatus.DELIVERED, 0),
        "failed": counts.get(InvitationStatus.FAILED, 0) + counts.get(InvitationStatus.BOUNCED, 0),
    }


class UploadConfirmView(BulkUploadMixin, View):
    """Import: the worker writes every row or none (``importing.import_upload``)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        with transaction.atomic():
            upload = Upload.objects.select_for_update().get(pk=self.upload(pk).pk)
            if upload.status != UploadStatus.READY:
                messages.error(request, "This file has been imported already, or has errors.")
                return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))
            upload.status = UploadStatus.IMPORTING
            upload.save(update_fields=["status"])
            upload_id = upload.pk
            enqueue_with_data(import_upload, upload_id)  # committed with the status, or never
        return HttpResponseRedirect(reverse("uploads:detail", args=[upload.pk]))


class UploadReportView(BulkUploadMixin, View):
    """The file's problems as CSV, as its check stored them (a download never checks the
    file again); no cell can run as a spreadsheet formula."""

    def get(self, request, pk):
        upload = self.upload(pk)
        rows: list[list[str]] = [["Row", "Column", "Problem"]]
        if upload.file_problem:
            rows.append(["", "", upload.file_problem])
        else:
            rows += [[str(row), column, message] for row, column, message in upload.problems]
            more = upload.error_count - len(upload.problems)
            if more > 0:
                rows.append(["", "", f"And {more:,} more: correct these and upload again."])
        response = HttpResponse(csvfile.write(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-errors.csv"'
        return response


class TemplateFileView(BulkUploadMixin, View):
    """The template of each kind of file: its headers and one example row."""

    def get(self, request, kind):
        if kind not in UploadKind.values:
            raise Http404("No template of that kind")
        rows = KINDS[UploadKind(kind)].TEMPLATE_ROWS
        response = HttpResponse(
            "\ufeff" + csvfile.write(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response
