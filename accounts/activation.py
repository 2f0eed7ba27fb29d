"""Activation: the invited person's own step, from Invited to Full user."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit_record
from .models import User, UserStatus
from .selectors import username_taken

USERNAME_TAKEN = "The username '%(username)s' is already taken. Choose another."
NOT_AWAITING_ACTIVATION = "This account has already been activated, or can no longer be."


def account_activate(*, user: User, username: str, password: str) -> User:
    """The invited person's own step: choose a username and password, become a Full user.

    Setting the password changes the hash inside every activation token, so the link that got
    them here stops working at once.
    """
    # NFKC, as Django's own user model does: fullwidth or superscript letters become plain ones.
    username = User.normalize_username(username.strip())
    with transaction.atomic():
        user = User.objects.select_for_update().select_related("tenant").get(pk=user.pk)
        if user.acting_refusal(activating=True) is not None:
            raise ValidationError(NOT_AWAITING_ACTIVATION, code="status")
        if username_taken(username, exclude=user):
            raise ValidationError(
                {
                    "username": ValidationError(
                        USERNAME_TAKEN, code="taken", params={"username": username}
                    )
                }
            )
        user.username = username
        user.set_password(password)
        user.status = UserStatus.FULL
        user.activated_at = timezone.now()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Someone in another tenant took the same username a moment ago.
            raise ValidationError(
                {
                    "username": ValidationError(
                        USERNAME_TAKEN, code="taken", params={"username": username}
                    )
                }
            ) from None
        audit_record(
            tenant=user.tenant,
            actor=user,
            subject=user,
            action="user.activated",
            summary=f"{user.full_name} activated the account as '{username}'",
        )
    return user
