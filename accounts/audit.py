"""The audit trail: who did what to whom, and when. Never a password, token or code."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .models import AuditEvent, Tenant, User

# How the current request reached the services, when it was not the pages (the API names its
# token): said in every event recorded meanwhile.
_route: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar("audit_route", default=None)
SUMMARY_MAX = AuditEvent._meta.get_field("summary").max_length or 300


@contextmanager
def audit_route(words: str, **details: Any) -> Iterator[None]:
    """Within this block every event's summary ends with ``words`` ("through the API, token
    'Payroll sync'") and its details carry ``details``."""
    token = _route.set((words, details))
    try:
        yield
    finally:
        _route.reset(token)


def routed(summary: str, details: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``summary`` and ``details`` with the current route added, the summary fitted to its
    column (for writers that build events themselves too, like an import's ``bulk_create``).

    A summary too long for the column (a 500-character cancel reason, a 254-character email)
    is cut with an ellipsis before the route's words, and kept whole in ``details["summary"]``:
    every route records the same event, and none fails on its length."""
    tail = ""
    route = _route.get()
    if route is not None:
        words, extra = route
        tail = f" ({words})"
        details = {**extra, **details}
    whole = summary + tail
    if len(whole) <= SUMMARY_MAX:
        return whole, details
    cut = summary[: max(SUMMARY_MAX - len(tail) - 1, 0)] + "…" + tail
    return cut[:SUMMARY_MAX], {**details, "summary": whole}


def audit_record(
    *,
    tenant: Tenant,
    actor: User | None,
    subject: User | None,
    action: str,
    summary: str,
    **details: Any,
) -> AuditEvent:
    summary, details = routed(summary, details)
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
