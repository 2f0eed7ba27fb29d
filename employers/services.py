from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Tenant

from .models import EmployerGroup, GroupKind, Organisation, Position

POSITION_EXISTS = "The position '%(title)s' already exists. Select it from the list."
ORGANISATION_EXISTS = "An employer called '%(name)s' already exists."


def employer_group_create(
    *,
    tenant: Tenant,
    name: str,
    parent: EmployerGroup | None = None,
    kind: str = GroupKind.EMPLOYER_GROUP,
) -> EmployerGroup:
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ValidationError("The parent group belongs to another tenant.", code="tenant")
    return EmployerGroup.objects.create(tenant=tenant, name=name.strip(), parent=parent, kind=kind)


def position_create(*, tenant: Tenant, title: str) -> Position:
    """A new position for the whole tenant; refused when one exists already, ignoring case."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Enter a position title.", code="required")
    if Position.objects.filter(tenant=tenant, title__iexact=title).exists():
        raise ValidationError(POSITION_EXISTS, code="duplicate", params={"title": title})
    return Position.objects.create(tenant=tenant, title=title)


@transaction.atomic
def organisation_create(
    *,
    tenant: Tenant,
    name: str,
    parent_group: EmployerGroup | None = None,
    **address: str,
) -> Organisation:
    """An employer organisation together with its own employer group of kind "Employer"."""
    name = " ".join(name.split())
    if Organisation.objects.filter(tenant=tenant, name__iexact=name).exists():
        raise ValidationError(ORGANISATION_EXISTS, code="duplicate", params={"name": name})
    group = employer_group_create(
        tenant=tenant, name=name, parent=parent_group, kind=GroupKind.EMPLOYER
    )
    return Organisation.objects.create(tenant=tenant, name=name, group=group, **address)
