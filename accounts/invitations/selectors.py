"""Reads about invitations."""

from django.db.models import F, OuterRef, QuerySet, Subquery

from ..models import Tenant, User, UserStatus
from .models import Invitation


def invitation_history(*, user: User, limit: int = 50) -> list[Invitation]:
    """The newest invitations sent to ``user``, with who sent each."""
    return list(
        Invitation.objects.for_tenant(user.tenant_id)
        .filter(user=user)
        .select_related("sent_by")
        .order_by("-sequence")[:limit]
    )


def pending_invitations(*, tenant: Tenant) -> QuerySet[User]:
    """Invited users who have not activated, with their current invitation, soonest expiry first."""
    current = Invitation.objects.filter(user=OuterRef("pk"), sequence=OuterRef("invitation_count"))
    return (
        User.objects.for_tenant(tenant)
        .filter(status=UserStatus.INVITED, is_archived=False)
        .annotate(
            last_sent_at=Subquery(current.values("created_at")[:1]),
            link_expires_at=Subquery(current.values("expires_at")[:1]),
            last_delivery=Subquery(current.values("status")[:1]),
        )
        .only("id", "first_name", "surname", "email", "user_type", "invitation_count")
        .order_by(F("link_expires_at").asc(nulls_first=True), "pk")
    )
