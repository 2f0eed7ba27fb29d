from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .models import Permission


class AdministratorRequiredMixin(LoginRequiredMixin):
    """Signed in as an administrator of a tenant; ``self.tenant`` is ``request.tenant``, which
    ``TenantMiddleware`` set to that administrator's tenant."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_administrator:
            raise PermissionDenied
        self.tenant = request.tenant
        return super().dispatch(request, *args, **kwargs)


class TenantPermissionRequiredMixin(AdministratorRequiredMixin):
    """An administrator whose roles grant ``required_permission`` (or any one of
    ``any_permission``, when a view serves several pages); others get 403."""

    required_permission: str = ""
    any_permission: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        wanted = self.any_permission or (self.required_permission,)
        if user.is_authenticated and not any(user.has_tenant_permission(p) for p in wanted):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CreateUsersRequiredMixin(TenantPermissionRequiredMixin):
    required_permission = Permission.CREATE_USERS
