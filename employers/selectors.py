from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, RoleAudience, Tenant, User, UserStatus, UserType
from ui.parsing import search_words

from .models import EmployerGroup, EmployerProfile, GroupKind, Organisation, Position

GROUP_RESULTS_LIMIT = 50
ROLE_RESULTS_LIMIT = 50
POSITION_CHOICES_LIMIT = 50


def group_search(
    *,
    tenant: Tenant,
    term: str = "",
    exclude_ids: Iterable[int] = (),
    limit: int = GROUP_RESULTS_LIMIT,
) -> tuple[list[EmployerGroup], bool]:
    """Groups whose place in the hierarchy matches every word; (first ``limit``, more exist)."""
    groups = EmployerGroup.objects.for_tenant(tenant).exclude(pk__in=list(exclude_ids))
    for word in search_words(term):
        groups = groups.filter(path__icontains=word)
    rows = list(groups.order_by("path").only("id", "name", "path", "depth", "kind")[: limit + 1])
    return rows[:limit], len(rows) > limit


def groups_by_ids(*, tenant: Tenant, ids: Iterable[int]) -> list[EmployerGroup]:
    return list(
        EmployerGroup.objects.for_tenant(tenant)
        .filter(pk__in=list(ids))
        .order_by("path")
        .only("id", "name", "path", "depth", "kind")
    )


def employer_roles(*, tenant: Tenant) -> QuerySet[Role]:
    return (
        Role.objects.for_tenant(tenant)
        .filter(audience=RoleAudience.EMPLOYER)
        .order_by("name", "pk")
    )


def role_picker(
    *, tenant: Tenant, assigned_ids: Iterable[int], term: str = "", limit: int = ROLE_RESULTS_LIMIT
) -> dict[str, Any]:
    """What the Roles section shows: every assigned role, then one page of the available roles
    whose name matches every word of ``term`` (a tenant may define thousands)."""
    assigned_ids = list(assigned_ids)
    roles = employer_roles(tenant=tenant).only("id", "name")
    available = roles.exclude(pk__in=assigned_ids)
    for word in search_words(term):
        available = available.filter(name__icontains=word)
    rows = list(available[: limit + 1])
    return {
        "roles_assigned": list(roles.filter(pk__in=assigned_ids)),
        "roles_available": rows[:limit],
        "more_roles": len(rows) > limit,
        "role_search": term,
    }


def _choices(
    scoped: QuerySet,
    *,
    fields: tuple[str, ...],
    term: str,
    selected_ids: Iterable[int | None] = (),
    limit: int,
) -> tuple[list, bool]:
    """One page of a long dropdown: rows of ``scoped`` (already limited to the tenant, and in
    its order) where every word of ``term`` matches one of ``fields`` (first ``limit``, and
    whether more exist), always with the chosen rows, so a choice never vanishes from its own
    list."""
    matching = scoped
    for word in search_words(term):
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        matching = matching.filter(any_field)
    rows = list(matching[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    missing = {pk for pk in selected_ids if pk} - {row.pk for row in rows}
    if missing:
        rows = list(scoped.filter(pk__in=missing)) + rows
    return rows, more


def position_choices(
    *,
    tenant: Tenant,
    term: str = "",
    selected_id: int | None = None,
    limit: int = POSITION_CHOICES_LIMIT,
) -> tuple[list[Position], bool]:
    """Positions for the Add Employer dropdown."""
    return _choices(
        Position.objects.for_tenant(tenant).order_by("title", "pk"),
        fields=("title",),
        term=term,
        selected_ids=[selected_id],
        limit=limit,
    )


def employers_root(*, tenant: Tenant) -> EmployerGroup | None:
    """The top of the tenant's employer hierarchy ("All employers"), where new employer
    organisations go unless another group is chosen."""
    return (
        EmployerGroup.objects.for_tenant(tenant)
        .filter(parent__isnull=True)
        .exclude(kind=GroupKind.EMPLOYER)
        .order_by("path", "pk")
        .first()
    )


def parent_group_choices(
    *, tenant: Tenant, term: str = "", selected_id: int | None = None, limit: int = 50
) -> tuple[list[EmployerGroup], bool]:
    """Groups a new employer organisation can be placed under (any but another employer's
    own group), by their place in the hierarchy."""
    return _choices(
        EmployerGroup.objects.for_tenant(tenant)
        .exclude(kind=GroupKind.EMPLOYER)
        .order_by("path", "pk")
        .only("id", "name", "path", "depth", "kind"),
        fields=("path",),
        term=term,
        selected_ids=[selected_id],
        limit=limit,
    )


def group_filter_choices(
    *, tenant: Tenant, term: str = "", selected_id: int | None = None, limit: int = 50
) -> tuple[list[EmployerGroup], bool]:
    """Every employer group, employers' own included, for the Users list's group filter."""
    return _choices(
        EmployerGroup.objects.for_tenant(tenant)
        .order_by("path", "pk")
        .only("id", "tenant_id", "name", "path", "depth", "kind"),
        fields=("path",),
        term=term,
        selected_ids=[selected_id],
        limit=limit,
    )


def in_group_or_below(users: QuerySet[User], group: EmployerGroup) -> QuerySet[User]:
    """``users`` who belong to ``group`` or to any group below it in the hierarchy: one
    semi-join on the membership table, however many groups lie below."""
    below = EmployerGroup.objects.filter(tenant_id=group.tenant_id).filter(
        Q(pk=group.pk) | Q(path__startswith=f"{group.path} › ")
    )
    members = EmployerGroup.members.through.objects.filter(employergroup__in=below)
    return users.filter(pk__in=members.values("user_id"))


def organisation_choices(
    *, tenant: Tenant, term: str = "", selected_id: int | None = None, limit: int = 50
) -> tuple[list[Organisation], bool]:
    """Employer organisations for the learner's Add Employer dialog."""
    return _choices(
        Organisation.objects.for_tenant(tenant).order_by("name", "pk"),
        fields=("name",),
        term=term,
        selected_ids=[selected_id],
        limit=limit,
    )


def group_picker(
    *, tenant: Tenant, selected_ids: list[int], term: str = "", show_selected: bool = False
) -> dict:
    """What the employer-group picker shows: the ticked groups, then one page of matches."""
    results, more = group_search(tenant=tenant, term=term, exclude_ids=selected_ids)
    return {
        "selected_groups": groups_by_ids(tenant=tenant, ids=selected_ids),
        "group_results": results,
        "more_groups": more,
        "group_search": term,
        "show_selected": show_selected,
    }


def organisations_of_groups(groups: Iterable[EmployerGroup]) -> list[Organisation]:
    """The employer organisations whose own groups are among ``groups``, in one query: an
    employer placed in an organisation's group works for that organisation."""
    return list(Organisation.objects.filter(group__in=list(groups)))


def organisation_get(*, tenant: Tenant, organisation_id: int) -> Organisation:
    """One of the tenant's employer organisations, or 404."""
    return get_object_or_404(Organisation.objects.for_tenant(tenant), pk=organisation_id)


def organisation_list(*, tenant: Tenant, search: str = "") -> QuerySet[Organisation]:
    """The tenant's employer organisations, by name (``with_staff_counts`` adds the counts for
    the page shown: counting every organisation's staff first cost 0.5 s at 100,000)."""
    organisations = Organisation.objects.for_tenant(tenant)
    for word in search_words(search):
        organisations = organisations.filter(
            Q(name__icontains=word)
            | Q(town__icontains=word)
            | Q(postcode__icontains=word)
            | Q(reference__icontains=word)
        )
    return organisations.select_related("group").order_by("name", "pk")


def with_staff_counts(organisations: list[Organisation]) -> list[Organisation]:
    """Set ``staff_count`` on each of ``organisations`` (a page), in one grouped query."""
    through = Organisation.members.through
    counts = dict(
        through.objects.filter(organisation__in=organisations)
        .values_list("organisation")
        .annotate(Count("user"))
        .order_by()
    )
    for organisation in organisations:
        organisation.staff_count = counts.get(organisation.pk, 0)  # type: ignore[attr-defined]
    return organisations


ACTIVE_STAFF_STATUSES = (UserStatus.PROSPECT, UserStatus.INVITED, UserStatus.FULL)


def organisation_staff(*, organisation: Organisation) -> QuerySet[User]:
    """Employer users who work for this organisation and can be a manager or mentor."""
    return (
        User.objects.for_tenant(organisation.tenant_id)
        .filter(
            organisations=organisation,
            user_type=UserType.EMPLOYER,
            is_archived=False,
            status__in=ACTIVE_STAFF_STATUSES,
        )
        .order_by("surname", "first_name", "pk")
    )


def employer_position(*, user: User) -> Position | None:
    """The position an employer holds, if any."""
    profile = EmployerProfile.objects.filter(user=user).select_related("position").first()
    return profile.position if profile else None


def groups_of(*, user: User) -> list[EmployerGroup]:
    """The employer groups a person is placed in, by their place in the hierarchy."""
    return list(
        EmployerGroup.objects.for_tenant(user.tenant_id).filter(members=user).order_by("path")
    )


STAFF_CHOICES_LIMIT = 50


def staff_choices(
    *,
    organisation: Organisation,
    term: str = "",
    selected_ids: Iterable[int] = (),
    limit: int = STAFF_CHOICES_LIMIT,
) -> tuple[list[User], bool]:
    """One page of an organisation's staff for the manager and mentor pickers, matching every
    word of ``term`` on name or email; the chosen people always come too, so a choice never
    vanishes from its own list. (first ``limit``, whether more exist)"""
    return _choices(
        organisation_staff(organisation=organisation).only("id", "first_name", "surname", "email"),
        fields=("first_name", "surname", "email"),
        term=term,
        selected_ids=selected_ids,
        limit=limit,
    )


def staff_label(person: User) -> str:
    """How a manager or mentor is offered: the email beside the name tells two people of one
    name apart."""
    return f"{person.full_name} ({person.email})"
