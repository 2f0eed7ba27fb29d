"""accounts' forms: what a person typing into them sees."""

import pytest

from accounts.forms import ActivationForm, PersonDetailsForm, UserListFilterForm, invite_field
from accounts.models import DEFAULT_LIST_STATUSES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOOD = "plum orchard lantern 42"


def activation(user, **data):
    return ActivationForm(user, data={"username": "ines", **data})


def test_activation_accepts_a_long_password_typed_twice():
    form = activation(UserFactory(), new_password1=GOOD, new_password2=GOOD)
    assert form.is_valid(), form.errors


def test_activation_explains_a_mismatch_at_the_confirmation():
    form = activation(UserFactory(), new_password1=GOOD, new_password2=GOOD + "x")
    assert form.errors == {"new_password2": ["The two passwords do not match."]}


def test_activation_explains_a_short_or_common_password_at_the_password():
    form = activation(UserFactory(), new_password1="password", new_password2="password")
    errors = form.errors["new_password1"]
    assert any("at least 12 characters" in error for error in errors)
    assert any("too common" in error for error in errors)


def test_activation_refuses_a_password_like_the_username_being_chosen():
    form = activation(
        UserFactory(first_name="Ines"),
        username="marmalade-sandwich",
        new_password1="marmalade-sandwich",
        new_password2="marmalade-sandwich",
    )
    assert any("too similar" in error for error in form.errors["new_password1"])


def test_activation_shows_the_validators_own_help_text():
    help_text = str(ActivationForm(UserFactory()).fields["new_password1"].help_text)
    assert "at least 12 characters" in help_text and "at most 128 characters" in help_text


def test_the_users_list_filter_starts_with_the_default_statuses_and_ten_rows():
    form = UserListFilterForm(None)
    assert form.filters()["statuses"] == list(DEFAULT_LIST_STATUSES)
    assert form.page_size == 10 and form.cursors == {"after": "", "before": ""}


def test_the_users_list_filter_ignores_nonsense():
    form = UserListFilterForm({"status": ["nonsense"], "per_page": "7", "after": "x" * 500})
    assert form.filters()["statuses"] == list(DEFAULT_LIST_STATUSES)
    assert form.page_size == 10 and form.cursors == {"after": "", "before": ""}


@pytest.mark.parametrize(("answer", "invite"), [("yes", True), ("no", False), ("", None)])
def test_person_forms_hand_the_invite_answer_to_the_services_as_true_false_or_none(answer, invite):
    class WithInvite(PersonDetailsForm):
        invite = invite_field("employer")

    form = WithInvite(data={"invite": answer}, tenant=None)
    assert form.is_valid()
    assert form.service_input()["invite"] is invite
