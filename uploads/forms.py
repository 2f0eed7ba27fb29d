from django import forms
from django.conf import settings
from django.urls import reverse

from employers import selectors as employer_selectors
from ui.forms import AccessibleFormMixin
from ui.parsing import parse_id

from .models import ExistingAccounts, UploadKind

FILE_REQUIRED = "Choose a CSV file to upload."
GROUP_UNKNOWN = "That employer group no longer exists. Choose another."


class UploadForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds", choices=UploadKind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Comma or semicolon separated, UTF-8 or Windows-1252, up to 10 MB.",
        error_messages={"required": FILE_REQUIRED, "empty": "This file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    default_group = forms.CharField(
        label="Employer group for rows without one",
        required=False,
        widget=forms.Select,
        help_text="Rows whose Employer groups cell is empty go here.",
    )
    send_invitations = forms.BooleanField(
        label="Send invitations",
        required=False,
        initial=True,
        help_text="Email each new person an activation link (an Invite column overrides it "
        "row by row). Untick to keep them as Prospects.",
    )
    existing = forms.ChoiceField(
        label="People who already have an account here",
        choices=ExistingAccounts.choices,
        initial=ExistingAccounts.SKIP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["file"].help_text = (
            "Comma or semicolon separated, UTF-8 or Windows-1252, up to "
            f"{settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
        )
        self.initial.setdefault("kind", UploadKind.EMPLOYERS)
        root = employer_selectors.employers_root(tenant=tenant)
        chosen = parse_id(self.data.get("default_group")) if self.is_bound else None
        groups, _ = employer_selectors.group_filter_choices(
            tenant=tenant, selected_id=chosen or (root.pk if root else None)
        )
        field = self.fields["default_group"]
        field.widget.choices = [("", "None: every row names its groups")] + [
            (group.pk, group.path) for group in groups
        ]
        field.widget.attrs["data-combobox"] = reverse("employers:group_filter_options")

    def clean_default_group(self):
        value = self.cleaned_data.get("default_group")
        if not value:
            return None
        group = (
            employer_selectors.groups_by_ids(tenant=self.tenant, ids=[parse_id(value) or -1])
            or [None]
        )[0]
        if group is None:
            raise forms.ValidationError(GROUP_UNKNOWN, code="unknown")
        return group
