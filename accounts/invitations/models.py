from django.conf import settings
from django.db import models
from django.utils import timezone

from ..tenancy import TenantQuerySet


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DELIVERED = "delivered", "Delivered"
    BOUNCED = "bounced", "Bounced"


class Invitation(models.Model):
    """One activation email: who sent it to whom, when, and what became of it."""

    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    sequence = models.PositiveIntegerField(help_text="The user's invitation_count for this email.")
    email = models.EmailField(help_text="The stored address the email went to.")
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Defaults in the database as well, so rows written by raw SQL (COPY loads) or by the
    # previous release during a rolling deploy need not name them.
    request_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text="The queued task that asked for it, so a task run twice sends once.",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="How many times sending was started (a stuck one is tried again).",
    )
    expires_at = models.DateTimeField()
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    error = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sequence"], name="invitation_user_sequence")
        ]
        indexes = [
            # The few invitations still being sent, for the sweep that retries stuck ones.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(status="pending"),
                name="invitation_sending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation {self.sequence} to {self.email}"

    @property
    def is_current(self) -> bool:
        return self.sequence == self.user.invitation_count

    @property
    def is_expired(self) -> bool:
        return timezone.now() > self.expires_at


class BatchKind(models.TextChoices):
    SEND = "send", "Send invitation"
    RESEND = "resend", "Resend invitation"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    SENDING = "sending", "Sending"
    DONE = "done", "Done"


class InvitationBatch(models.Model):
    """Invitations asked for many people at once (the Users list's Send invitation, Pending
    invitations' Resend), sent by the worker while a page shows how far it has gone.

    ``outcomes`` maps each person's id (as text) to what happened: {"result": "sent",
    "failed" or "skipped", "why": the reason}. A person with an outcome is never sent to again,
    and each send carries the batch's request key, so a task run twice sends once."""

    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.CASCADE, related_name="invitation_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=BatchKind.choices)
    user_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    outcomes = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {len(self.user_ids)} people"
