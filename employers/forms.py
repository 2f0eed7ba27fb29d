from django import forms
from django.urls import reverse

from accounts.forms import PersonDetailsForm, invite_field
from accounts.models import INTERFACE_CHOICES
from ui.forms import AccessibleFormMixin, IdListField
from ui.parsing import parse_id

from . import selectors
from .services import ORGANISATION_NAME_REQUIRED


class EmployerForm(PersonDetailsForm):
    """The Add Employer form. Every rule is the service's (``employers.services.employer_clean``),
    so the page, the CSV importer and the API refuse exactly the same things."""

    mandatory_fields = PersonDetailsForm.mandatory_fields | {
        "employer_groups",
        "interfaces",
        "invite",
    }

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
    invite = invite_field("employer")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the invitation question belongs to creation only
            del self.fields["invite"]
        else:  # asked first, as the product's own page does, so errors list it first too
            self.order_fields(["invite", *self.fields])


class OrganisationForm(AccessibleFormMixin, forms.Form):
    """An employer organisation: Organisations → Add, and the + inside the learner's Add Employer
    dialog (with the prefix ``new_organisation``). Rules: ``services.organisation_create``."""

    name = forms.CharField(label="Employer name", max_length=200)
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=100)
    address_line_2 = forms.CharField(label="Address line 2", required=False, max_length=100)
    town = forms.CharField(label="Town or city", required=False, max_length=60)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    reference = forms.CharField(label="Employer reference", required=False, max_length=40)

    parent_group = forms.CharField(
        label="Employer group it belongs under",
        required=False,
        widget=forms.Select,
        help_text="Its own employer group goes here in the hierarchy.",
    )

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = ORGANISATION_NAME_REQUIRED
        self.fields["name"].mandatory = True
        if tenant is not None:
            self.offer_parent_groups(tenant)

    def offer_parent_groups(self, tenant) -> None:
        """A page of the groups an organisation can go under (the chosen one kept), the top
        of the hierarchy first chosen; with JavaScript a combobox that searches them all."""
        root = selectors.employers_root(tenant=tenant)
        posted = self.data.get(self.add_prefix("parent_group")) if self.is_bound else None
        chosen = parse_id(posted) or (root.pk if root else None)
        if not self.is_bound and chosen:
            self.initial["parent_group"] = chosen
        groups, _ = selectors.parent_group_choices(tenant=tenant, selected_id=chosen)
        field = self.fields["parent_group"]
        field.widget.choices = [(group.pk, group.path) for group in groups]
        field.widget.attrs["data-combobox"] = reverse("employers:group_options")

    def service_input(self) -> dict:
        data = dict(self.cleaned_data)
        data["parent_group_id"] = parse_id(data.pop("parent_group", None))
        return data


GROUP_FILTER_UNKNOWN = "That employer group no longer exists. Choose another, or any group."


def group_filter_fields(*, groups, term: str, unknown: bool) -> dict[str, forms.Field]:
    """The Users list's employer-group filter: a choice of one page of groups (the chosen one
    always among them), and without JavaScript a Find box that picks which page. ``unknown``:
    the chosen group is not (or no longer) one of the tenant's, so the field shows an error."""
    described_by = "id_group_helptext" + (" id_group_error" if unknown else "")
    attrs = {
        "class": "form-select" + (" is-invalid" if unknown else ""),
        "data-combobox": reverse("employers:group_filter_options"),
        "data-combobox-clearable": "1",
        "aria-describedby": described_by,
    }
    if unknown:
        attrs["aria-invalid"] = "true"
    group = forms.ChoiceField(
        label="Employer group",
        required=False,
        choices=[("", "Any employer group"), *((str(g.pk), g.path) for g in groups)],
        error_messages={"invalid_choice": GROUP_FILTER_UNKNOWN},
        help_text="People in this group or any group below it.",
        widget=forms.Select(attrs=attrs),
    )
    group_find = forms.CharField(
        label="Find an employer group",
        required=False,
        max_length=100,
        initial=term,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    return {"group": group, "group_find": group_find}
