"""Employers from a CSV file: checked a batch at a time with the Add Employer rules
(``employers.services.employer_clean``, handed what the batch refers to, read once), then
written a batch at a time with ``bulk_create``: no query a row, no password hashed."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import (
    AuditEvent,
    Gender,
    Invitation,
    Role,
    RoleAudience,
    Tenant,
    Title,
    User,
    UserStatus,
    UserType,
)
from accounts.people import PERSON_FIELDS
from employers.models import EmployerGroup, EmployerProfile, Organisation, Position
from employers.services import Catalogue, employer_clean, employer_update

from .csvfile import Column, FileProblem, read

BATCH = 1000
MAX_PROBLEMS_KEPT = 1000
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

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
INVITE_UNREADABLE = "Write Yes or No, or leave it empty to follow the page's choice."
TOO_MANY_CELLS = "This row has more cells than the header has columns."
DUPLICATE_IN_FILE = "This email address is also in row %(row)s of the file."
TOO_MANY_ROWS = "This file has more than %(limit)s rows. Split it into smaller files."
UNKNOWN_NAMED = "No %(what)s called '%(name)s' in this tenant."
AMBIGUOUS_GROUP = (
    "More than one employer group is called '%(name)s'. Write its whole place, like "
    "'All employers › North West › %(name)s'."
)
TITLE_UNKNOWN = "Title must be one of: %(choices)s."
GENDER_UNKNOWN = "Gender must be one of: %(choices)s, or empty."
INTERFACE_UNKNOWN = "Interfaces must be Classic, Console or both (Classic|Console)."
NOT_AN_EMPLOYER = "This address belongs to a %(kind)s, not an employer."


@dataclass
class Check:
    """What checking a file found."""

    rows: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    error_count: int = 0
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[User, dict[str, Any]]] = field(default_factory=list)
    skipped: int = 0

    def problem(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append((row, column, message))

    @property
    def invites(self) -> int:
        return sum(1 for row in self.creates if row["invite"])


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _catalogue(tenant: Tenant, batch: Sequence[tuple[int, dict[str, str], int]]):
    """Everything the batch names, in one query per kind."""
    emails, group_names, role_names, titles = set(), set(), set(), set()
    for _, values, _ in batch:
        emails.add(User.objects.normalize_email(values.get("email", "")).casefold())
        group_names.update(name.casefold() for name in _split(values.get("employer_groups", "")))
        role_names.update(name.casefold() for name in _split(values.get("roles", "")))
        if values.get("position", "").strip():
            titles.add(values["position"].strip().casefold())
    existing = {
        user.email.casefold(): user
        for user in User.objects.for_tenant(tenant)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
    }
    groups = (
        list(
            EmployerGroup.objects.for_tenant(tenant)
            .annotate(name_ci=Lower("name"), path_ci=Lower("path"))
            .filter(Q(name_ci__in=group_names) | Q(path_ci__in=group_names))
        )
        if group_names
        else []
    )
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
    return existing, groups, roles, positions


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
    found = Check()
    seen_emails: dict[str, int] = {}
    titles = {choice.casefold(): choice for choice in Title.values}
    genders = {label.casefold(): value for value, label in Gender.choices}
    genders.update({value.casefold(): value for value in Gender.values})
    header_width = len(rows.fields)
    for batch in _batches(rows, BATCH):
        found.rows += len(batch)
        if progress:
            progress(found.rows)
        if found.rows > max_rows:
            raise FileProblem(TOO_MANY_ROWS % {"limit": f"{max_rows:,}"})
        existing, groups, roles, positions = _catalogue(tenant, batch)
        by_name: dict[str, list[EmployerGroup]] = {}
        for group in groups:
            by_name.setdefault(group.path.casefold(), []).append(group)
            if group.name.casefold() != group.path.casefold():
                by_name.setdefault(group.name.casefold(), []).append(group)
        roles_by_name = {role.name.casefold(): role for role in roles}
        positions_by_title = {position.title.casefold(): position for position in positions}
        catalogue = Catalogue(
            groups={group.pk: group for group in groups}
            | ({default_group.pk: default_group} if default_group else {}),
            roles={role.pk: role for role in roles},
            positions={position.pk: position for position in positions},
            taken={},  # existing addresses are sorted out below, before the rules run
        )
        for number, values, width in batch:
            problems: list[tuple[str, str]] = []
            if width > header_width:
                problems.append(("", TOO_MANY_CELLS))
            data: dict[str, Any] = {field: values.get(field, "") for field in PERSON_FIELDS}
            title = values.get("title", "").strip()
            data["title"] = titles.get(title.casefold(), title)
            if title and title.casefold() not in titles:
                problems.append(
                    (LABELS["title"], TITLE_UNKNOWN % {"choices": ", ".join(Title.values)})
                )
            gender = values.get("gender", "").strip()
            data["gender"] = genders.get(gender.casefold(), "") if gender else ""
            if gender and gender.casefold() not in genders:
                problems.append(
                    (LABELS["gender"], GENDER_UNKNOWN % {"choices": ", ".join(Gender.labels)})
                )
            group_ids = []
            for name in _split(values.get("employer_groups", "")):
                matches = by_name.get(name.casefold(), [])
                if not matches:
                    problems.append(
                        (
                            LABELS["employer_groups"],
                            UNKNOWN_NAMED % {"what": "employer group", "name": name},
                        )
                    )
                elif len({group.pk for group in matches}) > 1:
                    problems.append((LABELS["employer_groups"], AMBIGUOUS_GROUP % {"name": name}))
                else:
                    group_ids.append(matches[0].pk)
            if not group_ids and default_group and not values.get("employer_groups", "").strip():
                group_ids = [default_group.pk]
            data["employer_groups"] = group_ids
            role_ids = []
            for name in _split(values.get("roles", "")):
                role = roles_by_name.get(name.casefold())
                if role is None:
                    problems.append(
                        (LABELS["roles"], UNKNOWN_NAMED % {"what": "employer role", "name": name})
                    )
                else:
                    role_ids.append(role.pk)
            data["roles"] = role_ids
            title_text = values.get("position", "").strip()
            position = positions_by_title.get(title_text.casefold()) if title_text else None
            if title_text and position is None:
                problems.append(
                    (LABELS["position"], UNKNOWN_NAMED % {"what": "position", "name": title_text})
                )
            data["position"] = position.pk if position else None
            interfaces = [part.casefold() for part in _split(values.get("interfaces", ""))]
            if any(part not in ("classic", "console") for part in interfaces):
                problems.append((LABELS["interfaces"], INTERFACE_UNKNOWN))
                interfaces = []
            data["interfaces"] = interfaces
            answer = values.get("invite", "").strip().casefold()
            if answer and answer not in YES | NO:
                problems.append((LABELS["invite"], INVITE_UNREADABLE))
            data["invite"] = (answer in YES) if answer else send_invitations

            email_key = User.objects.normalize_email(values.get("email", "")).casefold()
            person = existing.get(email_key) if email_key else None
            if email_key and email_key in seen_emails:
                problems.append(
                    (LABELS["email"], DUPLICATE_IN_FILE % {"row": seen_emails[email_key]})
                )
            elif email_key:
                seen_emails[email_key] = number
            if person is not None and not update_existing:
                if not problems:
                    found.skipped += 1
                for column, message in problems:
                    found.problem(number, column, message)
                continue
            if person is not None and person.user_type != UserType.EMPLOYER:
                problems.append(
                    (
                        LABELS["email"],
                        NOT_AN_EMPLOYER % {"kind": person.get_user_type_display().lower()},
                    )
                )
            try:
                clean = employer_clean(
                    tenant=tenant, data=data, existing=person, catalogue=catalogue
                )
            except ValidationError as error:
                # A column the file's own reading already faulted (an unknown group, say)
                # keeps that message; the rules' message for it would only repeat it.
                faulted = {column for column, _ in problems}
                for field_name, messages in error.message_dict.items():
                    column = LABELS.get(field_name, field_name)
                    if column not in faulted:
                        problems += [(column, message) for message in messages]
                clean = None
            for column, message in problems:
                found.problem(number, column, message)
            if problems or clean is None:
                continue
            if person is not None:
                found.updates.append((person, data))
            else:
                found.creates.append(clean)
    if found.rows == 0:
        raise FileProblem("This file has a header but no people. Add a row for each person.")
    return found


class ImportRaced(Exception):
    """Someone created an account with one of the file's addresses meanwhile."""


def write(
    *,
    tenant: Tenant,
    uploaded_by: User | None,
    found: Check,
    upload_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, list[int]]:
    """Write every checked row, or none: (created, updated, invitation ids to send).
    ``progress`` hears how many rows are written so far, after each batch."""
    now = timezone.now()
    invitation_ids: list[int] = []
    written = 0
    try:
        with transaction.atomic():
            for person, data in found.updates:
                employer_update(user=person, updated_by=uploaded_by, data=data)
            written += len(found.updates)
            for batch in _batches(found.creates, BATCH):
                invitation_ids += _create_batch(tenant, uploaded_by, batch, now, upload_id)
                written += len(batch)
                if progress:
                    progress(written)
    except IntegrityError:
        raise ImportRaced from None
    return len(found.creates), len(found.updates), invitation_ids


def _create_batch(
    tenant: Tenant, by: User | None, batch: list[dict[str, Any]], now, upload_id: int | None
) -> list[int]:
    emails = [row["email"] for row in batch]
    usernames_taken = set(
        User.objects.annotate(username_ci=Lower("username"))
        .filter(username_ci__in=[email.casefold() for email in emails])
        .values_list("username_ci", flat=True)
    )
    unusable = make_password(None)  # no hash is computed for an unusable password
    expires = now + timedelta(days=tenant.activation_link_days)
    users = [
        User(
            tenant=tenant,
            user_type=UserType.EMPLOYER,
            status=UserStatus.INVITED if row["invite"] else UserStatus.PROSPECT,
            username=None if row["email"].casefold() in usernames_taken else row["email"],
            invitation_count=1 if row["invite"] else 0,
            invited_at=now if row["invite"] else None,
            password=unusable,
            created_at=now,
            interface_classic=row["interface_classic"],
            interface_console=row["interface_console"],
            **{name: row[name] for name in PERSON_FIELDS},
        )
        for row in batch
    ]
    User.objects.bulk_create(users)
    EmployerProfile.objects.bulk_create(
        EmployerProfile(user=user, position=row["position"])
        for user, row in zip(users, batch, strict=True)
    )
    Membership = EmployerGroup.members.through
    Membership.objects.bulk_create(
        Membership(employergroup_id=group.pk, user_id=user.pk)
        for user, row in zip(users, batch, strict=True)
        for group in row["employer_groups"]
    )
    RoleLink = User.roles.through
    RoleLink.objects.bulk_create(
        RoleLink(user_id=user.pk, role_id=role.pk)
        for user, row in zip(users, batch, strict=True)
        for role in row["roles"]
    )
    group_ids = {group.pk for row in batch for group in row["employer_groups"]}
    organisation_of = dict(
        Organisation.objects.filter(group_id__in=group_ids).values_list("group_id", "pk")
    )
    Staff = Organisation.members.through
    Staff.objects.bulk_create(
        Staff(organisation_id=organisation_of[group.pk], user_id=user.pk)
        for user, row in zip(users, batch, strict=True)
        for group in row["employer_groups"]
        if group.pk in organisation_of
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            tenant=tenant,
            actor=by,
            subject=user,
            action="user.created",
            summary=f"Employer {user.full_name} created as "
            f"{'Invited' if row['invite'] else 'Prospect'} from a CSV upload",
            details={"upload": upload_id} if upload_id else {},
        )
        for user, row in zip(users, batch, strict=True)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            tenant=tenant,
            user=user,
            sent_by=by,
            sequence=1,
            email=user.email,
            expires_at=expires,
        )
        for user, row in zip(users, batch, strict=True)
        if row["invite"]
    )
    return [invitation.pk for invitation in invitations]
