from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Tenant
from accounts.tenancy import TenantQuerySet


class Scope(models.TextChoices):
    """What a token may do. Each is also bounded by what its creator's roles grant."""

    USERS_READ = "users:read", "users:read: list and read users, groups, roles and positions"
    USERS_WRITE = "users:write", "users:write: create, edit, cancel and archive users"
    INVITATIONS_SEND = "invitations:send", "invitations:send: send activation emails"
    ORGANISATIONS_READ = "organisations:read", "organisations:read: list organisations"
    ORGANISATIONS_WRITE = "organisations:write", "organisations:write: create organisations"


class ApiToken(models.Model):
    """A named, scoped, expiring credential for one tenant's API. The secret is shown once,
    when it is made; only its SHA-256 digest is kept (it carries 256 random bits, so a slow
    hash would add nothing). ``prefix`` (``aptem_`` and eight characters) names it in lists
    and logs. A token acts as the administrator who made it, within its scopes."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=20, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    creator_epoch = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="The maker's session epoch when it was made: their cancel or archive ends it "
        "for good, as it ends their sessions.",
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="apitoken_tenant_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class IdempotentRequest(models.Model):
    """The first answer to a create or send made with an ``Idempotency-Key``: a retry with the
    same key (from the same caller) gets this answer back, and nothing is done twice. The key
    row is claimed before the work, so two racing retries take turns."""

    holder = models.CharField(max_length=40)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    location = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["holder", "key"], name="idempotent_request_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age_idx")]

    def __str__(self) -> str:
        return f"{self.holder} {self.key}"
