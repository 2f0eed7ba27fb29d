"""What employers adds to pages other apps own (registered from ``EmployersConfig.ready``)."""

from django.urls import reverse

from accounts import parts as pages
from accounts.models import User, UserType
from ui import parts

from . import selectors


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
