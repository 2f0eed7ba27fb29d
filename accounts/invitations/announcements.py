"""What the administrator is told after creating a person or sending an invitation."""

from django.contrib import messages

from ..models import User
from .models import Invitation, InvitationStatus


def announce_created(request, user: User, invitation: Invitation | None) -> None:
    """After Add Employer or Add Learner: created, and whether the invitation email went."""
    who = f"{user.get_user_type_display()} {user.full_name}"
    if invitation is None:
        messages.success(
            request,
            f"{who} created as a Prospect. Select Send Invitation when you are ready for them "
            "to sign in.",
        )
    elif invitation.status == InvitationStatus.FAILED:
        messages.warning(
            request,
            f"{who} created, but the invitation email to {invitation.email} could not be sent "
            f"({invitation.error}). Select Resend invitation to try again.",
        )
    else:
        messages.success(request, f"{who} created. Invitation email sent to {invitation.email}.")


def announce_invitation(request, invitation: Invitation, *, sent_now: bool = True) -> None:
    """After Send Invitation or Resend invitation on a profile."""
    if not sent_now:
        messages.info(
            request,
            f"An invitation to {invitation.email} was already sent at "
            f"{invitation.created_at:%H:%M}. Nothing was sent again.",
        )
    elif invitation.status == InvitationStatus.FAILED:
        messages.error(
            request,
            f"The invitation email to {invitation.email} could not be sent "
            f"({invitation.error}). The account is unchanged: select Resend invitation to try "
            "again.",
        )
    else:
        messages.success(request, f"Invitation email sent to {invitation.email}.")
