"""The activation token generator, through the cases of Django's own
``tests/auth_tests/test_tokens.py`` (same assertions, our generator), then ours.

Deliberate differences from Django's reset tokens:
- expiry is the current invitation's ``expires_at``, not ``PASSWORD_RESET_TIMEOUT`` counted from
  the token's timestamp, so the link lives exactly as long as the email and Pending invitations
  promise; with no invitation there is no valid link at all;
- the hash also covers the status and the invitation count, so activation and every resend end
  earlier links.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import PasswordResetTokenGenerator

from accounts.invitations.services import invitation_create
from accounts.invitations.tokens import ActivationTokenGenerator, activation_token_generator
from accounts.models import User, UserStatus
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def invited_user(*, days: int = 7, **fields) -> User:
    """A person with a current invitation sent at START, its link valid for ``days``."""
    user = UserFactory(
        status=UserStatus.PROSPECT, tenant=TenantFactory(activation_link_days=days), **fields
    )
    with time_machine.travel(START, tick=False):
        invitation_create(user=user, sent_by=None)
    user.refresh_from_db()
    return user


def token_at(generator, user, when=START) -> str:
    with time_machine.travel(when, tick=False):
        return generator.make_token(user)


def check_at(generator, user, token, when=START) -> bool:
    with time_machine.travel(when, tick=False):
        return generator.check_token(user, token)


# --- Django's cases -------------------------------------------------------------------------


def test_make_token():
    user = invited_user()
    token = token_at(activation_token_generator, user)
    assert check_at(activation_token_generator, user, token) is True


def test_10265_the_same_token_for_a_user_reloaded_in_the_same_request():
    user = invited_user()
    reloaded = User.objects.get(pk=user.pk)
    assert token_at(activation_token_generator, user) == token_at(
        activation_token_generator, reloaded
    )


def test_token_with_different_email():
    """Updating the user's email address invalidates the token."""
    user = invited_user(email="first@example.com")
    token = token_at(activation_token_generator, user)
    assert check_at(activation_token_generator, user, token) is True
    user.email = "second@example.com"
    user.save()
    assert check_at(activation_token_generator, user, token) is False


def test_timeout_valid_at_the_expiry_second_but_not_one_after():
    user = invited_user(days=7)
    token = token_at(activation_token_generator, user)
    assert check_at(activation_token_generator, user, token, START + timedelta(days=7)) is True
    assert (
        check_at(activation_token_generator, user, token, START + timedelta(days=7, seconds=1))
        is False
    )
    # Django re-checks under another PASSWORD_RESET_TIMEOUT; ours follows another lifetime.
    shorter = invited_user(days=2)
    token = token_at(activation_token_generator, shorter)
    assert check_at(activation_token_generator, shorter, token, START + timedelta(days=2)) is True
    assert (
        check_at(activation_token_generator, shorter, token, START + timedelta(days=2, seconds=1))
        is False
    )


def test_check_token_with_nonexistent_token_and_user():
    user = invited_user()
    token = token_at(activation_token_generator, user)
    assert check_at(activation_token_generator, None, token) is False
    assert check_at(activation_token_generator, user, None) is False


def test_token_with_different_secret():
    """A generator with another secret makes tokens that the default one refuses, and back."""
    user = invited_user()
    other = ActivationTokenGenerator()
    other.secret = "abcdefghijkl"
    other_token = token_at(other, user)
    assert check_at(other, user, other_token) is True
    default_token = token_at(activation_token_generator, user)
    assert check_at(other, user, default_token) is False
    assert check_at(activation_token_generator, user, other_token) is False


def test_token_with_different_secret_subclass():
    class CustomSecret(ActivationTokenGenerator):
        secret = "test-secret"

    user = invited_user()
    custom = CustomSecret()
    token = token_at(custom, user)
    assert check_at(custom, user, token) is True
    assert check_at(activation_token_generator, user, token) is False


def test_check_token_secret_fallbacks(settings):
    settings.SECRET_KEY_FALLBACKS = ["oldsecret"]
    user = invited_user()
    old = ActivationTokenGenerator()
    old.secret = "oldsecret"
    token = token_at(old, user)
    assert check_at(ActivationTokenGenerator(), user, token) is True


def test_check_token_secret_key_fallbacks_override(settings):
    settings.SECRET_KEY_FALLBACKS = ["oldsecret"]
    user = invited_user()
    old = ActivationTokenGenerator()
    old.secret = "oldsecret"
    token = token_at(old, user)
    no_fallbacks = ActivationTokenGenerator()
    no_fallbacks.secret_fallbacks = []
    assert check_at(no_fallbacks, user, token) is False


# --- What activation links add ----------------------------------------------------------------


def test_expiry_is_the_invitations_even_after_the_tenant_changes_its_lifetime():
    """The email promised seven days; shortening the tenant's lifetime later must not cut the
    link short, and lengthening it must not stretch it past what Pending invitations shows."""
    user = invited_user(days=7)
    token = token_at(activation_token_generator, user)
    promised = user.invitations.get().expires_at
    assert promised == START + timedelta(days=7)
    user.tenant.activation_link_days = 1
    user.tenant.save()
    user.refresh_from_db()
    assert check_at(activation_token_generator, user, token, START + timedelta(days=6)) is True
    user.tenant.activation_link_days = 30
    user.tenant.save()
    user.refresh_from_db()
    assert check_at(activation_token_generator, user, token, START + timedelta(days=8)) is False


def test_no_invitation_means_no_valid_link():
    user = UserFactory(status=UserStatus.INVITED)
    token = token_at(activation_token_generator, user)
    assert check_at(activation_token_generator, user, token) is False


def test_a_newer_invitation_ends_the_older_link_and_its_own_link_works():
    user = invited_user()
    old_token = token_at(activation_token_generator, user)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        invitation_create(user=user, sent_by=None)
    user.refresh_from_db()
    new_token = token_at(activation_token_generator, user, START + timedelta(hours=1))
    later = START + timedelta(hours=2)
    assert check_at(activation_token_generator, user, old_token, later) is False
    assert check_at(activation_token_generator, user, new_token, later) is True


def test_activation_ends_the_link():
    user = invited_user()
    token = token_at(activation_token_generator, user)
    user.set_password("a long enough passphrase")
    user.status = UserStatus.FULL
    user.save()
    assert check_at(activation_token_generator, user, token) is False


def test_a_password_reset_generator_refuses_an_activation_token_and_back():
    user = invited_user()
    reset = PasswordResetTokenGenerator()
    activation_token = token_at(activation_token_generator, user)
    reset_token = token_at(reset, user)
    assert check_at(reset, user, activation_token) is False
    assert check_at(activation_token_generator, user, reset_token) is False
    assert check_at(reset, user, reset_token) is True  # the twin: each works for its own flow


@pytest.mark.parametrize("token", ["", "abc", "x-y-z", "zzzzzzzzzzzzzz-", "-" * 40, "²-abc"])
def test_malformed_tokens_are_refused_without_an_error(token):
    user = invited_user()
    assert check_at(activation_token_generator, user, token) is False
