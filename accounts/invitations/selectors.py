"""Reads about invitations."""

from django.db.models import OuterRef, QuerySet, Subquery

from ..models import Tenant, User, UserStatus
from ..selectors import search_filter
from .models import Invitation, InvitationBatch

# What became of an invitation, as the API and the profile tell it.
LINK_STATES = (
    "pending",
    "sent",
    "delivered",
    "bounced",
    "failed",
    "replaced",
    "revoked",
    "used",
    "expired",
)


def invitation_state(invitation: Invitation, *, user: User) -> str:
    """What became of ``invitation`` of ``user`` (as they are now): "replaced" by a newer one,
    "revoked" (the address changed, or the account was cancelled or archived), "used" (they
    activated), "expired", else what the provider said: pending, sent, delivered, bounced or
    failed."""
    if invitation.sequence != user.invitation_count:
        return "replaced"
    if user.status == UserStatus.FULL and user.activated_at:
        return "used"
    if (
        invitation.email.casefold() != user.email.casefold()
        or user.is_archived
        or user.status != UserStatus.INVITED
    ):
        return "revoked"
    if invitation.status in ("failed", "bounced"):
        return str(invitation.status)
    if invitation.is_expired:
        return "expired"
    return str(invitation.status)


def invitation_batch_rows(*, batch: InvitationBatch) -> dict[str, list[tuple[User, str]]]:
    """The batch's people so far, by what happened ("sent", "failed", "skipped", and "waiting"
    for those not reached yet), each with the reason, in the batch's order: one query."""
    people = User.objects.for_tenant(batch.tenant_id).in_bulk(batch.user_ids)
    rows: dict[str, list[tuple[User, str]]] = {
        "sent": [],
        "failed": [],
        "skipped": [],
        "waiting": [],
    }
    for user_id in batch.user_ids:
        person = people.get(user_id)
        if person is None:
            continue
        outcome = batch.outcomes.get(str(user_id), {"result": "waiting", "why": ""})
        rows[outcome["result"]].append((person, outcome["why"]))
    return rows


def invitation_history(*, user: User, limit: int = 50) -> list[Invitation]:
    """The newest invitations sent to ``user``, with who sent each."""
    return list(
        Invitation.objects.for_tenant(user.tenant_id)
        .filter(user=user)
        .select_related("sent_by")
        .order_by("-sequence")[:limit]
    )


# Most recently invited first; the index user_tenant_invited_idx serves it at any depth.
PENDING_ORDER = ("-invited_at", "-id")
# The orders Pending invitations offers. A link expires the tenant's lifetime after it was
# sent, so "expiring soonest" is "invited longest ago": the same index, read backwards (ordering
# by the invitation's own expires_at would read every invited person's invitation).
PENDING_SORTS: dict[str, tuple[str, ...]] = {
    "invited": PENDING_ORDER,
    "expiry": ("invited_at", "id"),
}


def pending_invitations(
    *, tenant: Tenant, search: str = "", sort: str = "invited"
) -> QuerySet[User]:
    """Invited users who have not activated, with their current invitation, most recently
    invited first. The invitation's details are looked up for the rows of a page only: ordering
    by them would read every invited person's invitation."""
    current = Invitation.objects.filter(user=OuterRef("pk"), sequence=OuterRef("invitation_count"))
    return (
        User.objects.for_tenant(tenant)
        .filter(status=UserStatus.INVITED, is_archived=False, invited_at__isnull=False)
        .annotate(
            last_sent_at=Subquery(current.values("created_at")[:1]),
            link_expires_at=Subquery(current.values("expires_at")[:1]),
            last_delivery=Subquery(current.values("status")[:1]),
        )
        .filter(search_filter(search))
        .only("id", "first_name", "surname", "email", "user_type", "invitation_count", "invited_at")
        .order_by(*PENDING_SORTS.get(sort, PENDING_ORDER))
    )
