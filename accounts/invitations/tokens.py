"""Activation links: Django's password-reset token design, with its own salt.

Nothing secret is stored. The HMAC covers the user's state (password hash, email, status and
invitation count), so a link stops working once it is used (the password changes), when the
email changes, and when a newer invitation is sent. It never works as a password-reset token,
nor a reset token here, because the salts differ.

The link lives until its invitation's ``expires_at``, the date the email and Pending invitations
promise, so changing the tenant's link lifetime later neither shortens nor stretches links that
are already out.
"""

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from .models import Invitation


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "aptem.accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return (
            f"{user.pk}|{user.password}|{user.email.casefold()}|{user.status}|"
            f"{user.invitation_count}|{timestamp}"
        )

    def check_token(self, user: Any, token: str | None) -> bool:
        """Signed for the user as they are now, and their current invitation not yet expired
        (valid up to and including its expiry second)."""
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        if not signed:
            return False
        expires_at = (
            Invitation.objects.filter(user_id=user.pk, sequence=user.invitation_count)
            .values_list("expires_at", flat=True)
            .first()
        )
        return expires_at is not None and timezone.now() <= expires_at


activation_token_generator = ActivationTokenGenerator()
