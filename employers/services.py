from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_updated
from accounts.invitations.models import Invitation
from accounts.lookups import ci
from accounts.models import Role, RoleAudience, Tenant, User, UserType
from accounts.postcodes import normalise_postcode
from accounts.services import (
    INVISIBLE_CHARACTERS,
    PERSON_FIELDS,
    has_invisible_characters,
    interface_access_clean,
    invite_answer_clean,
    person_create,
    person_details_clean,
    person_fields_save,
    person_locked,
    too_long,
)
from ui.parsing import parse_id

from .models import EmployerGroup, EmployerProfile, GroupKind, Organisation, Position
from .selectors import employers_root, organisations_of_groups

POSITION_EXISTS = "The position '%(title)s' already exists. Select it from the list."
ORGANISATION_EXISTS = "An employer called '%(name)s' already exists."


def employer_group_create(
    *,
    tenant: Tenant,
    name: str,
    parent: EmployerGroup | None = None,
    kind: str = GroupKind.EMPLOYER_GROUP,
) -> EmployerGroup:
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ValidationError("The parent group belongs to another tenant.", code="tenant")
    return EmployerGroup.objects.create(tenant=tenant, name=name.strip(), parent=parent, kind=kind)


def position_create(*, tenant: Tenant, title: str) -> Position:
    """A new position for the whole tenant; refused when one exists already, ignoring case."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Enter a position title.", code="required")
    if has_invisible_characters(title):
        raise ValidationError(
            INVISIBLE_CHARACTERS, code="invisible", params={"label": "Position title"}
        )
    problem = too_long(Position, "title", title)
    if problem is not None:
        raise problem
    if Position.objects.for_tenant(tenant).filter(title__lower=ci(title)).exists():
        raise ValidationError(POSITION_EXISTS, code="duplicate", params={"title": title})
    return Position.objects.create(tenant=tenant, title=title)


ORGANISATION_NAME_REQUIRED = "Enter the employer's name."


PARENT_GROUP_UNKNOWN = "Choose the employer group this employer belongs under."


def organisation_clean(
    *,
    tenant: Tenant,
    name: str,
    parent_group: EmployerGroup | None = None,
    parent_group_id: int | None = None,
    taken_names: set[str] | None = None,
    **address: Any,
) -> dict[str, Any]:
    """Every rule of a new employer organisation (the page, the dialog and the importer):
    its name, given and not taken in the tenant, ignoring case (``taken_names``, casefolded,
    answers that for an importer's batch without a query a row), its address, and the group it
    goes under, by default the top of the tenant's employer hierarchy."""
    name = " ".join(name.split())
    errors: dict[str, ValidationError] = {}
    if parent_group is None and parent_group_id is not None:
        parent_group = (
            EmployerGroup.objects.for_tenant(tenant)
            .exclude(kind=GroupKind.EMPLOYER)
            .filter(pk=parent_group_id)
            .first()
        )
        if parent_group is None:
            errors["parent_group"] = ValidationError(PARENT_GROUP_UNKNOWN, code="unknown")
    elif parent_group is None:
        parent_group = employers_root(tenant=tenant)
    if not name:
        errors["name"] = ValidationError(ORGANISATION_NAME_REQUIRED, code="required")
    elif has_invisible_characters(name):
        errors["name"] = ValidationError(
            INVISIBLE_CHARACTERS, code="invisible", params={"label": "Employer name"}
        )
    elif (
        name.casefold() in taken_names
        if taken_names is not None
        else Organisation.objects.for_tenant(tenant).filter(name__lower=ci(name)).exists()
    ):
        errors["name"] = ValidationError(
            ORGANISATION_EXISTS, code="duplicate", params={"name": name}
        )
    for field in ("name", *address):
        problem = too_long(
            Organisation, field, name if field == "name" else str(address[field] or "")
        )
        if problem is not None:
            errors[field] = problem
    if address.get("postcode") and "postcode" not in errors:
        try:
            address["postcode"] = normalise_postcode(address["postcode"])
        except ValidationError as error:
            errors["postcode"] = error
    if errors:
        raise ValidationError(errors)
    return {"name": name, "parent_group": parent_group, **address}


@transaction.atomic
def organisation_create(
    *,
    tenant: Tenant,
    name: str,
    parent_group: EmployerGroup | None = None,
    parent_group_id: int | None = None,
    **address: str,
) -> Organisation:
    """An employer organisation together with its own employer group of kind "Employer",
    placed under ``parent_group`` (or the group of that id), by default the top of the
    tenant's employer hierarchy: never a stray root of its own."""
    fields: dict[str, Any] = dict(address)
    clean = organisation_clean(
        tenant=tenant,
        name=name,
        parent_group=parent_group,
        parent_group_id=parent_group_id,
        **fields,
    )
    parent = clean.pop("parent_group")
    group = employer_group_create(
        tenant=tenant, name=clean["name"], parent=parent, kind=GroupKind.EMPLOYER
    )
    return Organisation.objects.create(tenant=tenant, group=group, **clean)


GROUPS_REQUIRED = "Select at least one employer group."
GROUP_UNKNOWN = "One of the selected employer groups no longer exists. Search and select again."
ROLE_UNKNOWN = "One of the selected roles is not available for employers."
POSITION_UNKNOWN = "The selected position no longer exists. Choose another."


def _ids(values: Iterable[Any] | None) -> set[int]:
    """The ids among ``values``; anything that is not one counts as an unknown id (-1)."""
    return {parse_id(value) or -1 for value in values or ()}


@dataclass(frozen=True)
class Catalogue:
    """What a batch of imported rows refers to, read once for the batch (the importer's):
    the tenant's groups, employer roles and positions by id, and the addresses already taken
    (casefolded, to whether that account is archived)."""

    groups: Mapping[int, EmployerGroup]
    roles: Mapping[int, Role]
    positions: Mapping[int, Position]
    taken: Mapping[str, bool]


def employer_clean(
    *,
    tenant: Tenant,
    data: Mapping[str, Any],
    existing: User | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """Every rule of the Add Employer form, for the page, the CSV importer and the API alike.

    ``data`` holds the person's details plus ``employer_groups``, ``roles`` (ids or objects),
    ``position`` (id, object or empty), ``interfaces`` (a subset of {"classic", "console"}) and,
    when creating, ``invite`` (True or False). Raises one ValidationError keyed by field.
    """
    clean, errors = person_details_clean(
        tenant=tenant,
        data=data,
        existing=existing,
        mobile_required=True,
        taken=catalogue.taken if catalogue else None,
    )

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    group_ids = _ids(data.get("employer_groups"))
    if catalogue is not None:
        groups = [catalogue.groups[pk] for pk in group_ids if pk in catalogue.groups]
    else:
        groups = list(EmployerGroup.objects.for_tenant(tenant).filter(pk__in=group_ids))
    if not group_ids:
        fail("employer_groups", GROUPS_REQUIRED, "required")
    elif len(groups) != len(group_ids):
        fail("employer_groups", GROUP_UNKNOWN, "unknown")
    clean["employer_groups"] = groups

    role_ids = _ids(data.get("roles"))
    if catalogue is not None:
        roles = [catalogue.roles[pk] for pk in role_ids if pk in catalogue.roles]
    else:
        roles = list(
            Role.objects.for_tenant(tenant).filter(audience=RoleAudience.EMPLOYER, pk__in=role_ids)
        )
    if len(roles) != len(role_ids):
        fail("roles", ROLE_UNKNOWN, "unknown")
    clean["roles"] = roles

    position = data.get("position")
    clean["position"] = None
    if position:
        position_ids = _ids([position])
        if catalogue is not None:
            clean["position"] = next(
                (catalogue.positions[pk] for pk in position_ids if pk in catalogue.positions),
                None,
            )
        else:
            clean["position"] = (
                Position.objects.for_tenant(tenant).filter(pk__in=position_ids).first()
            )
        if clean["position"] is None:
            fail("position", POSITION_UNKNOWN, "unknown")

    try:
        clean.update(interface_access_clean(data.get("interfaces")))
    except ValidationError as error:
        errors.setdefault("interfaces", []).append(error)

    if existing is None:
        try:
            clean["invite"] = invite_answer_clean(data.get("invite"), noun="employer")
        except ValidationError as error:
            errors.setdefault("invite", []).append(error)

    if errors:
        raise ValidationError(errors)
    return clean


def employer_create(
    *, tenant: Tenant, created_by: User | None, data: Mapping[str, Any]
) -> tuple[User, Invitation | None]:
    """Create an employer, invited at once or kept as a Prospect (see ``person_create``)."""
    clean = employer_clean(tenant=tenant, data=data)
    invite = clean.pop("invite")
    groups = clean.pop("employer_groups")
    roles = clean.pop("roles")
    position = clean.pop("position")

    def populate(user: User) -> str:
        # A new person has no links yet: add() is one INSERT each, where set() reads first.
        EmployerProfile.objects.create(user=user, position=position)
        user.employer_groups.add(*groups)
        if roles:
            user.roles.add(*roles)
        organisations = organisations_of_groups(groups)
        if organisations:
            user.organisations.add(*organisations)
        return ""

    return person_create(
        tenant=tenant,
        user_type=UserType.EMPLOYER,
        created_by=created_by,
        clean=clean,
        invite=invite,
        populate=populate,
    )


EDITABLE_FIELDS = (*PERSON_FIELDS, "interface_classic", "interface_console")


def employer_update(
    *, user: User, updated_by: User | None, data: Mapping[str, Any]
) -> tuple[User, bool]:
    """Edit an employer with the Add Employer rules; (the employer, whether the email changed).

    The row is re-read under a lock and only the edited columns are written (see
    ``person_locked``). A new email stops every earlier activation link."""
    with transaction.atomic():
        person = person_locked(user)
        clean = employer_clean(tenant=person.tenant, data=data, existing=person)
        groups = clean.pop("employer_groups")
        roles = clean.pop("roles")
        position = clean.pop("position")
        changed = person_fields_save(person, clean, EDITABLE_FIELDS)
        profile, _ = EmployerProfile.objects.get_or_create(user=person)
        if profile.position != position:
            changed.append("position")
            profile.position = position
            profile.save(update_fields=["position"])
        person.employer_groups.set(groups)
        person.roles.set(roles)
        person.organisations.set(organisations_of_groups(groups))
        audit_updated(user=person, updated_by=updated_by, changed=changed)
    return person, "email" in changed
