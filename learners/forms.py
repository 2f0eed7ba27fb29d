import json

from crispy_forms.layout import Column, Row
from django import forms

from accounts.forms import PersonDetailsForm, invite_field
from accounts.models import INTERFACE_CHOICES
from ui.forms import AccessibleFormMixin, IdListField
from ui.parsing import parse_id

MAX_RECORD_LENGTH = 2000  # a record is a few ids and short strings


def parse_records(values) -> list[dict]:
    """Employer records carried in the form as JSON, one per hidden input, in the shape the
    dialog writes them. Whatever arrives instead (too long, nested thousands deep, not an
    object, a number where a list belongs) reads as an empty record, which the rules then
    refuse with a message."""
    records = []
    for value in values or ():
        try:
            record = json.loads(value) if len(value) <= MAX_RECORD_LENGTH else {}
        except (TypeError, ValueError, RecursionError):
            record = {}
        records.append(_record_shape(record))
    return records


def _record_shape(record) -> dict:
    if not isinstance(record, dict):
        record = {}

    def text(key: str) -> str:
        value = record.get(key)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""

    interfaces = record.get("interfaces")
    return {
        "key": text("key"),
        **{role: parse_id(record.get(role)) for role in ("organisation", "manager", "mentor")},
        "interfaces": [code for code in interfaces if isinstance(code, str)]
        if isinstance(interfaces, list)
        else [],
        "main_aim_reference": text("main_aim_reference"),
    }


class LearnerForm(PersonDetailsForm):
    """Add Learner. Its rules are ``learners.services.learner_clean``'s."""

    mandatory_fields = PersonDetailsForm.mandatory_fields | {"invite"}
    field_order = [
        "title",
        "first_name",
        "surname",
        "email",
        "mobile",
        "gender",
        "date_of_birth",
        "national_insurance_number",
    ]

    personal_layout = (
        *PersonDetailsForm.personal_layout,
        Row(
            Column("date_of_birth", css_class="col-sm-6 col-lg-3"),
            Column("national_insurance_number", css_class="col-sm-6 col-lg-4"),
        ),
    )

    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth, like 27 3 2007."},
    )
    national_insurance_number = forms.CharField(
        label="National Insurance number",
        required=False,
        help_text="For example AB 12 34 56 C.",
        widget=forms.TextInput(attrs={"class": "w-auto", "spellcheck": "false"}),
    )
    employer_groups = IdListField(label="Groups", required=False)
    employer_records = IdListField(label="Employers", required=False)
    primary_record = forms.CharField(required=False, widget=forms.HiddenInput)
    invite = invite_field("learner")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the invitation and the records have their own actions on the profile
            for name in ("invite", "employer_records", "primary_record"):
                del self.fields[name]

    def service_input(self) -> dict:
        data = super().service_input()
        data["employer_records"] = parse_records(data.get("employer_records"))
        return data


class EmployerRecordForm(AccessibleFormMixin, forms.Form):
    """The Add Employer dialog on the learner form. Rules: ``employer_record_clean``."""

    organisation = forms.CharField(label="Employer", required=False, widget=forms.Select)
    manager = forms.CharField(label="Manager", required=False, widget=forms.Select)
    mentor = forms.CharField(label="Mentor", required=False, widget=forms.Select)
    interfaces = forms.MultipleChoiceField(
        label="Interface access",
        required=False,
        choices=INTERFACE_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    main_aim_reference = forms.CharField(
        label="Main Aim Registration Number",
        required=False,
        help_text="If applicable: letters and digits, up to 30.",
        widget=forms.TextInput(attrs={"maxlength": 30, "spellcheck": "false"}),
    )
    key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organisation", "interfaces"):
            self.fields[name].mandatory = True


class RecordEndForm(AccessibleFormMixin, forms.Form):
    """End an employer record. Rules: ``services.employer_record_end``."""

    ended_on = forms.DateField(
        label="Last day with this employer",
        required=False,
        help_text="The record stays in the learner's history with this date.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 31 7 2026."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].mandatory = True
