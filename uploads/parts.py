"""What uploads adds to pages accounts owns."""

from django.urls import reverse

from accounts import parts as pages
from accounts.models import Permission, User
from ui import parts


@parts.register(pages.HOME_TILES, order=15)
def upload_tile(user: User) -> pages.Tile | None:
    if not (user.is_administrator and user.has_tenant_permission(Permission.BULK_UPLOAD)):
        return None
    return pages.Tile(
        title="Bulk upload",
        url=reverse("uploads:upload"),
        description="Create or update employers and learners from a CSV file, checked before "
        "anything is written.",
    )


@parts.register(pages.USER_LIST_ACTIONS, order=10)
def upload_action(user: User) -> pages.Action | None:
    if not (user.is_administrator and user.has_tenant_permission(Permission.BULK_UPLOAD)):
        return None
    return pages.Action(label="Upload users", url=reverse("uploads:upload"))
