"""Reads about people, scoped to one tenant."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ui.parsing import search_words

from .lookups import ci
from .models import DEFAULT_LIST_STATUSES, EXPIRING_STATUSES, Tenant, User, UserStatus

SEARCHED_FIELDS = ("first_name", "surname", "email")
# Newest first; the index user_tenant_created_idx serves it, and keyset pages seek on it.
USER_LIST_ORDER = ("-created_at", "-id")
# The orderings the Users list offers, each ending in a unique field (keyset pages seek on
# them) and each served by an index of its own (see User.Meta.indexes).
USER_LIST_SORTS: dict[str, tuple[str, ...]] = {
    "created": USER_LIST_ORDER,
    "name": ("surname", "first_name", "id"),
    "email": ("email", "id"),
    "status": ("status", "-created_at", "-id"),
    "type": ("user_type", "surname", "first_name", "id"),
}


def user_list_ordering(sort: str) -> tuple[str, ...]:
    """The ordering a sort key names: one of ``USER_LIST_SORTS``, or one with a leading "-"
    for the same order reversed (its index read backwards); anything else is newest first."""
    ordering = USER_LIST_SORTS.get(sort.removeprefix("-"), USER_LIST_ORDER)
    if sort.startswith("-") and sort[1:] in USER_LIST_SORTS:
        return tuple(field[1:] if field.startswith("-") else f"-{field}" for field in ordering)
    return ordering


# Every sort key the list and the API accept: each order, and each reversed.
USER_LIST_SORT_KEYS = [*USER_LIST_SORTS, *(f"-{key}" for key in USER_LIST_SORTS)]
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
    "access_ends_on",
)


def search_filter(term: str) -> Q:
    """Every word must match the start or middle of a first name, surname or email."""
    condition = Q()
    for word in search_words(term):
        any_field = Q()
        for field in SEARCHED_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def tenant_access_over(tenant: Tenant, today: date) -> bool:
    """Whether the tenant's own last day of access has passed."""
    return tenant.access_ends_on is not None and tenant.access_ends_on < today


def shown_status_filter(statuses: Iterable[str], today: date, tenant_over: bool) -> Q:
    """People whose status as shown is one of ``statuses``: a Prospect, Invited or Full person
    past their access end date (their own, else the tenant's: ``tenant_over`` when that has
    passed) shows, and is found, as Expired."""
    past_end = Q(access_ends_on__lt=today)
    if tenant_over:
        past_end |= Q(access_ends_on__isnull=True)
    wanted = set(statuses)
    expiring = wanted & set(EXPIRING_STATUSES)
    condition = Q(status__in=sorted(wanted - expiring))
    if expiring:
        condition |= Q(status__in=sorted(expiring)) & ~past_end
    if UserStatus.EXPIRED in wanted:
        condition |= Q(status__in=EXPIRING_STATUSES) & past_end
    return condition


def user_list(
    *,
    tenant: Tenant,
    search: str = "",
    statuses: Sequence[str] = DEFAULT_LIST_STATUSES,
    types: Iterable[str] = (),
    archived: bool = False,
    missing_mobile: bool = False,
    sort: str = "created",
    narrowed_by: Iterable[Callable[[QuerySet[User]], QuerySet[User]]] = (),
) -> QuerySet[User]:
    """The tenant's users for the Users list, newest first (or in another offered order);
    ``narrowed_by`` are the filters other apps add (see ``parts.USER_LIST_FILTERS``)."""
    today = timezone.localdate()
    users = User.objects.for_tenant(tenant)
    # Archived accounts are listed only when asked for, and then on their own.
    users = users.filter(is_archived=archived)
    if missing_mobile:
        users = users.filter(mobile="")
    if statuses:
        over = tenant_access_over(tenant, today)
        users = users.filter(shown_status_filter(statuses, today, over))
    types = list(types)
    if types:
        users = users.filter(user_type__in=types)
    if search_words(search):
        users = users.filter(search_filter(search))
    for narrow in narrowed_by:
        users = narrow(users)
    return users.only(*LIST_COLUMNS).order_by(*user_list_ordering(sort))


def user_list_values(**filters: Any) -> "QuerySet[User, dict[str, Any]]":
    """``user_list``'s rows as plain values (``LIST_COLUMNS``), for the API: no model instance
    built a row."""
    return user_list(**filters).values(*LIST_COLUMNS)


def user_get(*, tenant: Tenant, user_id: int) -> User:
    """A user of this tenant, or 404: another tenant's users do not exist from here."""
    return get_object_or_404(
        User.objects.for_tenant(tenant).prefetch_related("roles", "employer_groups"),
        pk=user_id,
    )


MISSING_MOBILE_COUNT_CAP = 100_000


def missing_mobile_count(*, tenant: Tenant) -> int:
    """How many of the tenant's accounts (archived ones aside) have no mobile number, counted
    on the partial index of exactly those (capped: past it, "at least" is what matters)."""
    return (
        User.objects.for_tenant(tenant)
        .filter(mobile="", is_archived=False)
        .values("pk")[:MISSING_MOBILE_COUNT_CAP]
        .count()
    )


def username_taken(username: str, *, exclude: User | None = None) -> bool:
    """Whether anyone, in any tenant, signs in with ``username`` (ignoring case).

    Queried with the expression of the unique index, ``LOWER(username)``, so it is one index
    probe at a million users (``iexact`` would scan the table)."""
    others = User.objects.filter(username__lower=ci(username), username__isnull=False)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()
