"""What every kind of upload of people shares: what a check found, reading rows a batch at
a time, and writing new people a batch at a time with ``bulk_create`` (no query a row, no
password hashed) inside one transaction: every row, or none."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.audit import routed
from accounts.invitations.models import Invitation
from accounts.models import AuditEvent, Gender, Tenant, Title, User, UserStatus
from accounts.services import PERSON_FIELDS, username_default
from employers.models import EmployerGroup

from .csvfile import FileProblem

BATCH = 1000
MAX_PROBLEMS_KEPT = 1000


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
INVITE_UNREADABLE = "Write Yes or No, or leave it empty to follow the page's choice."
TOO_MANY_CELLS = "This row has more cells than the header has columns."
DUPLICATE_IN_FILE = "This email address is also in row %(row)s of the file."
TOO_MANY_ROWS = "This file has more than %(limit)s rows. Split it into smaller files."
NO_PEOPLE = "This file has a header but no people. Add a row for each person."
UNKNOWN_NAMED = "No %(what)s called '%(name)s' in this tenant."
AMBIGUOUS_GROUP = (
    "More than one employer group is called '%(name)s'. Write its whole place, like "
    "'All employers › North West › %(name)s'."
)
TITLE_UNKNOWN = "Title must be one of: %(choices)s."
GENDER_UNKNOWN = "Gender must be one of: %(choices)s, or empty."
NOT_THIS_KIND = "This address belongs to a %(kind)s, not %(noun)s."


class ImportRaced(Exception):
    """Someone created an account with one of the file's addresses meanwhile."""


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
        return sum(1 for row in self.creates if row.get("invite"))


def split_cell(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def counted_batches(
    rows: Iterable[Any],
    found: Check,
    *,
    max_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Any]]:
    """The file's rows a batch at a time, counted on ``found`` (and told to ``progress``);
    past ``max_rows`` the file is refused as a whole."""
    for batch in batches(rows, BATCH):
        found.rows += len(batch)
        if progress:
            progress(found.rows)
        if found.rows > max_rows:
            raise FileProblem(TOO_MANY_ROWS % {"limit": f"{max_rows:,}"})
        yield batch


def write_people(
    *,
    tenant: Tenant,
    uploaded_by: User | None,
    found: Check,
    user_type: str,
    update: Callable[..., Any],
    populate: Callable[[list[User], list[dict[str, Any]]], None],
    upload_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> tuple[int, int, list[int]]:
    """Write every checked row, or none: (created, updated, invitation ids to send).
    ``update`` is the kind's own edit service; ``populate`` adds what the kind of person has
    (profiles, groups, records) for a batch of new users. ``progress`` hears how many rows
    are written so far, after each batch. Every new person is created at ``now``, which
    finds them (and their invitations) again on the user_tenant_created_idx index."""
    now = now or timezone.now()
    invitation_ids: list[int] = []
    written = 0
    try:
        with transaction.atomic():
            for person, data in found.updates:
                update(user=person, updated_by=uploaded_by, data=data)
            written += len(found.updates)
            for batch in batches(found.creates, BATCH):
                users = _new_users(tenant, user_type, batch, now)
                populate(users, batch)
                invitation_ids += _record(tenant, uploaded_by, users, batch, now, upload_id)
                written += len(batch)
                if progress:
                    progress(written)
    except IntegrityError:
        raise ImportRaced from None
    return len(found.creates), len(found.updates), invitation_ids


def _new_users(
    tenant: Tenant, user_type: str, batch: list[dict[str, Any]], now: datetime
) -> list[User]:
    emails = [row["email"].casefold() for row in batch]
    usernames_taken = set(
        User.objects.annotate(username_ci=Lower("username"))
        .filter(username_ci__in=emails)
        .values_list("username_ci", flat=True)
    )
    unusable = make_password(None)  # no hash is computed for an unusable password
    users = [
        User(
            tenant=tenant,
            user_type=user_type,
            status=UserStatus.INVITED if row["invite"] else UserStatus.PROSPECT,
            username=username_default(row["email"], taken=usernames_taken),
            invitation_count=1 if row["invite"] else 0,
            invited_at=now if row["invite"] else None,
            password=unusable,
            created_at=now,
            interface_classic=row.get("interface_classic", True),
            interface_console=row.get("interface_console", False),
            **{name: row[name] for name in PERSON_FIELDS},
        )
        for row in batch
    ]
    User.objects.bulk_create(users)
    return users


def _record(
    tenant: Tenant,
    by: User | None,
    users: list[User],
    batch: list[dict[str, Any]],
    now: datetime,
    upload_id: int | None,
) -> list[int]:
    """The audit trail's "created" for each, and the invitations (sent after the commit)."""
    pairs = list(zip(users, batch, strict=True))
    events = []
    for user, row in pairs:
        summary, details = routed(
            f"{user.get_user_type_display()} {user.full_name} created as "
            f"{'Invited' if row['invite'] else 'Prospect'} "
            f"{'from a CSV upload' if upload_id else 'in a bulk create'}",
            {"upload": upload_id} if upload_id else {},
        )
        events.append(
            AuditEvent(
                tenant=tenant,
                actor=by,
                subject=user,
                action="user.created",
                summary=summary,
                details=details,
            )
        )
    AuditEvent.objects.bulk_create(events)
    expires = now + timedelta(days=tenant.activation_link_days)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            tenant=tenant, user=user, sent_by=by, sequence=1, email=user.email, expires_at=expires
        )
        for user, row in pairs
        if row["invite"]
    )
    return [invitation.pk for invitation in invitations]


def groups_named(tenant: Tenant, names: set[str]) -> list[EmployerGroup]:
    """The tenant's groups whose name or whole place is among ``names`` (casefolded)."""
    if not names:
        return []
    return list(
        EmployerGroup.objects.for_tenant(tenant)
        .annotate(name_ci=Lower("name"), path_ci=Lower("path"))
        .filter(Q(name_ci__in=names) | Q(path_ci__in=names))
    )


def existing_people(tenant: Tenant, emails: set[str]) -> dict[str, User]:
    """The tenant's accounts at these addresses (casefolded), by address."""
    return {
        user.email.casefold(): user
        for user in User.objects.for_tenant(tenant)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
    }


class PersonRows:
    """The part of checking a row every kind of person shares: the person's own cells, the
    groups named, the Invite column, an address met twice, and what to do with an account
    that exists already. The kind's own rules run in ``settle``'s ``clean``."""

    def __init__(
        self,
        *,
        labels: dict[str, str],
        user_type: str,
        noun: str,
        send_invitations: bool,
        update_existing: bool,
    ) -> None:
        self.labels = labels
        self.user_type = user_type
        self.noun = noun
        self.send_invitations = send_invitations
        self.update_existing = update_existing
        self.seen_emails: dict[str, int] = {}
        self.titles = {choice.casefold(): choice for choice in Title.values}
        self.genders = {label.casefold(): value for value, label in Gender.choices}
        self.genders.update({value.casefold(): value for value in Gender.values})

    def person(self, values: dict[str, str], problems: list[tuple[str, str]]) -> dict[str, Any]:
        data: dict[str, Any] = {name: values.get(name, "") for name in PERSON_FIELDS}
        title = values.get("title", "").strip()
        data["title"] = self.titles.get(title.casefold(), title)
        if title and title.casefold() not in self.titles:
            choices = ", ".join(Title.values)
            problems.append((self.labels["title"], TITLE_UNKNOWN % {"choices": choices}))
        gender = values.get("gender", "").strip()
        data["gender"] = self.genders.get(gender.casefold(), "") if gender else ""
        if gender and gender.casefold() not in self.genders:
            choices = ", ".join(str(label) for label in Gender.labels)
            problems.append((self.labels["gender"], GENDER_UNKNOWN % {"choices": choices}))
        answer = values.get("invite", "").strip().casefold()
        if answer and answer not in YES | NO:
            problems.append((self.labels["invite"], INVITE_UNREADABLE))
        data["invite"] = (answer in YES) if answer else self.send_invitations
        return data

    def groups(
        self,
        cell: str,
        index: dict[str, list[EmployerGroup]],
        problems: list[tuple[str, str]],
        *,
        field: str,
        default: EmployerGroup | None = None,
    ) -> list[int]:
        ids = []
        for name in split_cell(cell):
            matches = {group.pk for group in index.get(name.casefold(), [])}
            if not matches:
                what = {"what": "employer group", "name": name}
                problems.append((self.labels[field], UNKNOWN_NAMED % what))
            elif len(matches) > 1:
                problems.append((self.labels[field], AMBIGUOUS_GROUP % {"name": name}))
            else:
                ids.append(matches.pop())
        if not ids and default is not None and not cell.strip():
            ids = [default.pk]
        return ids

    def settle(
        self,
        found: Check,
        number: int,
        values: dict[str, str],
        data: dict[str, Any],
        problems: list[tuple[str, str]],
        existing: dict[str, User],
        clean: Callable[[dict[str, Any], User | None], dict[str, Any]],
    ) -> None:
        """Decide the row: a problem at each column, skipped, an update, or a new person."""
        email_key = User.objects.normalize_email(values.get("email", "")).casefold()
        person = existing.get(email_key) if email_key else None
        if email_key and email_key in self.seen_emails:
            where = {"row": self.seen_emails[email_key]}
            problems.append((self.labels["email"], DUPLICATE_IN_FILE % where))
        elif email_key:
            self.seen_emails[email_key] = number
        if person is not None and not self.update_existing:
            if not problems:
                found.skipped += 1
            for column, message in problems:
                found.problem(number, column, message)
            return
        if person is not None and person.user_type != self.user_type:
            kind = {"kind": person.get_user_type_display().lower(), "noun": self.noun}
            problems.append((self.labels["email"], NOT_THIS_KIND % kind))
        checked = None
        try:
            checked = clean(data, person)
        except ValidationError as error:
            # A column the file's own reading already faulted (an unknown group, say) keeps
            # that message; the rules' message for it would only repeat it.
            faulted = {column for column, _ in problems}
            for name, messages in error.message_dict.items():
                column = self.labels.get(name, name)
                if column not in faulted:
                    problems += [(column, message) for message in messages]
        order = {label: place for place, label in enumerate(self.labels.values())}
        problems.sort(key=lambda problem: order.get(problem[0], -1))  # in the file's order
        for column, message in problems:
            found.problem(number, column, message)
        if problems or checked is None:
            return
        if person is not None:
            found.updates.append((person, data))
        else:
            found.creates.append(checked)
