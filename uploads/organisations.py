"""Employer organisations from a CSV file: the rules of Organisations → Add
(``employers.services.organisation_clean``) a batch at a time, then each organisation and
its own employer group written with ``bulk_create``: every row, or none."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from accounts.models import AuditEvent, Tenant, User
from employers.models import EmployerGroup, GroupKind, Organisation
from employers.selectors import employers_root
from employers.services import organisation_clean

from .csvfile import Column, FileProblem, read
from .employers import group_index
from .people import (
    BATCH,
    TOO_MANY_CELLS,
    UNKNOWN_NAMED,
    Check,
    ImportRaced,
    batches,
    counted_batches,
    groups_named,
)

COLUMNS = (
    Column("Employer name", "name", required=True, aliases=("name", "organisation")),
    Column("Address line 1", "address_line_1", aliases=("address",)),
    Column("Address line 2", "address_line_2"),
    Column("Town or city", "town", aliases=("town", "city")),
    Column("Postcode", "postcode"),
    Column("Employer reference", "reference", aliases=("reference",)),
    Column("Employer group", "parent_group", aliases=("parent group", "group")),
)
LABELS = {column.field: column.label for column in COLUMNS}
TEMPLATE_ROWS = (
    [column.label for column in COLUMNS],
    [
        "Harbour Digital",
        "Unit 4, Quay Side",
        "",
        "Bristol",
        "BS1 5TR",
        "HD-001",
        "All employers › South West",
    ],
)
DUPLICATE_IN_FILE = "This employer is also in row %(row)s of the file."
NOT_UNDER_AN_EMPLOYER = "'%(name)s' is an employer's own group; choose an employer group."
NO_ORGANISATIONS = "This file has a header but no employers. Add a row for each employer."


def check(
    *,
    tenant: Tenant,
    raw: bytes,
    default_group: EmployerGroup | None,
    send_invitations: bool = False,
    update_existing: bool = False,
    max_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Check:
    """Check every row; nothing is written. Existing employers (by name) are skipped."""
    rows = read(raw, COLUMNS)
    found = Check()
    header_width = len(rows.fields)
    seen: dict[str, int] = {}
    fallback = default_group or employers_root(tenant=tenant)
    for batch in counted_batches(rows, found, max_rows=max_rows, progress=progress):
        names = {" ".join(values.get("name", "").split()).casefold() for _, values, _ in batch}
        taken = set(
            Organisation.objects.for_tenant(tenant)
            .annotate(name_ci=Lower("name"))
            .filter(name_ci__in=names)
            .values_list("name_ci", flat=True)
        )
        group_names = {
            values.get("parent_group", "").strip().casefold() for _, values, _ in batch
        } - {""}
        index = group_index(groups_named(tenant, group_names))
        for number, values, width in batch:
            problems: list[tuple[str, str]] = []
            if width > header_width:
                problems.append(("", TOO_MANY_CELLS))
            name = " ".join(values.get("name", "").split())
            if name and name.casefold() in taken and not problems:
                found.skipped += 1  # an employer of that name exists: left as it is
                continue
            if name.casefold() in seen and name:
                problems.append(
                    (LABELS["name"], DUPLICATE_IN_FILE % {"row": seen[name.casefold()]})
                )
            elif name:
                seen[name.casefold()] = number
            cell = values.get("parent_group", "").strip()
            parent = fallback
            if cell:
                matches = {group.pk: group for group in index.get(cell.casefold(), [])}
                if len(matches) != 1:
                    what = {"what": "employer group", "name": cell}
                    problems.append((LABELS["parent_group"], UNKNOWN_NAMED % what))
                else:
                    parent = next(iter(matches.values()))
                    if parent.kind == GroupKind.EMPLOYER:
                        problems.append(
                            (LABELS["parent_group"], NOT_UNDER_AN_EMPLOYER % {"name": cell})
                        )
            try:
                clean = organisation_clean(
                    tenant=tenant,
                    name=name,
                    parent_group=parent,
                    taken_names=taken,
                    **{
                        field: values.get(field, "").strip()
                        for field in LABELS
                        if field not in ("name", "parent_group")
                    },
                )
            except ValidationError as error:
                faulted = {column for column, _ in problems}
                for field, messages in error.message_dict.items():
                    column = LABELS.get(field, field)
                    if column not in faulted:
                        problems += [(column, message) for message in messages]
                clean = None
            for column, message in problems:
                found.problem(number, column, message)
            if clean is not None and not problems:
                found.creates.append(clean)
    if found.rows == 0:
        raise FileProblem(NO_ORGANISATIONS)
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
    """Every organisation with its own group, or none: (created, 0, no invitations)."""
    written = 0
    try:
        with transaction.atomic():
            for batch in batches(found.creates, BATCH):
                _create_batch(tenant, uploaded_by, batch, upload_id)
                written += len(batch)
                if progress:
                    progress(written)
    except IntegrityError:
        raise ImportRaced from None
    return len(found.creates), 0, []


def _create_batch(
    tenant: Tenant, by: User | None, batch: Sequence[dict[str, Any]], upload_id: int | None
) -> None:
    groups = [
        EmployerGroup(
            tenant=tenant,
            name=row["name"],
            parent=row["parent_group"],
            kind=GroupKind.EMPLOYER,
            # What EmployerGroup.save works out, for rows bulk_create does not save one by one.
            path=f"{row['parent_group'].path} › {row['name']}"
            if row["parent_group"]
            else row["name"],
            depth=row["parent_group"].depth + 1 if row["parent_group"] else 0,
        )
        for row in batch
    ]
    EmployerGroup.objects.bulk_create(groups)
    organisations = Organisation.objects.bulk_create(
        Organisation(
            tenant=tenant,
            group=group,
            **{key: value for key, value in row.items() if key != "parent_group"},
        )
        for group, row in zip(groups, batch, strict=True)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            tenant=tenant,
            actor=by,
            subject=None,
            action="organisation.created",
            summary=f"Employer {organisation.name} created from a CSV upload",
            details={"upload": upload_id, "organisation": organisation.pk}
            if upload_id
            else {"organisation": organisation.pk},
        )
        for organisation in organisations
    )
