"""A tenant's security settings: multi-factor verification at registration, a second factor
at sign-in, and how long activation links live. Every change goes to the audit trail."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .models import LINK_DAYS_MAX, LINK_DAYS_MIN, AuditEvent, SecondFactor, Tenant, User

SECURITY_FIELDS = ("mfv_employers", "mfv_learners", "second_factor", "activation_link_days")
LINK_DAYS_RANGE = f"Enter a number of days from {LINK_DAYS_MIN} to {LINK_DAYS_MAX}."
SECOND_FACTOR_UNKNOWN = "Select one of the second-factor choices."


def _shown(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if field == "second_factor":
        return str(SecondFactor(value).label)
    return str(value)


def tenant_security_update(
    *, tenant: Tenant, changed_by: User, data: Mapping[str, Any]
) -> list[str]:
    """Apply the settings; returns what changed, as people read it (also audited, one event
    per change, so the trail says who turned what on or off)."""
    errors: dict[str, ValidationError] = {}
    days = data.get("activation_link_days")
    if (
        not isinstance(days, int)
        or isinstance(days, bool)
        or not (LINK_DAYS_MIN <= days <= LINK_DAYS_MAX)
    ):
        errors["activation_link_days"] = ValidationError(LINK_DAYS_RANGE, code="range")
    if data.get("second_factor") not in SecondFactor.values:
        errors["second_factor"] = ValidationError(SECOND_FACTOR_UNKNOWN, code="invalid")
    if errors:
        raise ValidationError(errors)
    wanted = {
        "mfv_employers": bool(data.get("mfv_employers")),
        "mfv_learners": bool(data.get("mfv_learners")),
        "second_factor": data["second_factor"],
        "activation_link_days": days,
    }
    changes = []
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        for field in SECURITY_FIELDS:
            before, after = getattr(locked, field), wanted[field]
            if before == after:
                continue
            label = str(getattr(Tenant._meta.get_field(field), "verbose_name", field))
            change = (
                f"{label[0].upper()}{label[1:]}: {_shown(field, before)} → {_shown(field, after)}"
            )
            changes.append(change)
            setattr(locked, field, after)
            audit_record(
                tenant=locked,
                actor=changed_by,
                subject=None,
                action="tenant.security",
                summary=change,
                setting=field,
            )
        if changes:
            locked.save(update_fields=list(SECURITY_FIELDS))
    for field in SECURITY_FIELDS:
        setattr(tenant, field, wanted[field])
    return changes


def security_history(*, tenant: Tenant, limit: int = 20) -> list[AuditEvent]:
    """The newest changes to the security settings, with who made each."""
    return list(
        AuditEvent.objects.for_tenant(tenant)
        .filter(action="tenant.security")
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
