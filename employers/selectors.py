from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, RoleAudience, Tenant

from .models import EmployerGroup, Organisation, Position

GROUP_RESULTS_LIMIT = 50
POSITION_CHOICES_LIMIT = 50


def group_search(
    *,
    tenant: Tenant,
    term: str = "",
    exclude_ids: Iterable[int] = (),
    limit: int = GROUP_RESULTS_LIMIT,
) -> tuple[list[EmployerGroup], bool]:
    """Groups whose place in the hierarchy matches every word; (first ``limit``, more exist)."""
    groups = EmployerGroup.objects.filter(tenant=tenant).exclude(pk__in=list(exclude_ids))
    for word in term.split():
        groups = groups.filter(path__icontains=word)
    rows = list(groups.order_by("path").only("id", "name", "path", "depth", "kind")[: limit + 1])
    return rows[:limit], len(rows) > limit


def groups_by_ids(*, tenant: Tenant, ids: Iterable[int]) -> list[EmployerGroup]:
    return list(
        EmployerGroup.objects.filter(tenant=tenant, pk__in=list(ids))
        .order_by("path")
        .only("id", "name", "path", "depth", "kind")
    )


def employer_roles(*, tenant: Tenant) -> QuerySet[Role]:
    return Role.objects.filter(tenant=tenant, audience=RoleAudience.EMPLOYER).order_by("name")


def position_choices(
    *,
    tenant: Tenant,
    term: str = "",
    selected_id: int | None = None,
    limit: int = POSITION_CHOICES_LIMIT,
) -> tuple[list[Position], bool]:
    """Positions matching ``term`` (first ``limit``, more exist), always with the selected one."""
    positions = Position.objects.filter(tenant=tenant)
    for word in term.split():
        positions = positions.filter(title__icontains=word)
    rows = list(positions.order_by("title")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if selected_id and all(position.pk != selected_id for position in rows):
        selected = Position.objects.filter(tenant=tenant, pk=selected_id).first()
        if selected:
            rows.insert(0, selected)
    return rows, more


def organisation_choices(
    *, tenant: Tenant, term: str = "", selected_id: int | None = None, limit: int = 50
) -> tuple[list[Organisation], bool]:
    """Organisations matching ``term`` (first ``limit``, more exist), always with the chosen one."""
    organisations = Organisation.objects.filter(tenant=tenant)
    for word in term.split():
        organisations = organisations.filter(name__icontains=word)
    rows = list(organisations.order_by("name")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if selected_id and all(o.pk != selected_id for o in rows):
        chosen = Organisation.objects.filter(tenant=tenant, pk=selected_id).first()
        if chosen:
            rows.insert(0, chosen)
    return rows, more


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


def organisation_list(*, tenant: Tenant, search: str = ""):
    """The tenant's employer organisations, by name, with how many employer users each has."""
    organisations = Organisation.objects.filter(tenant=tenant)
    for word in search.split():
        organisations = organisations.filter(
            Q(name__icontains=word)
            | Q(town__icontains=word)
            | Q(postcode__icontains=word)
            | Q(reference__icontains=word)
        )
    return (
        organisations.select_related("group")
        .annotate(staff_count=Count("members"))
        .order_by("name", "pk")
    )
