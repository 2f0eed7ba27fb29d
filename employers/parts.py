"""What employers adds to pages other apps own (registered from ``EmployersConfig.ready``)."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from accounts import parts as pages
from accounts.models import Tenant, User, UserType
from ui import parts
from ui.parsing import parse_id

from . import selectors
from .forms import group_filter_fields


@parts.register(pages.PROFILE_ACTIONS, order=10)
def edit_employer(viewer: User, profile: User) -> pages.Action | None:
    if profile.user_type != UserType.EMPLOYER or not viewer.can_create_users:
        return None
    if profile.is_archived:
        return None
    return pages.Action(label="Edit", url=reverse("employers:edit", args=[profile.pk]))


@parts.register(pages.PROFILE_ACCOUNT_DETAILS, order=10)
def position_and_groups(profile: User) -> list[pages.Detail]:
    details = []
    if profile.user_type == UserType.EMPLOYER:
        position = selectors.employer_position(user=profile)
        details.append(pages.Detail("Position", [position.title] if position else []))
    groups = selectors.groups_of(user=profile)
    details.append(pages.Detail("Employer groups", [group.path for group in groups]))
    return details


@parts.register(pages.HOME_TILES, order=20)
def organisations_tile(user: User) -> pages.Tile | None:
    if not user.is_administrator:
        return None
    return pages.Tile(
        title="Organisations",
        url=reverse("employers:organisation_list"),
        description="Employers your learners work for, with their people.",
    )


@parts.register(pages.CREATE_KINDS, order=20)
def employer_kind() -> pages.CreateKind:
    return pages.CreateKind(
        slug="employer",
        noun="employer",
        label="Employer",
        url=reverse("employers:add"),
        description="a person at an apprentice's workplace, such as a line manager, mentor or "
        "HR contact",
    )


@parts.register(pages.USER_LIST_FILTERS, order=10)
def employer_group_filter(tenant: Tenant, data: Mapping[str, Any]) -> pages.ListFilter:
    """Narrow the Users list to one employer group and the groups below it."""
    term = str(data.get("group_find") or "").strip()[:100]
    chosen = parse_id(data.get("group"))
    groups, _ = selectors.group_filter_choices(tenant=tenant, term=term, selected_id=chosen)
    by_id = {str(group.pk): group for group in groups}
    ids = {group.pk for group in groups}

    def narrow(users: QuerySet[User], value: str) -> QuerySet[User]:
        return selectors.in_group_or_below(users, by_id[value])

    return pages.ListFilter(
        name="group",
        fields=group_filter_fields(
            groups=groups, term=term, unknown=bool(data.get("group")) and chosen not in ids
        ),
        template="employers/includes/user_list_group_filter.html",
        narrow=narrow,
    )
