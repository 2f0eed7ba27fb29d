from copy import copy
from functools import partial
from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.http import QueryDict
from django.utils.functional import cached_property

from ui import parts
from ui.forms import YES_NO, AccessibleFormMixin, layout_helper

from .models import (
    DEFAULT_LIST_STATUSES,
    LINK_DAYS_MAX,
    LINK_DAYS_MIN,
    Gender,
    SecondFactor,
    Title,
    UserStatus,
    UserType,
)
from .parts import USER_LIST_FILTERS, ListFilter
from .security import LINK_DAYS_RANGE
from .selectors import USER_LIST_SORT_KEYS

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
    archived = forms.BooleanField(
        label="Archived accounts only",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    missing_mobile = forms.BooleanField(
        label="Missing mobile number",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in USER_LIST_SORT_KEYS],
        widget=forms.HiddenInput,
    )
    # Keyset cursors (ui.pagination): where the page starts or ends. Opaque, bookmarkable.
    after = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, tenant=None, **kwargs):
        # No status chosen (a first visit, a bare sort link) lists the default statuses, so
        # the form shows them ticked: it says what the list shows.
        if isinstance(data, QueryDict):
            data = data.copy()
        else:  # a plain mapping, as a caller other than the page may give
            data = QueryDict(urlencode(data or {}, doseq=True), mutable=True)
        if not data.getlist("status"):
            data.setlist("status", list(DEFAULT_LIST_STATUSES))
        data.setdefault("per_page", "10")
        super().__init__(data, *args, **kwargs)
        # Filters other apps add (the employer group, say), drawn after the built-in ones.
        self.extra_filters: list[ListFilter] = (
            parts.collect(USER_LIST_FILTERS, tenant, self.data) if tenant is not None else []
        )
        for extra in self.extra_filters:
            self.fields.update(extra.fields)

    @property
    def valid_values(self) -> dict:
        """The values that passed their checks: one bad value (an old bookmark's group, say)
        is reported at its field and leaves every other filter working."""
        self.is_valid()
        return self.cleaned_data

    def filters(self) -> dict:
        cleaned = self.valid_values
        return {
            "search": cleaned.get("q", ""),
            "statuses": cleaned.get("status") or list(DEFAULT_LIST_STATUSES),
            "types": cleaned.get("type") or [],
            "sort": self.sort_key,
            "archived": bool(cleaned.get("archived")),
            "missing_mobile": bool(cleaned.get("missing_mobile")),
            "narrowed_by": [
                partial(extra.narrow, value=cleaned[extra.name])
                for extra in self.extra_filters
                if cleaned.get(extra.name) not in (None, "")
            ],
        }

    @property
    def sort_key(self) -> str:
        return self.valid_values.get("sort") or "created"

    @property
    def cursors(self) -> dict[str, str]:
        cleaned = self.valid_values
        return {"after": cleaned.get("after", ""), "before": cleaned.get("before", "")}

    @property
    def page_size(self) -> int:
        return self.valid_values.get("per_page") or 10


class NewPasswordForm(SetPasswordMixin, AccessibleFormMixin, forms.Form):
    """A new password, twice, built on Django's SetPasswordMixin: its fields carry the
    validators' own help text, and the passwords are sensitive variables in any error report.
    Used after a reset link as it is; Activate Account adds the username."""

    error_messages = {"password_mismatch": "The two passwords do not match."}
    new_password1, new_password2 = SetPasswordMixin.create_password_fields(
        label1="New password", label2="Confirm new password"
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords("new_password1", "new_password2")
        if "new_password2" not in self.errors:
            self.validate_password_for_user(self.judged_as(cleaned), "new_password1")
        return cleaned

    def judged_as(self, cleaned: dict):
        """The person the password's similarity is judged against."""
        return self.user

    def save(self, commit: bool = True):
        return self.set_password_and_save(self.user, "new_password1", commit=commit)


class ActivationForm(NewPasswordForm):
    """Username (pre-filled, editable) and a new password."""

    field_order = ["username", "new_password1", "new_password2"]
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="You will sign in with this. Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def judged_as(self, cleaned: dict):
        # Judge similarity against the username the person is choosing too.
        candidate = copy(self.user)
        candidate.username = cleaned.get("username") or self.user.username
        return candidate


def your_email_field(help_text: str) -> forms.EmailField:
    """A person's own email address, asked for on a signed-out page."""
    return forms.EmailField(
        label="Email address",
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
    )


class FreshLinkForm(AccessibleFormMixin, forms.Form):
    email = your_email_field("The address the invitation was sent to.")


class PasswordForgotForm(AccessibleFormMixin, forms.Form):
    email = your_email_field("The address your Aptem account uses.")


class PersonDetailsForm(AccessibleFormMixin, forms.Form):
    """Personal details and address, shared by Add Employer and Add Learner.

    Fields only coerce what was typed: every rule is the services' (``person_details_clean`` and
    the employer or learner rules built on it), so the pages, CSV and the API agree.
    """

    mandatory_fields = frozenset({"title", "first_name", "surname", "email", "mobile"})

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

    # Personal details and Address as the page lays them out (crispy-forms rows and columns).
    personal_layout = (
        Row(
            # Wide enough for "Select a title" beside the error icon and the arrow.
            Column("title", css_class="col-sm-4 col-lg-3"),
            Column("first_name", css_class="col-sm-8 col-lg-4"),
            Column("surname", css_class="col-lg-5"),
            Column("email", css_class="col-lg-6"),
            Column("mobile", css_class="col-lg-3"),
            Column("gender", css_class="col-lg-3"),
        ),
    )
    address_layout = (
        "postcode",
        Row(
            Column("address_line_1", css_class="col-lg-4"),
            Column("address_line_2", css_class="col-lg-4"),
            Column("address_line_3", css_class="col-lg-4"),
            Column("town", css_class="col-lg-6"),
            Column("county", css_class="col-lg-6"),
        ),
    )

    def __init__(self, *args, tenant, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.mandatory = name in self.mandatory_fields

    @cached_property
    def personal_helper(self) -> FormHelper:
        return layout_helper(*self.personal_layout)

    @cached_property
    def address_helper(self) -> FormHelper:
        return layout_helper(*self.address_layout)

    def service_input(self) -> dict:
        """The coerced values as the services take them (the invite answer as True/False)."""
        data = dict(self.cleaned_data)
        if "invite" in self.fields:
            data["invite"] = dict(zip(("yes", "no"), (True, False), strict=True)).get(
                data.get("invite")
            )
        return data


def invite_field(noun: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"Would you like to invite this {noun}?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class AccessEndForm(AccessibleFormMixin, forms.Form):
    """An account's own access end date. Rules: ``lifecycle.account_access_end_set``."""

    ends_on = forms.DateField(
        label="Last day of access",
        required=False,
        help_text="Leave empty to follow the tenant's subscription end date.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 31 7 2027."},
    )


class SecuritySettingsForm(AccessibleFormMixin, forms.Form):
    """The tenant's security settings. Rules: ``accounts.security.tenant_security_update``."""

    mfv_employers = forms.BooleanField(
        label="Require multi-factor verification for employer logins",
        required=False,
        help_text="When an employer activates their account, a 6-digit code is sent to their "
        "mobile by SMS; they enter it before choosing a password.",
    )
    mfv_learners = forms.BooleanField(
        label="Require multi-factor verification for learner logins",
        required=False,
        help_text="The same check for learners.",
    )
    second_factor = forms.ChoiceField(
        label="Second factor at sign-in",
        choices=SecondFactor.choices,
        widget=forms.RadioSelect,
        help_text="An authenticator app, with backup codes, and SMS as the fallback.",
    )
    activation_link_days = forms.IntegerField(
        label="Activation links last (days)",
        min_value=LINK_DAYS_MIN,
        max_value=LINK_DAYS_MAX,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), LINK_DAYS_RANGE
        ),
        widget=forms.NumberInput(attrs={"class": "w-auto"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mfv_employers", "mfv_learners"):  # each box names its hint
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_hint"


class VerificationCodeForm(AccessibleFormMixin, forms.Form):
    """The code from the text message (GOV.UK's "Confirm a phone number" pattern)."""

    code = forms.CharField(
        label="Verification code",
        max_length=20,
        help_text="The 6-digit code in the text message. Spaces and hyphens are fine.",
        error_messages={"required": "Enter the 6-digit code from the text message, like 123456."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "w-auto",
            }
        ),
    )
