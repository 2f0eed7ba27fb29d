"""Writes for learners and their employer records, shared by the pages, CSV and the API."""

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.audit import audit_record, audit_updated
from accounts.invitations.models import Invitation
from accounts.models import INTERFACES, Tenant, User, UserType
from accounts.services import (
    PERSON_FIELDS,
    interface_access_clean,
    invite_answer_clean,
    optional_normalised,
    person_create,
    person_details_clean,
    person_fields_save,
    person_locked,
)
from employers.models import EmployerGroup, Organisation
from employers.selectors import organisation_staff
from ui.parsing import parse_id

from .models import EmployerRecord, LearnerProfile

EMPLOYER_REQUIRED = "Select an employer."
EMPLOYER_UNKNOWN = "The selected employer no longer exists. Choose another."
MANAGER_NOT_AT_EMPLOYER = "Choose a manager who works for the selected employer."
MENTOR_NOT_AT_EMPLOYER = "Choose a mentor who works for the selected employer."
MAIN_AIM_INVALID = "Main Aim Registration Number can only have letters and digits, up to 30."
DOB_INVALID = "Enter a real date of birth, like 27 3 2007."
DOB_FUTURE = "Date of birth must be in the past."
NI_INVALID = "Enter a National Insurance number in the correct format, like AB 12 34 56 C."
GROUP_UNKNOWN = "One of the selected groups no longer exists. Search and select again."
DUPLICATE_EMPLOYER = "%(name)s is already one of this learner's employers."
RECORD_ENDED = "This employer record ended on %(date)s. Add the employer again to start a new one."
END_DATE_REQUIRED = "Enter the learner's last day with this employer, like 31 7 2026."
END_DATE_FUTURE = "The end date cannot be in the future. End the record on or after that day."
END_DATE_BEFORE_START = "The end date cannot be before the record started, on %(date)s."

_MAIN_AIM = re.compile(r"^[A-Za-z0-9]{1,30}$")
# HMRC's format: two prefix letters (not D, F, I, Q, U, V; second not O; some pairs never
# issued), six digits, a suffix A-D.
_NI = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def normalise_ni_number(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    if not _NI.match(compact):
        raise ValidationError(NI_INVALID, code="invalid")
    return compact


def _as_id(value: Any) -> int | None:
    """None when nothing was chosen; -1 (no such row) for a value that is not an id."""
    value = getattr(value, "pk", value)
    if value in (None, ""):
        return None
    return parse_id(value) or -1


@dataclass(frozen=True)
class LearnerCatalogue:
    """What a batch of imported learners refers to, read once for the batch: the tenant's
    groups and organisations by id, the staff each organisation may offer as manager or
    mentor (by (organisation id, person id)), and the addresses already taken."""

    groups: Mapping[int, EmployerGroup]
    organisations: Mapping[int, Organisation]
    staff: Mapping[tuple[int, int], User]
    taken: Mapping[str, bool]


def employer_record_clean(
    *, tenant: Tenant, data: Mapping[str, Any], catalogue: LearnerCatalogue | None = None
) -> dict[str, Any]:
    """One employer record as the Add Employer dialog, CSV and API give it.

    Manager and mentor must be employer users of the chosen organisation, in this tenant: a
    person from another organisation or tenant, posted directly, is refused here.
    """
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    clean: dict[str, Any] = {"key": str(data.get("key") or secrets.token_hex(8))}
    organisation_id = _as_id(data.get("organisation"))
    organisation = None
    if organisation_id is None:
        fail("organisation", EMPLOYER_REQUIRED, "required")
    else:
        if catalogue is not None:
            organisation = catalogue.organisations.get(organisation_id)
        else:
            organisation = (
                Organisation.objects.for_tenant(tenant).filter(pk=organisation_id).first()
            )
        if organisation is None:
            fail("organisation", EMPLOYER_UNKNOWN, "unknown")
    clean["organisation"] = organisation

    for role, message in (("manager", MANAGER_NOT_AT_EMPLOYER), ("mentor", MENTOR_NOT_AT_EMPLOYER)):
        person_id = _as_id(data.get(role))
        clean[role] = None
        if person_id is None:
            continue
        if organisation is None:
            person = None
        elif catalogue is not None:
            person = catalogue.staff.get((organisation.pk, person_id))
        else:
            person = organisation_staff(organisation=organisation).filter(pk=person_id).first()
        if person is None:
            fail(role, message, "not_at_employer")
        clean[role] = person

    try:
        clean.update(interface_access_clean(data.get("interfaces")))
    except ValidationError as error:
        errors.setdefault("interfaces", []).append(error)

    main_aim = str(data.get("main_aim_reference") or "").strip()
    if main_aim and not _MAIN_AIM.match(main_aim):
        fail("main_aim_reference", MAIN_AIM_INVALID, "invalid")
    clean["main_aim_reference"] = main_aim

    if errors:
        raise ValidationError(errors)
    return clean


def employer_record_as_data(clean: Mapping[str, Any]) -> dict[str, Any]:
    """A checked record as plain data, to carry in the learner form until Create."""
    return {
        "key": clean["key"],
        "organisation": clean["organisation"].pk,
        "manager": clean["manager"].pk if clean["manager"] else None,
        "mentor": clean["mentor"].pk if clean["mentor"] else None,
        "interfaces": [code for code in INTERFACES if clean[f"interface_{code}"]],
        "main_aim_reference": clean["main_aim_reference"],
    }


def learner_clean(
    *,
    tenant: Tenant,
    data: Mapping[str, Any],
    existing: User | None = None,
    catalogue: LearnerCatalogue | None = None,
) -> dict[str, Any]:
    """Every rule of the Add Learner form, in one ValidationError keyed by field. Editing
    (``existing``) asks no invitation question and leaves employer records to their own
    actions."""
    clean, errors = person_details_clean(
        tenant=tenant,
        data=data,
        existing=existing,
        mobile_required=True,
        taken=catalogue.taken if catalogue else None,
    )

    def fail(field: str, message: str, code: str, **params: Any) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    birth = data.get("date_of_birth")
    clean["date_of_birth"] = None
    if birth:
        if not isinstance(birth, date):
            fail("date_of_birth", DOB_INVALID, "invalid")
        elif birth >= timezone.localdate():
            fail("date_of_birth", DOB_FUTURE, "future")
        elif birth.year < 1900:
            fail("date_of_birth", DOB_INVALID, "invalid")
        else:
            clean["date_of_birth"] = birth

    optional_normalised(data, "national_insurance_number", normalise_ni_number, clean, errors)

    group_ids = {value for value in map(_as_id, data.get("employer_groups") or ()) if value}
    if catalogue is not None:
        groups = [catalogue.groups[pk] for pk in group_ids if pk in catalogue.groups]
    else:
        groups = list(EmployerGroup.objects.for_tenant(tenant).filter(pk__in=group_ids))
    if len(groups) != len(group_ids):
        fail("employer_groups", GROUP_UNKNOWN, "unknown")
    clean["employer_groups"] = groups

    records: list[dict[str, Any]] = []
    seen: set[int] = set()
    for number, record in enumerate(data.get("employer_records") or (), start=1):
        try:
            checked = employer_record_clean(tenant=tenant, data=record, catalogue=catalogue)
        except ValidationError as error:
            for problem in error.messages:
                fail(
                    "employer_records",
                    "Employer %(number)s: %(problem)s",
                    "record",
                    number=number,
                    problem=problem,
                )
            continue
        if checked["organisation"].pk in seen:
            fail(
                "employer_records",
                DUPLICATE_EMPLOYER,
                "duplicate",
                name=checked["organisation"].name,
            )
            continue
        seen.add(checked["organisation"].pk)
        records.append(checked)
    primary = str(data.get("primary_record") or "")
    if records and primary not in {record["key"] for record in records}:
        primary = records[0]["key"]
    for record in records:
        record["is_primary"] = record["key"] == primary
    clean["employer_records"] = records

    if existing is None:
        try:
            clean["invite"] = invite_answer_clean(data.get("invite"), noun="learner")
        except ValidationError as error:
            errors.setdefault("invite", []).append(error)

    if errors:
        raise ValidationError(errors)
    return clean


LEARNER_PROFILE_FIELDS = ("date_of_birth", "national_insurance_number")


def learner_update(
    *, user: User, updated_by: User | None, data: Mapping[str, Any]
) -> tuple[User, bool]:
    """Edit a learner with the Add Learner rules; (the learner, whether the email changed).
    A new email stops every earlier activation link (the token is signed over it). The row is
    re-read under a lock and only the edited columns are written (see ``person_locked``)."""
    with transaction.atomic():
        person = person_locked(user)
        clean = learner_clean(
            tenant=person.tenant, data={**data, "employer_records": []}, existing=person
        )
        groups = clean.pop("employer_groups")
        changed = person_fields_save(person, clean, PERSON_FIELDS)
        profile, _ = LearnerProfile.objects.get_or_create(user=person)
        profile_changed = [f for f in LEARNER_PROFILE_FIELDS if getattr(profile, f) != clean[f]]
        for field in profile_changed:
            setattr(profile, field, clean[field])
        if profile_changed:
            profile.save(update_fields=profile_changed)
        person.employer_groups.set(groups)
        audit_updated(user=person, updated_by=updated_by, changed=changed + profile_changed)
    return person, "email" in changed


def learner_create(
    *, tenant: Tenant, created_by: User | None, data: Mapping[str, Any]
) -> tuple[User, Invitation | None]:
    """A learner with their employer records, in one transaction; invited or a Prospect."""
    clean = learner_clean(tenant=tenant, data=data)
    invite = clean.pop("invite")
    groups = clean.pop("employer_groups")
    records: Sequence[dict[str, Any]] = clean.pop("employer_records")
    profile = {
        "date_of_birth": clean.pop("date_of_birth"),
        "national_insurance_number": clean.pop("national_insurance_number"),
    }

    def populate(learner: User) -> str:
        LearnerProfile.objects.create(user=learner, **profile)
        if groups:
            learner.employer_groups.add(*groups)
        EmployerRecord.objects.bulk_create(
            EmployerRecord(
                tenant=tenant,
                learner=learner,
                organisation=record["organisation"],
                manager=record["manager"],
                mentor=record["mentor"],
                interface_classic=record["interface_classic"],
                interface_console=record["interface_console"],
                main_aim_reference=record["main_aim_reference"],
                is_primary=record["is_primary"],
            )
            for record in records
        )
        return f" with {len(records)} employer record(s)"

    return person_create(
        tenant=tenant,
        user_type=UserType.LEARNER,
        created_by=created_by,
        clean={**clean, "interface_classic": True},
        invite=invite,
        populate=populate,
    )


def _locked_records(learner: User) -> QuerySet[EmployerRecord]:
    """The learner's row locked, so two administrators changing their records at once take
    turns (which record is primary is decided under the lock)."""
    User.objects.select_for_update().filter(pk=learner.pk).first()
    return EmployerRecord.objects.filter(learner=learner, ended_on__isnull=True)


def _record_audit(record: EmployerRecord, actor: User | None, action: str, summary: str) -> None:
    audit_record(
        tenant=record.learner.tenant,
        actor=actor,
        subject=record.learner,
        action=action,
        summary=summary,
        record=record.pk,
        organisation=record.organisation.name,
    )


def _written_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def employer_record_add(
    *, learner: User, added_by: User | None, data: Mapping[str, Any]
) -> EmployerRecord:
    """A new employer record for an existing learner, with the dialog's rules; the first
    current record becomes the primary one."""
    clean = employer_record_clean(tenant=learner.tenant, data=data)
    organisation = clean["organisation"]
    with transaction.atomic():
        current = _locked_records(learner)
        if current.filter(organisation=organisation).exists():
            message = DUPLICATE_EMPLOYER % {"name": organisation.name}
            raise ValidationError({"organisation": ValidationError(message, code="duplicate")})
        record = EmployerRecord.objects.create(
            tenant=learner.tenant,
            learner=learner,
            organisation=organisation,
            manager=clean["manager"],
            mentor=clean["mentor"],
            interface_classic=clean["interface_classic"],
            interface_console=clean["interface_console"],
            main_aim_reference=clean["main_aim_reference"],
            is_primary=not current.exists(),
        )
        _record_audit(record, added_by, "record.added", f"Employer {organisation.name} added")
    return record


RECORD_FIELDS = (
    "manager",
    "mentor",
    "interface_classic",
    "interface_console",
    "main_aim_reference",
)


def _refuse_if_ended(record: EmployerRecord) -> None:
    if record.ended_on is not None:
        raise ValidationError(
            RECORD_ENDED, code="ended", params={"date": _written_date(record.ended_on)}
        )


def employer_record_update(
    *, record: EmployerRecord, updated_by: User | None, data: Mapping[str, Any]
) -> EmployerRecord:
    """Change a current record's manager, mentor, interface access or Main Aim Registration
    Number (its employer stays: end it and add another instead). The manager and mentor must
    still work for that employer, in this tenant."""
    _refuse_if_ended(record)
    clean = employer_record_clean(
        tenant=record.learner.tenant, data={**data, "organisation": record.organisation_id}
    )
    changed = [field for field in RECORD_FIELDS if getattr(record, field) != clean[field]]
    with transaction.atomic():
        for field in RECORD_FIELDS:
            setattr(record, field, clean[field])
        record.save(update_fields=list(RECORD_FIELDS))
        names = ", ".join(field.replace("_", " ") for field in changed) or "nothing changed"
        _record_audit(
            record,
            updated_by,
            "record.updated",
            f"Employer record at {record.organisation.name} updated ({names})",
        )
    return record


def employer_record_end(
    *, record: EmployerRecord, ended_by: User | None, ended_on: date | None
) -> EmployerRecord:
    """End a record on the learner's last day there: it stays, as history. If it was the
    primary record, the oldest current one takes over."""
    _refuse_if_ended(record)
    started = timezone.localtime(record.created_at).date()
    if ended_on is None:
        raise ValidationError({"ended_on": ValidationError(END_DATE_REQUIRED, code="required")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": ValidationError(END_DATE_FUTURE, code="future")})
    if ended_on < started:
        raise ValidationError(
            {
                "ended_on": ValidationError(
                    END_DATE_BEFORE_START,
                    code="before_start",
                    params={"date": _written_date(started)},
                )
            }
        )
    with transaction.atomic():
        current = _locked_records(record.learner)
        was_primary = current.filter(pk=record.pk, is_primary=True).exists()
        record.ended_on = ended_on
        record.is_primary = False
        record.save(update_fields=["ended_on", "is_primary"])
        if was_primary:
            successor = current.exclude(pk=record.pk).order_by("created_at", "id").first()
            if successor is not None:
                successor.is_primary = True
                successor.save(update_fields=["is_primary"])
        _record_audit(
            record,
            ended_by,
            "record.ended",
            f"Employer record at {record.organisation.name} ended on {_written_date(ended_on)}",
        )
    return record


def employer_record_make_primary(
    *, record: EmployerRecord, changed_by: User | None
) -> EmployerRecord:
    """Make a current record the learner's primary one (the others stop being primary)."""
    _refuse_if_ended(record)
    with transaction.atomic():
        current = _locked_records(record.learner)
        if current.filter(pk=record.pk, is_primary=True).exists():
            return record
        current.filter(is_primary=True).update(is_primary=False)
        current.filter(pk=record.pk).update(is_primary=True)
        record.is_primary = True
        _record_audit(
            record,
            changed_by,
            "record.primary",
            f"{record.organisation.name} made the primary employer",
        )
    return record
