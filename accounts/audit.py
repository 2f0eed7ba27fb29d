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


def audit_trail(*, user: User, limit: int = 50) -> list[AuditEvent]:
    """The newest events about ``user``, with who did each."""
    return list(
        AuditEvent.objects.for_tenant(user.tenant_id)
        .filter(subject=user)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
