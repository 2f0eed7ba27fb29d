"""What every form in the product shares: Bootstrap classes and accessible error states."""

from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property

CHOICE_WIDGETS = (forms.CheckboxSelectMultiple, forms.RadioSelect)

# The mixin stands in front of a Django form; type checkers are told so.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


FIELD_TEMPLATE = "includes/field.html"


def layout_helper(*layout: Any) -> FormHelper:
    """A crispy-forms helper that lays fields out (rows, columns) inside a form the template
    writes itself, each field drawn by the one field include, so every field renders its label,
    hint, message and ARIA the same way. The page's error summary shows the form's errors."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.form_show_errors = False
    helper.field_template = FIELD_TEMPLATE
    if layout:
        helper.layout = Layout(*layout)
    return helper


class AccessibleFormMixin(_FormBase):
    """Adds Bootstrap classes, and after validation marks each invalid field for assistive tech.

    Each field with an error gets ``aria-invalid`` and ``aria-describedby`` pointing at its
    message, which ``templates/includes/field.html`` renders with the matching id. Templates
    draw the form with ``{% crispy form %}`` (the layout of ``helper``).
    """

    @cached_property
    def helper(self) -> FormHelper:
        """Every visible field in order; forms with a grid override this."""
        return layout_helper(*self.fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (*CHOICE_WIDGETS, forms.HiddenInput)):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        """Record the error, then mark every field now in error (services add them late too)."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self._mark_invalid(name)

    def _mark_invalid(self, name: str) -> None:
        bound = self[name]
        widget = self.fields[name].widget
        described = [f"{bound.auto_id}_error"]
        if self.fields[name].help_text:
            described.append(f"{bound.auto_id}_hint")
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["aria-describedby"] = " ".join(described)
        if not isinstance(widget, CHOICE_WIDGETS) and "is-invalid" not in widget.attrs.get(
            "class", ""
        ):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class IdListField(forms.Field):
    """Ids posted by a widget the template draws itself (checkbox lists, listboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(item) for item in (value or []) if str(item).strip()]


YES_NO = [("yes", "Yes"), ("no", "No")]


def initial_from(data: QueryDict | Any, *, list_fields: tuple[str, ...]) -> dict[str, Any]:
    """Posted values to show again without judging them: errors wait for Create or Save."""
    return {
        name: data.getlist(name) if name in list_fields else data.get(name)
        for name in data
        if name not in ("csrfmiddlewaretoken", "action")
    }
