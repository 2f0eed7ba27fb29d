"""The audit trail: who did what to whom, and when. Never a password, token or code."""

from typing import Any

from .models import AuditEvent, Tenant, User


def audit_record(
    *,
    tenant: Tenant,
    actor: User | None,
    subject: User | None,
    action: str,
    summary: str,
    **details: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        subject=subject,
        action=action,
        summary=summary,
        details=details,
    )


def audit_updated(*, user: User, updated_by: User | None, changed: list[str]) -> AuditEvent:
    """A person's details edited: which fields changed (never their values)."""
    names = ", ".join(field.replace("_", " ") for field in changed)
    return audit_record(
        tenant=user.tenant,
        actor=updated_by,
        subject=user,
        action="user.updated",
        summary=f"Details of {user.full_name} updated" + (f" ({names})" if changed else ""),
        fields=changed,
    )


def audit_trail(*, user: User, limit: int = 50) -> list[AuditEvent]:
    """The newest events about ``user``, with who did each."""
    return list(
        AuditEvent.objects.for_tenant(user.tenant_id)
        .filter(subject=user)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
