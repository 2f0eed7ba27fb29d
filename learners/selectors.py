import json
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import INTERFACES, Tenant, User
from employers.models import Organisation
from ui.parsing import parse_id

from .models import EmployerRecord


def employer_records_of(*, learner: User, current: bool = True) -> list[EmployerRecord]:
    """The learner's current employer records, the primary first; or (``current=False``)
    the ended ones, the latest to end first."""
    records = (
        EmployerRecord.objects.for_tenant(learner.tenant_id)
        .filter(learner=learner, ended_on__isnull=current)
        .select_related("organisation", "manager", "mentor")
    )
    if not current:
        records = records.order_by("-ended_on", "-id")
    return list(records)


def employer_record_get(*, tenant: Tenant, record_id: int) -> EmployerRecord:
    """An employer record of this tenant (with its learner), or 404."""
    return get_object_or_404(
        EmployerRecord.objects.for_tenant(tenant).select_related(
            "learner", "organisation", "manager", "mentor"
        ),
        pk=record_id,
    )


def learners_supported_by(*, person: User) -> QuerySet[EmployerRecord]:
    """The learners this employer user manages or mentors, with how they relate, the newest
    first: the order their indexes keep, so a page of a manager's 2,000 learners joins 25 of
    them to their names rather than sorting all 2,000 by surname."""
    return (
        EmployerRecord.objects.for_tenant(person.tenant_id)
        .filter(Q(manager=person) | Q(mentor=person))
        .filter(ended_on__isnull=True, learner__is_archived=False)
        .select_related("learner", "organisation")
        .only(
            "id",
            "manager_id",
            "mentor_id",
            "learner__id",
            "learner__first_name",
            "learner__surname",
            "organisation__id",
            "organisation__name",
        )
        .order_by("-created_at", "-id")
    )


def records_for_display(
    *, tenant: Tenant, records: list[dict[str, Any]], primary_key: str = ""
) -> list[dict[str, Any]]:
    """Carried (not yet saved) employer records with their names resolved, in two queries."""
    as_int = parse_id
    organisation_ids = {as_int(r.get("organisation")) for r in records} - {None}
    people_ids = {as_int(r.get(k)) for r in records for k in ("manager", "mentor")} - {None}
    organisations = (
        Organisation.objects.for_tenant(tenant).filter(pk__in=organisation_ids).in_bulk()
        if organisation_ids
        else {}
    )
    people = (
        User.objects.for_tenant(tenant).filter(pk__in=people_ids).in_bulk() if people_ids else {}
    )
    if records and primary_key not in {str(r.get("key")) for r in records}:
        primary_key = str(records[0].get("key"))
    shown = []
    for record in records:
        organisation = organisations.get(as_int(record.get("organisation")))
        shown.append(
            {
                "data": record,
                "key": str(record.get("key")),
                "organisation": organisation,
                "manager": people.get(as_int(record.get("manager"))),
                "mentor": people.get(as_int(record.get("mentor"))),
                "interfaces": [
                    INTERFACES[code]
                    for code in INTERFACES
                    if code in (record.get("interfaces") or ())
                ],
                "main_aim_reference": record.get("main_aim_reference", ""),
                "is_primary": str(record.get("key")) == primary_key,
                "json": record_json(record),
            }
        )
    return shown


def record_json(record: dict[str, Any]) -> str:
    """A record's data as the learner form carries it, in one hidden input."""
    return json.dumps(record, separators=(",", ":"), sort_keys=True)
