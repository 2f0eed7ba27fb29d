from django import forms

from accounts.models import Gender, Title
from aptem.forms import AccessibleFormMixin


class IdListField(forms.Field):
    """Ids posted by a widget the template draws itself (checkbox lists, listboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(item) for item in (value or []) if str(item).strip()]


YES_NO = [("yes", "Yes"), ("no", "No")]
INTERFACE_CHOICES = [("classic", "Classic"), ("console", "Console")]
MANDATORY = {
    "title",
    "first_name",
    "surname",
    "email",
    "mobile",
    "employer_groups",
    "interfaces",
    "invite",
}


class EmployerForm(AccessibleFormMixin, forms.Form):
    """The Add Employer form. Every rule is the service's (``employers.services.employer_clean``),
    so the page, the CSV importer and the API refuse exactly the same things."""

    title = forms.ChoiceField(
        label="Title", required=False, choices=[("", "Select a title"), *Title.choices]
    )
    first_name = forms.CharField(
        label="First name",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 50, "autocomplete": "off"}),
    )
    surname = forms.CharField(
        label="Surname",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 50, "autocomplete": "off"}),
    )
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    mobile = forms.CharField(
        label="Mobile number",
        required=False,
        help_text="For example 07400 123456.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label="Gender", required=False, choices=[("", "Not given"), *Gender.choices]
    )
    postcode = forms.CharField(
        label="Postcode", required=False, widget=forms.TextInput(attrs={"class": "w-auto"})
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False)
    address_line_2 = forms.CharField(label="Address line 2", required=False)
    address_line_3 = forms.CharField(label="Address line 3", required=False)
    town = forms.CharField(label="Town or city", required=False)
    county = forms.CharField(label="County", required=False)
    employer_groups = IdListField(label="Employer group", required=False)
    roles = IdListField(label="Roles", required=False)
    position = forms.CharField(label="Position", required=False, widget=forms.Select)
    new_position = forms.CharField(label="New position title", required=False, max_length=100)
    interfaces = forms.MultipleChoiceField(
        label="Interface access",
        required=False,
        choices=INTERFACE_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    invite = forms.ChoiceField(
        label="Would you like to invite this employer?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, tenant, editing: bool = False, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        if editing:  # the invitation question belongs to creation only
            del self.fields["invite"]
        for name, field in self.fields.items():
            field.mandatory = name in MANDATORY

    def service_input(self) -> dict:
        """What ``employers.services.employer_create`` takes, from the coerced fields."""
        data = dict(self.cleaned_data)
        data["invite"] = {"yes": True, "no": False}.get(data.get("invite"))
        return data


class OrganisationForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label="Employer name", max_length=200)
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=100)
    address_line_2 = forms.CharField(label="Address line 2", required=False, max_length=100)
    town = forms.CharField(label="Town or city", required=False, max_length=60)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    reference = forms.CharField(label="Employer reference", required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the employer's name."
