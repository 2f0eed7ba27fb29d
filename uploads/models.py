from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Tenant
from accounts.tenancy import TenantQuerySet
from employers.models import EmployerGroup


class UploadKind(models.TextChoices):
    EMPLOYERS = "employers", "Employers"
    LEARNERS = "learners", "Learners, each with their employer"
    ORGANISATIONS = "organisations", "Employer organisations"


class UploadStatus(models.TextChoices):
    CHECKING = "checking", "Checking"
    INVALID = "invalid", "Has errors"
    READY = "ready", "Ready to import"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"


class ExistingAccounts(models.TextChoices):
    SKIP = "skip", "Skip them: leave the accounts as they are"
    UPDATE = "update", "Update them with the file's details"


class Upload(models.Model):
    """One uploaded file: checked when it arrives, imported (all rows or none) when the
    administrator confirms. The file's text is kept so the import reads exactly what was
    checked, and the report can be downloaded later."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=UploadKind.choices)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=UploadStatus.choices)
    default_group = models.ForeignKey(
        EmployerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_invitations = models.BooleanField(default=True)
    existing = models.CharField(
        max_length=10, choices=ExistingAccounts.choices, default=ExistingAccounts.SKIP
    )
    rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    to_skip = models.PositiveIntegerField(default=0)
    to_invite = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first problems (``MAX_PROBLEMS_KEPT``), [row, column, message] each: the page and
    # the downloaded report read them here.
    problems = models.JSONField(default=list)
    file_problem = models.TextField(blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at", "-id"], name="upload_tenant_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
