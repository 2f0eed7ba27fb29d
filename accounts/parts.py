"""The pages accounts owns that other apps add parts to, and the shape of each part.

Apps register functions under these hooks from their ``AppConfig.ready()`` (see ``ui.parts``);
accounts renders whatever it is given and never names the app that gave it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from ui import parts

from .models import Permission, User

# fn(viewer: User, profile: User) -> Action | list[Action] | None: buttons on a profile.
PROFILE_ACTIONS = "accounts.profile.actions"
# fn(profile: User) -> Detail | list[Detail] | None: rows under Personal details.
PROFILE_PERSONAL_DETAILS = "accounts.profile.personal_details"
# fn(profile: User) -> Detail | list[Detail] | None: rows under Account.
PROFILE_ACCOUNT_DETAILS = "accounts.profile.account_details"
# fn(request, profile: User) -> TemplateBlock | None: whole sections below the details.
PROFILE_SECTIONS = "accounts.profile.sections"
# fn(user: User) -> Tile | None: the navigation panel on the home page.
HOME_TILES = "accounts.home.tiles"
# fn(request) -> TemplateBlock | None: sections of the home page below the tiles.
HOME_SECTIONS = "accounts.home.sections"
# fn() -> CreateKind: the kinds of person the Users list's Create menu offers.
CREATE_KINDS = "accounts.create.kinds"
# fn(user: User) -> Action | None: more buttons beside the Users list's Create menu.
USER_LIST_ACTIONS = "accounts.user_list.actions"
# fn(tenant, data: the query string) -> ListFilter | None: more filters on the Users list.
USER_LIST_FILTERS = "accounts.user_list.filters"


@dataclass(frozen=True)
class Action:
    label: str
    url: str


@dataclass(frozen=True)
class Detail:
    label: str
    lines: list[str] = field(default_factory=list)
    empty: str = "None"


@dataclass(frozen=True)
class Tile:
    title: str
    url: str
    description: str


@dataclass(frozen=True)
class TemplateBlock:
    """A template and its context that another app gives a page to draw in place (a whole
    section of a profile or the home page)."""

    template: str
    context: dict[str, Any]

    def render(self, request: HttpRequest) -> SafeString:
        return render_to_string(self.template, self.context, request)


@dataclass(frozen=True)
class CreateKind:
    slug: str
    noun: str
    label: str
    url: str
    description: str


@dataclass(frozen=True)
class ListFilter:
    """A filter another app adds to the Users list: its form fields (``name`` is the one whose
    cleaned value narrows the list; others, such as a Find box, only help choose it), the
    template that draws them, and how a chosen value narrows the users."""

    name: str
    fields: Mapping[str, forms.Field]
    template: str
    narrow: Callable[[QuerySet[User], Any], QuerySet[User]]


def profile_parts(request: HttpRequest, profile: User) -> dict[str, Any]:
    """Everything other apps add to ``profile``'s page, for its template."""
    return {
        "actions": parts.collect(PROFILE_ACTIONS, request.user, profile),
        "personal_details": parts.collect(PROFILE_PERSONAL_DETAILS, profile),
        "account_details": parts.collect(PROFILE_ACCOUNT_DETAILS, profile),
        "sections": [
            section.render(request) for section in parts.collect(PROFILE_SECTIONS, request, profile)
        ],
    }


def home_parts(request: HttpRequest) -> dict[str, Any]:
    return {
        "tiles": parts.collect(HOME_TILES, request.user),
        "sections": [section.render(request) for section in parts.collect(HOME_SECTIONS, request)],
    }


def create_kinds() -> dict[str, CreateKind]:
    return {kind.slug: kind for kind in parts.collect(CREATE_KINDS)}


@parts.register(HOME_TILES, order=10)
def users_tile(user: User) -> Tile | None:
    if not user.is_administrator:
        return None
    return Tile(
        title="Users",
        url=reverse("accounts:user_list"),
        description="Find, create and invite learners, employers and administrators.",
    )


@parts.register(HOME_TILES, order=90)
def security_tile(user: User) -> Tile | None:
    if not (user.is_administrator and user.has_tenant_permission(Permission.MANAGE_SECURITY)):
        return None
    return Tile(
        title="Security settings",
        url=reverse("accounts:security_settings"),
        description="Multi-factor verification, sign-in checks and activation links.",
    )


@parts.register(HOME_TILES, order=95)
def sign_in_security_tile(user: User) -> Tile | None:
    if user.tenant.second_factor == "off":
        return None
    return Tile(
        title="Sign-in security",
        url=reverse("accounts:two_factor_setup"),
        description="Your authenticator app and backup codes.",
    )
