from django import forms

from ui.forms import AccessibleFormMixin

from .models import Scope
from .tokens import DEFAULT_DAYS, EXPIRY_RANGE, MAX_DAYS, NAME_REQUIRED, SCOPES_REQUIRED


class TokenForm(AccessibleFormMixin, forms.Form):
    """A new API token. Rules: ``api.tokens.token_create``."""

    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What it is for, like 'Payroll sync'.",
        error_messages={"required": NAME_REQUIRED},
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the token may do. It can never do more than your own roles allow.",
        error_messages={"required": SCOPES_REQUIRED},
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text="Every token expires: from 1 to 365 days.",
        error_messages={
            key: EXPIRY_RANGE for key in ("required", "invalid", "min_value", "max_value")
        },
        widget=forms.NumberInput(attrs={"class": "w-auto"}),
    )
