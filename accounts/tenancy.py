"""The tenancy layer: every read of a tenant's rows goes through ``for_tenant``.

A row of one training provider must never reach another's pages. Selectors start from
``Model.objects.for_tenant(tenant)`` rather than a bare ``filter(tenant=...)``, so a query that
forgets the tenant stands out in review, and ``TenantMiddleware`` sets ``request.tenant`` once.
"""

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

if TYPE_CHECKING:
    from .models import Tenant

_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    tenant_field = "tenant"

    def for_tenant(self, tenant: "Tenant | int") -> "TenantQuerySet[_M]":
        tenant_id = getattr(tenant, "pk", tenant)
        return self.filter(**{f"{self.tenant_field}_id": tenant_id})


def tenant_of(request: Any) -> "Tenant | None":
    """The signed-in person's tenant, or None for a visitor (set on the request by middleware)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.tenant


class TenantMiddleware:
    """Sets ``request.tenant`` once per request, after authentication."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.tenant = tenant_of(request)
        return self.get_response(request)
