"""Activation links: Django's password-reset token design, with its own salt and lifetime.

Nothing is stored. The HMAC covers the user's state (password hash, email, status and
invitation count), so a link stops working once it is used (the password changes), when the
email changes, and when a newer invitation is sent. It never works as a password-reset token,
nor a reset token here, because the salts differ.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

DAY = 24 * 60 * 60


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "aptem.accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        return (
            f"{user.pk}|{user.password}|{user.email.casefold()}|{user.status}|"
            f"{user.invitation_count}|{timestamp}"
        )

    def lifetime_seconds(self, user) -> int:
        return user.tenant.activation_link_days * DAY

    def check_token(self, user, token) -> bool:
        """Valid up to and including the last second of the tenant's link lifetime."""
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
        return self._num_seconds(self._now()) - timestamp <= self.lifetime_seconds(user)


activation_token_generator = ActivationTokenGenerator()
