from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from .models import DEFAULT_LIST_STATUSES, AuditEvent, Invitation, Tenant, User, UserStatus

SEARCHED_FIELDS = ("first_name", "surname", "email")
LIST_COLUMNS = (
    "id",
    "title",
    "first_name",
    "surname",
    "email",
    "username",
    "user_type",
    "status",
    "created_at",
)


@dataclass(frozen=True)
class Page:
    """One page of a list, found without counting the whole table.

    ``COUNT(*)`` over a million users costs ~50 ms a view, so a page fetches one row more than
    it shows to know whether another page follows.
    """

    rows: list
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0


def search_filter(term: str) -> Q:
    """Every word must match the start or middle of a first name, surname or email."""
    condition = Q()
    for word in term.split():
        any_field = Q()
        for field in SEARCHED_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def user_list(
    *,
    tenant: Tenant,
    search: str = "",
    statuses: Sequence[str] = DEFAULT_LIST_STATUSES,
    types: Iterable[str] = (),
    include_archived: bool = False,
) -> QuerySet[User]:
    """The tenant's users for the Users list, newest first."""
    users = User.objects.filter(tenant=tenant)
    if not include_archived:
        users = users.filter(is_archived=False)
    if statuses:
        users = users.filter(status__in=list(statuses))
    types = list(types)
    if types:
        users = users.filter(user_type__in=types)
    if search.strip():
        users = users.filter(search_filter(search))
    return users.only(*LIST_COLUMNS).order_by("-created_at", "-id")


def page_of(queryset: QuerySet, *, number: int, per_page: int) -> Page:
    number = max(number, 1)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(
        rows=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page
    )


def user_get(*, tenant: Tenant, user_id: int) -> User:
    """A user of this tenant, or 404: another tenant's users do not exist from here."""
    return get_object_or_404(
        User.objects.select_related("position", "learner_profile").prefetch_related(
            "roles", "employer_groups"
        ),
        tenant=tenant,
        pk=user_id,
    )


def invitation_history(*, user: User, limit: int = 50) -> list[Invitation]:
    return list(user.invitations.select_related("sent_by").order_by("-sequence")[:limit])


def audit_trail(*, user: User, limit: int = 50) -> list[AuditEvent]:
    return list(user.audit_events.select_related("actor").order_by("-created_at", "-id")[:limit])


def pending_invitations(*, tenant: Tenant) -> QuerySet[User]:
    """Invited users who have not activated, with their current invitation, soonest expiry first."""
    current = Invitation.objects.filter(user=OuterRef("pk"), sequence=OuterRef("invitation_count"))
    return (
        User.objects.filter(tenant=tenant, status=UserStatus.INVITED, is_archived=False)
        .annotate(
            last_sent_at=Subquery(current.values("created_at")[:1]),
            link_expires_at=Subquery(current.values("expires_at")[:1]),
            last_delivery=Subquery(current.values("status")[:1]),
        )
        .only("id", "first_name", "surname", "email", "user_type", "invitation_count")
        .order_by(F("link_expires_at").asc(nulls_first=True), "pk")
    )
