"""The API's shapes. Input serializers only give the JSON its types; every rule (and every
message) is the services', as on the forms and in CSV uploads. A missing field gets the form's
own message for it, not a generic one."""

from typing import Any

from rest_framework import serializers

from accounts import lifecycle
from accounts.invitations.selectors import LINK_STATES
from accounts.models import INTERFACE_CHOICES, Gender, Title, UserStatus, UserType
from accounts.services import (
    EMAIL_REQUIRED,
    FIRST_NAME_REQUIRED,
    GENDER_INVALID,
    INTERFACES_REQUIRED,
    MOBILE_REQUIRED,
    SURNAME_REQUIRED,
    TITLE_REQUIRED,
)
from employers.services import GROUPS_REQUIRED, ORGANISATION_NAME_REQUIRED
from learners.services import EMPLOYER_REQUIRED
from ui.parsing import MAX_ID

INVITE_QUESTION = (
    "Select Yes to send the activation email now, or No to keep the person as a Prospect."
)


def Id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def Text(*, required: bool = False, message: str = "", **options: Any) -> serializers.CharField:
    messages = {"required": message, "null": message} if message else {}
    return serializers.CharField(
        required=required, allow_blank=True, error_messages=messages, **options
    )


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonInputSerializer(serializers.Serializer):
    """A person's details, as Add Employer and Add Learner ask for them."""

    title = serializers.ChoiceField(
        choices=Title.choices,
        error_messages={
            "required": TITLE_REQUIRED,
            "invalid_choice": TITLE_REQUIRED,
            "null": TITLE_REQUIRED,
        },
    )
    first_name = Text(required=True, message=FIRST_NAME_REQUIRED)
    surname = Text(required=True, message=SURNAME_REQUIRED)
    email = Text(required=True, message=EMAIL_REQUIRED, help_text="Unique in the tenant.")
    mobile = Text(
        required=True,
        message=MOBILE_REQUIRED,
        help_text="A UK mobile (07… or +447…) or an international number with its + code.",
    )
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": GENDER_INVALID},
    )
    address_line_1 = Text()
    address_line_2 = Text()
    address_line_3 = Text()
    town = Text()
    county = Text()
    postcode = Text()


class EmployerInputSerializer(PersonInputSerializer):
    employer_groups = serializers.ListField(
        child=Id(),
        error_messages={"required": GROUPS_REQUIRED, "empty": GROUPS_REQUIRED},
        help_text="Ids from GET /api/v1/employer-groups/; at least one.",
    )
    roles = serializers.ListField(
        child=Id(), required=False, help_text="Ids from GET /api/v1/roles/."
    )
    position = Id(required=False, allow_null=True, help_text="An id from /api/v1/positions/.")
    interfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=INTERFACE_CHOICES),
        error_messages={"required": INTERFACES_REQUIRED},
    )
    invite = serializers.BooleanField(
        error_messages={"required": INVITE_QUESTION, "null": INVITE_QUESTION},
        help_text="true: send the activation email now; false: keep them as a Prospect.",
    )


class RecordInputSerializer(serializers.Serializer):
    organisation = Id(
        error_messages={"required": EMPLOYER_REQUIRED, "null": EMPLOYER_REQUIRED},
        help_text="An id from GET /api/v1/organisations/.",
    )
    manager = Id(required=False, allow_null=True, help_text="An employer of that organisation.")
    mentor = Id(required=False, allow_null=True, help_text="An employer of that organisation.")
    interfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=INTERFACE_CHOICES),
        error_messages={"required": INTERFACES_REQUIRED},
    )
    main_aim_reference = Text(help_text="Main Aim Registration Number: letters and digits.")
    primary = serializers.BooleanField(
        required=False, default=False, help_text="The learner's main employer (else the first)."
    )


class LearnerInputSerializer(PersonInputSerializer):
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    national_insurance_number = Text()
    employer_groups = serializers.ListField(child=Id(), required=False)
    employer_records = RecordInputSerializer(many=True, required=False)
    invite = serializers.BooleanField(
        error_messages={"required": INVITE_QUESTION, "null": INVITE_QUESTION}
    )


def learner_data(typed: dict[str, Any]) -> dict[str, Any]:
    """A learner as the service takes it: each record gets a key, and the one marked primary
    (else the first) is named the primary record."""
    data = dict(typed)
    records = []
    primary = ""
    for number, record in enumerate(data.pop("employer_records", None) or [], start=1):
        key = f"record-{number}"
        record = dict(record)
        if record.pop("primary", False) and not primary:
            primary = key
        records.append({**record, "key": key})
    return {**data, "employer_records": records, "primary_record": primary}


class UserUpdateSerializer(PersonInputSerializer):
    """Any of a person's details, none required: what is left out stays as it is."""

    employer_groups = serializers.ListField(child=Id(), required=False)
    roles = serializers.ListField(child=Id(), required=False, help_text="Employers only.")
    position = Id(required=False, allow_null=True, help_text="Employers only.")
    interfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=INTERFACE_CHOICES),
        required=False,
        help_text="Employers only.",
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, help_text="Learners.")
    national_insurance_number = Text(help_text="Learners only.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class CancelSerializer(serializers.Serializer):
    reason = Text(required=True, message=lifecycle.REASON_REQUIRED)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_type = serializers.ChoiceField(choices=UserType.choices)
    status = serializers.ChoiceField(choices=UserStatus.choices, source="shown_status")
    title = serializers.CharField()
    first_name = serializers.CharField()
    surname = serializers.CharField()
    email = serializers.CharField()
    username = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    access_ends_on = serializers.DateField(allow_null=True)


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = NamedSerializer()
    manager = NamedSerializer(allow_null=True)
    mentor = NamedSerializer(allow_null=True)
    interfaces = serializers.ListField(child=serializers.CharField())
    main_aim_reference = serializers.CharField()
    is_primary = serializers.BooleanField()
    ended_on = serializers.DateField(allow_null=True)


class UserDetailSerializer(UserSummarySerializer):
    is_archived = serializers.BooleanField()
    mobile = serializers.CharField()
    gender = serializers.CharField()
    address_line_1 = serializers.CharField()
    address_line_2 = serializers.CharField()
    address_line_3 = serializers.CharField()
    town = serializers.CharField()
    county = serializers.CharField()
    postcode = serializers.CharField()
    interfaces = serializers.ListField(child=serializers.CharField(), source="interface_codes")
    invited_at = serializers.DateTimeField(allow_null=True)
    activated_at = serializers.DateTimeField(allow_null=True)
    employer_groups = NamedSerializer(many=True)
    roles = NamedSerializer(many=True)
    position = NamedSerializer(allow_null=True, help_text="Employers only.")
    date_of_birth = serializers.DateField(allow_null=True, help_text="Learners only.")
    national_insurance_number = serializers.CharField(help_text="Learners only.")
    employer_records = RecordSerializer(many=True, help_text="Learners only.")


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    email = serializers.CharField()
    status = serializers.ChoiceField(
        choices=LINK_STATES,
        help_text="What became of it: pending (being sent), sent, delivered, bounced or failed, "
        "as the email provider said; or replaced (by a newer invitation), revoked (the address "
        "changed, or the account was cancelled or archived), used (they activated), expired.",
    )
    expires_at = serializers.DateTimeField()


class CreatedUserSerializer(serializers.Serializer):
    user = UserDetailSerializer()
    invitation = InvitationSerializer(allow_null=True)


class UserPageSerializer(serializers.Serializer):
    results = UserSummarySerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The next page's URL, or null.")
    previous = serializers.CharField(allow_null=True)


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address_line_1 = serializers.CharField()
    address_line_2 = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    reference = serializers.CharField()
    group = serializers.IntegerField(source="group_id", help_text="Its own employer group.")


class OrganisationInputSerializer(serializers.Serializer):
    name = Text(required=True, message=ORGANISATION_NAME_REQUIRED)
    address_line_1 = Text()
    address_line_2 = Text()
    town = Text()
    postcode = Text()
    reference = Text()
    parent_group = Id(
        required=False, allow_null=True, help_text="The group it goes under (default: the top)."
    )


class GroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField(help_text="Its place: 'All employers › North West'.")
    kind = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)


class PositionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


def page_serializer(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": item(many=True),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
        },
    )


OrganisationPageSerializer = page_serializer("OrganisationPage", OrganisationSerializer)
GroupPageSerializer = page_serializer("GroupPage", GroupSerializer)
RolePageSerializer = page_serializer("RolePage", NamedSerializer)
PositionPageSerializer = page_serializer("PositionPage", PositionSerializer)


class BulkEmployerRowSerializer(serializers.Serializer):
    """One row, as a CSV upload's row: groups, roles and the position by name."""

    title = Text()
    first_name = Text()
    surname = Text()
    email = Text()
    mobile = Text()
    gender = Text()
    employer_groups = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Names or whole places."
    )
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    position = Text(help_text="A position's title.")
    interfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=INTERFACE_CHOICES), required=False
    )
    invite = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Overrides send_invitations."
    )


class BulkEmployersSerializer(serializers.Serializer):
    """What the schema documents; the view checks each row's types itself (``bulk_cells``), a
    nested serializer cost as much as the rules for 1,000 rows."""

    rows = BulkEmployerRowSerializer(many=True, max_length=1000, min_length=1)
    send_invitations = serializers.BooleanField(required=False, default=True)
    existing = serializers.ChoiceField(
        choices=[("skip", "Skip"), ("update", "Update")],
        required=False,
        default="skip",
        help_text="What to do with a row whose email already has an account.",
    )
    default_group = Id(required=False, allow_null=True, help_text="For rows naming no group.")


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    invited = serializers.IntegerField()


class BulkEmployersInputSerializer(BulkEmployersSerializer):
    rows = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(), max_length=1000, min_length=1
    )


BULK_TEXT = ("title", "first_name", "surname", "email", "mobile", "gender", "position")
BULK_LISTS = ("employer_groups", "roles", "interfaces")
NOT_TEXT = "Write this as text."
NOT_A_LIST = 'Write this as a list of names, like ["North West"].'
NOT_YES_OR_NO = "Write true, false or null."
NULL_CHARACTER = "Null characters are not allowed."
NOT_A_FIELD = "There is no such field. The fields are those of a CSV upload's columns."


def bulk_cells(row: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """One row of a bulk create as a CSV row's cells (lists joined with '|'), and what is
    wrong with its types, by field."""
    cells: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name, value in row.items():
        if value is None:
            continue
        if any("\x00" in str(part) for part in (value if isinstance(value, list) else [value])):
            problems[str(name)[:100]] = NULL_CHARACTER
        elif name in BULK_TEXT:
            if isinstance(value, str):
                cells[name] = value
            else:
                problems[name] = NOT_TEXT
        elif name in BULK_LISTS:
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                cells[name] = "|".join(value)
            else:
                problems[name] = NOT_A_LIST
        elif name == "invite":
            if isinstance(value, bool):
                cells[name] = "yes" if value else "no"
            else:
                problems[name] = NOT_YES_OR_NO
        else:
            problems[str(name)[:100]] = NOT_A_FIELD
    return cells, problems
