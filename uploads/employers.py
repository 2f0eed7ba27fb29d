"""Employers from a CSV file: checked a batch at a time with the Add Employer rules
(``employers.services.employer_clean``, handed what the batch refers to, read once), then
written a batch at a time with ``bulk_create``: no query a row, no password hashed."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models.functions import Lower

from accounts.models import (
    INTERFACES,
    Role,
    RoleAudience,
    Tenant,
    User,
    UserType,
)
from employers.models import EmployerGroup, EmployerProfile, Organisation, Position
from employers.services import Catalogue, employer_clean, employer_update

from .csvfile import Column, FileProblem, read
from .people import (
    NO_PEOPLE,
    TOO_MANY_CELLS,
    UNKNOWN_NAMED,
    Check,
    ImportRaced,
    PersonRows,
    counted_batches,
    existing_people,
    groups_named,
    split_cell,
    write_people,
)

__all__ = ["COLUMNS", "Check", "ImportRaced", "check", "write"]

COLUMNS = (
    Column("Title", "title", required=True),
    Column("First name", "first_name", required=True, aliases=("forename", "given name")),
    Column("Surname", "surname", required=True, aliases=("last name", "family name")),
    Column("Email", "email", required=True, aliases=("email address",)),
    Column("Mobile number", "mobile", required=True, aliases=("mobile", "phone")),
    Column("Gender", "gender"),
    Column("Employer groups", "employer_groups", aliases=("employer group", "groups")),
    Column("Roles", "roles", aliases=("role",)),
    Column("Position", "position"),
    Column("Interfaces", "interfaces", required=True, aliases=("interface access",)),
    Column("Invite", "invite", aliases=("send invitation",)),
)
LABELS = {column.field: column.label for column in COLUMNS}
TEMPLATE_ROWS = (
    [column.label for column in COLUMNS],
    [
        "Mr",
        "Sam",
        "Khan",
        "sam.khan@example.com",
        "07400 123456",
        "Male",
        "All employers › North West",
        "",
        "Site Foreman",
        "Classic|Console",
        "Yes",
    ],
)

INTERFACE_UNKNOWN = "Interfaces must be Classic, Console or both (Classic|Console)."


def _catalogue(tenant: Tenant, batch: Sequence[tuple[int, dict[str, str], int]]):
    """Everything the batch names, in one query per kind."""
    emails, group_names, role_names, titles = set(), set(), set(), set()
    for _, values, _ in batch:
        emails.add(User.objects.normalize_email(values.get("email", "")).casefold())
        group_names.update(
            cell.casefold() for cell in split_cell(values.get("employer_groups", ""))
        )
        role_names.update(cell.casefold() for cell in split_cell(values.get("roles", "")))
        if values.get("position", "").strip():
            titles.add(values["position"].strip().casefold())
    roles = (
        list(
            Role.objects.for_tenant(tenant)
            .filter(audience=RoleAudience.EMPLOYER)
            .annotate(name_ci=Lower("name"))
            .filter(name_ci__in=role_names)
        )
        if role_names
        else []
    )
    positions = (
        list(
            Position.objects.for_tenant(tenant)
            .annotate(title_ci=Lower("title"))
            .filter(title_ci__in=titles)
        )
        if titles
        else []
    )
    return existing_people(tenant, emails), groups_named(tenant, group_names), roles, positions


def group_index(groups: Sequence[EmployerGroup]) -> dict[str, list[EmployerGroup]]:
    """Groups by their whole place and by their own name (casefolded)."""
    index: dict[str, list[EmployerGroup]] = {}
    for group in groups:
        index.setdefault(group.path.casefold(), []).append(group)
        if group.name.casefold() != group.path.casefold():
            index.setdefault(group.name.casefold(), []).append(group)
    return index


def check(
    *,
    tenant: Tenant,
    raw: bytes,
    default_group: EmployerGroup | None,
    send_invitations: bool,
    update_existing: bool,
    max_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Check:
    """Check every row; nothing is written. Raises FileProblem for the file as a whole.
    ``progress`` hears how many rows are checked so far, after each batch."""
    rows = read(raw, COLUMNS)
    return check_rows(
        tenant=tenant,
        rows=rows,
        header_width=len(rows.fields),
        default_group=default_group,
        send_invitations=send_invitations,
        update_existing=update_existing,
        max_rows=max_rows,
        progress=progress,
    )


def check_rows(
    *,
    tenant: Tenant,
    rows: Iterable[tuple[int, dict[str, str], int]],
    header_width: int,
    default_group: EmployerGroup | None,
    send_invitations: bool,
    update_existing: bool,
    max_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Check:
    """Check rows given as (row number, cells by field, how many cells), from a file or from
    the API's bulk create: the same rules and messages either way."""
    found = Check()
    shared = PersonRows(
        labels=LABELS,
        user_type=UserType.EMPLOYER,
        noun="an employer",
        send_invitations=send_invitations,
        update_existing=update_existing,
    )
    for batch in counted_batches(rows, found, max_rows=max_rows, progress=progress):
        existing, groups, roles, positions = _catalogue(tenant, batch)
        index = group_index(groups)
        roles_by_name = {role.name.casefold(): role for role in roles}
        positions_by_title = {position.title.casefold(): position for position in positions}
        catalogue = Catalogue(
            groups={group.pk: group for group in groups}
            | ({default_group.pk: default_group} if default_group else {}),
            roles={role.pk: role for role in roles},
            positions={position.pk: position for position in positions},
            taken={},  # existing addresses are sorted out by PersonRows.settle
        )

        def clean(
            data: dict[str, Any], person: User | None, catalogue: Catalogue = catalogue
        ) -> dict[str, Any]:
            return employer_clean(tenant=tenant, data=data, existing=person, catalogue=catalogue)

        for number, values, width in batch:
            problems: list[tuple[str, str]] = []
            if width > header_width:
                problems.append(("", TOO_MANY_CELLS))
            data = shared.person(values, problems)
            data["employer_groups"] = shared.groups(
                values.get("employer_groups", ""),
                index,
                problems,
                field="employer_groups",
                default=default_group,
            )
            role_ids = []
            for name in split_cell(values.get("roles", "")):
                role = roles_by_name.get(name.casefold())
                if role is None:
                    what = {"what": "employer role", "name": name}
                    problems.append((LABELS["roles"], UNKNOWN_NAMED % what))
                else:
                    role_ids.append(role.pk)
            data["roles"] = role_ids
            title_text = values.get("position", "").strip()
            position = positions_by_title.get(title_text.casefold()) if title_text else None
            if title_text and position is None:
                what = {"what": "position", "name": title_text}
                problems.append((LABELS["position"], UNKNOWN_NAMED % what))
            data["position"] = position.pk if position else None
            data["interfaces"] = interfaces_of(values.get("interfaces", ""), problems)
            shared.settle(found, number, values, data, problems, existing, clean)
    if found.rows == 0:
        raise FileProblem(NO_PEOPLE)
    return found


def interfaces_of(cell: str, problems: list[tuple[str, str]]) -> list[str]:
    interfaces = [part.casefold() for part in split_cell(cell)]
    if any(part not in INTERFACES for part in interfaces):
        problems.append(("Interfaces", INTERFACE_UNKNOWN))
        return []
    return interfaces


def write(
    *,
    tenant: Tenant,
    uploaded_by: User | None,
    found: Check,
    upload_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> tuple[int, int, list[int]]:
    """Write every checked row, or none: (created, updated, invitation ids to send)."""
    return write_people(
        tenant=tenant,
        uploaded_by=uploaded_by,
        found=found,
        user_type=UserType.EMPLOYER,
        update=employer_update,
        populate=_populate,
        upload_id=upload_id,
        progress=progress,
        now=now,
    )


def _populate(users: list[User], batch: list[dict[str, Any]]) -> None:
    """An employer's profile, groups, roles and organisations, a batch at a time."""
    pairs = list(zip(users, batch, strict=True))
    EmployerProfile.objects.bulk_create(
        EmployerProfile(user=user, position=row["position"]) for user, row in pairs
    )
    Membership = EmployerGroup.members.through
    Membership.objects.bulk_create(
        Membership(employergroup_id=group.pk, user_id=user.pk)
        for user, row in pairs
        for group in row["employer_groups"]
    )
    RoleLink = User.roles.through
    RoleLink.objects.bulk_create(
        RoleLink(user_id=user.pk, role_id=role.pk) for user, row in pairs for role in row["roles"]
    )
    group_ids = {group.pk for row in batch for group in row["employer_groups"]}
    organisation_of = dict(
        Organisation.objects.filter(group_id__in=group_ids).values_list("group_id", "pk")
    )
    Staff = Organisation.members.through
    Staff.objects.bulk_create(
        Staff(organisation_id=organisation_of[group.pk], user_id=user.pk)
        for user, row in pairs
        for group in row["employer_groups"]
        if group.pk in organisation_of
    )
