"""Learners from a CSV file, each with (optionally) one employer record: the Add Learner rules
(``learners.services.learner_clean``) handed what the batch refers to, read once."""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models.functions import Lower

from accounts.models import Tenant, User, UserType
from employers.models import EmployerGroup, Organisation
from employers.selectors import ACTIVE_STAFF_STATUSES
from learners.models import EmployerRecord, LearnerProfile
from learners.services import LearnerCatalogue, learner_clean, learner_update

from .csvfile import Column, FileProblem, read
from .employers import group_index, interfaces_of
from .people import (
    NO_PEOPLE,
    TOO_MANY_CELLS,
    UNKNOWN_NAMED,
    Check,
    PersonRows,
    counted_batches,
    existing_people,
    groups_named,
    split_cell,
    write_people,
)

COLUMNS = (
    Column("Title", "title", required=True),
    Column("First name", "first_name", required=True, aliases=("forename", "given name")),
    Column("Surname", "surname", required=True, aliases=("last name", "family name")),
    Column("Email", "email", required=True, aliases=("email address",)),
    Column("Mobile number", "mobile", required=True, aliases=("mobile", "phone")),
    Column("Gender", "gender"),
    Column("Date of birth", "date_of_birth", aliases=("dob", "birth date")),
    Column("National Insurance number", "national_insurance_number", aliases=("ni number",)),
    Column("Groups", "employer_groups", aliases=("employer groups",)),
    Column("Employer", "employer", aliases=("organisation", "employer name")),
    Column("Manager", "manager", aliases=("manager email",)),
    Column("Mentor", "mentor", aliases=("mentor email",)),
    Column("Interfaces", "interfaces", aliases=("interface access",)),
    Column("Main Aim Registration Number", "main_aim_reference", aliases=("marn",)),
    Column("Invite", "invite", aliases=("send invitation",)),
)
LABELS = {column.field: column.label for column in COLUMNS}
# The record's own rules speak of "employer_records"; its cells are these.
RECORD_LABEL = "Employer"
TEMPLATE_ROWS = (
    [column.label for column in COLUMNS],
    [
        "Miss",
        "Lily",
        "Carter",
        "lily.carter@example.com",
        "07400 555666",
        "Female",
        "27/03/2007",
        "AB 12 34 56 C",
        "",
        "Harbour Digital",
        "manager@example.com",
        "",
        "Classic",
        "ZPROG001",
        "Yes",
    ],
)
DATE_UNREADABLE = "Write the date of birth as day/month/year, like 27/03/2007."
NOT_STAFF = "No employer user at %(employer)s has the address '%(email)s'."


def _date(cell: str, problems: list[tuple[str, str]]) -> date | None:
    text = cell.strip()
    if not text:
        return None
    for shape in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    problems.append((LABELS["date_of_birth"], DATE_UNREADABLE))
    return None


def _catalogue(tenant: Tenant, batch: Sequence[tuple[int, dict[str, str], int]]):
    emails, group_names, employers, staff_emails = set(), set(), set(), set()
    for _, values, _ in batch:
        emails.add(User.objects.normalize_email(values.get("email", "")).casefold())
        group_names.update(
            cell.casefold() for cell in split_cell(values.get("employer_groups", ""))
        )
        if values.get("employer", "").strip():
            employers.add(values["employer"].strip().casefold())
        for role in ("manager", "mentor"):
            if values.get(role, "").strip():
                staff_emails.add(User.objects.normalize_email(values[role]).casefold())
    organisations = (
        list(
            Organisation.objects.for_tenant(tenant)
            .annotate(name_ci=Lower("name"))
            .filter(name_ci__in=employers)
        )
        if employers
        else []
    )
    staff: dict[tuple[int, int], User] = {}
    staff_by_email: dict[tuple[int, str], User] = {}
    if organisations and staff_emails:
        links = (
            Organisation.members.through.objects.filter(
                organisation__in=organisations,
                user__user_type=UserType.EMPLOYER,
                user__is_archived=False,
                user__status__in=ACTIVE_STAFF_STATUSES,
            )
            .annotate(email_ci=Lower("user__email"))
            .filter(email_ci__in=staff_emails)
            .select_related("user")
        )
        for link in links:
            staff[(link.organisation_id, link.user_id)] = link.user
            staff_by_email[(link.organisation_id, link.user.email.casefold())] = link.user
    return (
        existing_people(tenant, emails),
        groups_named(tenant, group_names),
        organisations,
        staff,
        staff_by_email,
    )


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
    """Check every row; nothing is written. Raises FileProblem for the file as a whole."""
    rows = read(raw, COLUMNS)
    found = Check()
    shared = PersonRows(
        labels={**LABELS, "employer_records": RECORD_LABEL},
        user_type=UserType.LEARNER,
        noun="a learner",
        send_invitations=send_invitations,
        update_existing=update_existing,
    )
    header_width = len(rows.fields)
    for batch in counted_batches(rows, found, max_rows=max_rows, progress=progress):
        existing, groups, organisations, staff, staff_by_email = _catalogue(tenant, batch)
        index = group_index(groups)
        by_name = {organisation.name.casefold(): organisation for organisation in organisations}
        catalogue = LearnerCatalogue(
            groups={group.pk: group for group in groups}
            | ({default_group.pk: default_group} if default_group else {}),
            organisations={organisation.pk: organisation for organisation in organisations},
            staff=staff,
            taken={},
        )

        def clean(
            data: dict[str, Any], person: User | None, catalogue: LearnerCatalogue = catalogue
        ) -> dict[str, Any]:
            return learner_clean(tenant=tenant, data=data, existing=person, catalogue=catalogue)

        for number, values, width in batch:
            problems: list[tuple[str, str]] = []
            if width > header_width:
                problems.append(("", TOO_MANY_CELLS))
            data = shared.person(values, problems)
            data["date_of_birth"] = _date(values.get("date_of_birth", ""), problems)
            data["national_insurance_number"] = values.get("national_insurance_number", "")
            data["employer_groups"] = shared.groups(
                values.get("employer_groups", ""),
                index,
                problems,
                field="employer_groups",
                default=default_group,
            )
            data["employer_records"] = []
            employer = values.get("employer", "").strip()
            if employer:
                organisation = by_name.get(employer.casefold())
                record: dict[str, Any] = {
                    "key": "imported",
                    "organisation": organisation.pk if organisation else None,
                    "interfaces": interfaces_of(values.get("interfaces", ""), problems),
                    "main_aim_reference": values.get("main_aim_reference", ""),
                }
                if organisation is None:
                    what = {"what": "employer", "name": employer}
                    problems.append((LABELS["employer"], UNKNOWN_NAMED % what))
                for role in ("manager", "mentor"):
                    address = User.objects.normalize_email(values.get(role, "")).casefold()
                    record[role] = None
                    if address and organisation is not None:
                        person = staff_by_email.get((organisation.pk, address))
                        if person is None:
                            where = {"employer": organisation.name, "email": values[role].strip()}
                            problems.append((LABELS[role], NOT_STAFF % where))
                        else:
                            record[role] = person.pk
                data["employer_records"] = [record]
                data["primary_record"] = "imported"
            shared.settle(found, number, values, data, problems, existing, clean)
    if found.rows == 0:
        raise FileProblem(NO_PEOPLE)
    return found


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

    def populate(users: list[User], batch: list[dict[str, Any]]) -> None:
        pairs = list(zip(users, batch, strict=True))
        LearnerProfile.objects.bulk_create(
            LearnerProfile(
                user=user,
                date_of_birth=row["date_of_birth"],
                national_insurance_number=row["national_insurance_number"],
            )
            for user, row in pairs
        )
        Membership = EmployerGroup.members.through
        Membership.objects.bulk_create(
            Membership(employergroup_id=group.pk, user_id=user.pk)
            for user, row in pairs
            for group in row["employer_groups"]
        )
        EmployerRecord.objects.bulk_create(
            EmployerRecord(
                tenant=tenant,
                learner=user,
                organisation=record["organisation"],
                manager=record["manager"],
                mentor=record["mentor"],
                interface_classic=record["interface_classic"],
                interface_console=record["interface_console"],
                main_aim_reference=record["main_aim_reference"],
                is_primary=record["is_primary"],
            )
            for user, row in pairs
            for record in row["employer_records"]
        )

    return write_people(
        tenant=tenant,
        uploaded_by=uploaded_by,
        found=found,
        user_type=UserType.LEARNER,
        update=learner_update,
        populate=populate,
        upload_id=upload_id,
        progress=progress,
        now=now,
    )
