"""What the API adds to pages accounts owns."""

from django.urls import reverse

from accounts import parts as pages
from accounts.models import Permission, User
from ui import parts


@parts.register(pages.HOME_TILES, order=92)
def tokens_tile(user: User) -> pages.Tile | None:
    if not (user.is_administrator and user.has_tenant_permission(Permission.MANAGE_API_TOKENS)):
        return None
    return pages.Tile(
        title="API tokens",
        url=reverse("api:tokens"),
        description="Keys for your other systems to call the Aptem API.",
    )
