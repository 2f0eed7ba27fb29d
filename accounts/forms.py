from django import forms
from django.contrib.auth.forms import AuthenticationForm

from aptem.forms import AccessibleFormMixin

from .models import DEFAULT_LIST_STATUSES, UserStatus, UserType

PER_PAGE_CHOICES = [(10, "10"), (25, "25"), (50, "50"), (100, "100")]


class SignInForm(AccessibleFormMixin, AuthenticationForm):
    """Django's sign-in form, which answers every failure with one message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username or email and password. Both may be "
        "case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username or email"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class UserListFilterForm(forms.Form):
    """The Users list's search and filters, read from the query string."""

    q = forms.CharField(label="Search by name or email", required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label="Status",
        choices=UserStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    type = forms.MultipleChoiceField(
        label="Type",
        choices=UserType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    per_page = forms.TypedChoiceField(
        label="Rows per page",
        choices=PER_PAGE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs):
        # A first visit (no query string) shows the default statuses, ticked.
        if not data:
            data = {"status": list(DEFAULT_LIST_STATUSES), "per_page": "10"}
        super().__init__(data, *args, **kwargs)

    def filters(self) -> dict:
        cleaned = self.cleaned_data if self.is_valid() else {}
        return {
            "search": cleaned.get("q", ""),
            "statuses": cleaned.get("status") or list(DEFAULT_LIST_STATUSES),
            "types": cleaned.get("type") or [],
        }

    @property
    def page_number(self) -> int:
        return (self.is_valid() and self.cleaned_data.get("page")) or 1

    @property
    def page_size(self) -> int:
        return (self.is_valid() and self.cleaned_data.get("per_page")) or 10
