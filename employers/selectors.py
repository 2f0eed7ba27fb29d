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


def _choices(
    scoped: QuerySet, *, field: str, term: str, selected_id: int | None, limit: int
) -> tuple[list, bool]:
    """One page of a long dropdown: rows of ``scoped`` (already limited to the tenant) whose
    ``field`` matches every word of ``term`` (first ``limit``, and whether more exist), always
    with the selected row, so a choice never vanishes from its own list."""
    matching = scoped
    for word in term.split():
        matching = matching.filter(**{f"{field}__icontains": word})
    rows = list(matching.order_by(field, "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if selected_id and all(row.pk != selected_id for row in rows):
        selected = scoped.filter(pk=selected_id).first()
        if selected is not None:
            rows.insert(0, selected)
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
        Position.objects.filter(tenant=tenant),
        field="title",
        term=term,
        selected_id=selected_id,
        limit=limit,
    )


def organisation_choices(
    *, tenant: Tenant, term: str = "", selected_id: int | None = None, limit: int = 50
) -> tuple[list[Organisation], bool]:
    """Employer organisations for the learner's Add Employer dialog."""
    return _choices(
        Organisation.objects.filter(tenant=tenant),
        field="name",
        term=term,
        selected_id=selected_id,
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
