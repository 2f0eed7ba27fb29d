"""After creation: cancel an account and bring it back. Rules and messages live here, for the
profile's buttons now and for bulk actions, the CSV importer and the API later.

Cancelling takes effect at once without touching sessions or links one by one: sign-in and
every session check accept Full users only (``accounts.backends``), the session epoch it raises
ends every session for good (reactivating brings none back), activation links are signed over
the status, and the manager and mentor pickers offer Prospect, Invited and Full people only.
So the person's next request lands on the sign-in page, their links are dead, and they are no
longer offered as anyone's manager.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .models import User, UserStatus

ALREADY_CANCELLED = "This account is already cancelled."
CANNOT_CANCEL_YOURSELF = "You cannot cancel your own account."
REASON_REQUIRED = "Enter why the account is being cancelled."
REASON_MAX = 500
REASON_TOO_LONG = f"Keep the reason to {REASON_MAX} characters or fewer."
NOT_CANCELLED = "Only a cancelled account can be reactivated."


def cancel_reason_clean(reason: str) -> str:
    """Why an account is cancelled, one line of at most ``REASON_MAX`` characters; raises a
    ValidationError keyed ``reason`` (for a page that asks once for many people, too)."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="required")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": ValidationError(REASON_TOO_LONG, code="max_length")})
    return reason


def account_cancel(*, user: User, cancelled_by: User, reason: str) -> User:
    """Cancel ``user``'s account, recording why; refused for an account already cancelled and
    for your own."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status == UserStatus.CANCELLED:
            raise ValidationError(ALREADY_CANCELLED, code="cancelled")
        if locked.pk == cancelled_by.pk:
            raise ValidationError(CANNOT_CANCEL_YOURSELF, code="self")
        reason = cancel_reason_clean(reason)
        previous = locked.get_status_display()
        locked.status = UserStatus.CANCELLED
        locked.session_epoch += 1  # every session ends, for good
        locked.save(update_fields=["status", "session_epoch"])
        audit_record(
            tenant=locked.tenant,
            actor=cancelled_by,
            subject=locked,
            action="account.cancelled",
            summary=f"Account cancelled (was {previous}): {reason}",
            reason=reason,
        )
    return locked


def account_reactivate(*, user: User, reactivated_by: User) -> User:
    """Bring a cancelled account back: a Full user again if they had activated, else a
    Prospect, whose invitation must be sent again."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status != UserStatus.CANCELLED:
            raise ValidationError(NOT_CANCELLED, code="not_cancelled")
        locked.status = UserStatus.FULL if locked.activated_at else UserStatus.PROSPECT
        locked.save(update_fields=["status"])
        audit_record(
            tenant=locked.tenant,
            actor=reactivated_by,
            subject=locked,
            action="account.reactivated",
            summary=f"Account reactivated as {locked.get_status_display()}",
        )
    return locked


ALREADY_ARCHIVED = "This account is already archived."
NOT_ARCHIVED = "This account is not archived."
CANNOT_ARCHIVE_YOURSELF = "You cannot archive your own account."


def account_archive(*, user: User, archived_by: User) -> User:
    """Hide an old account: off the Users list (unless Archived is chosen), no sign-in, no
    invitation. Its email stays taken in the tenant."""
    return _set_archived(user=user, by=archived_by, archived=True)


def account_unarchive(*, user: User, unarchived_by: User) -> User:
    return _set_archived(user=user, by=unarchived_by, archived=False)


def _set_archived(*, user: User, by: User, archived: bool) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_archived == archived:
            raise ValidationError(
                ALREADY_ARCHIVED if archived else NOT_ARCHIVED, code="unchanged"
            )
        if archived and locked.pk == by.pk:
            raise ValidationError(CANNOT_ARCHIVE_YOURSELF, code="self")
        locked.is_archived = archived
        if archived:
            locked.session_epoch += 1
        locked.save(update_fields=["is_archived", "session_epoch"])
        audit_record(
            tenant=locked.tenant,
            actor=by,
            subject=locked,
            action="account.archived" if archived else "account.unarchived",
            summary="Account archived" if archived else "Account unarchived",
        )
    return locked


CANNOT_END_OWN_ACCESS = "You cannot change your own access end date."
ACCESS_END_TOO_EARLY = "Enter a date in the year 2000 or later."


def account_access_end_set(*, user: User, ends_on: date | None, changed_by: User) -> User:
    """Set (or with None remove) the last day ``user`` may sign in. Without a date of their
    own the tenant's subscription end applies. A date already past ends access at once (the
    next request of every session lands on sign-in); a later one restores it."""
    if user.pk == changed_by.pk:
        raise ValidationError(CANNOT_END_OWN_ACCESS, code="self")
    if ends_on is not None and ends_on.year < 2000:
        raise ValidationError({"ends_on": ValidationError(ACCESS_END_TOO_EARLY, code="early")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        previous = locked.access_ends_on
        if previous == ends_on:
            return locked
        locked.access_ends_on = ends_on
        locked.save(update_fields=["access_ends_on"])
        audit_record(
            tenant=locked.tenant,
            actor=changed_by,
            subject=locked,
            action="account.access_end",
            summary=f"Access end date set to {ends_on:%-d %B %Y}"
            if ends_on
            else "Own access end date removed",
            previous=previous.isoformat() if previous else None,
        )
    return locked
