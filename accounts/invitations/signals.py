from anymail.signals import tracking
from django.dispatch import receiver
from django.utils import timezone

from .models import Invitation, InvitationStatus

DELIVERED_EVENTS = {"delivered"}
BOUNCED_EVENTS = {"bounced", "rejected", "failed"}


@receiver(tracking, dispatch_uid="accounts.invitations.tracking")
def invitation_tracking(sender, event, esp_name, **kwargs) -> None:
    """Record what the email provider's tracking webhook says became of an invitation."""
    if not event.message_id:
        return
    if event.event_type in DELIVERED_EVENTS:
        status = InvitationStatus.DELIVERED
    elif event.event_type in BOUNCED_EVENTS:
        status = InvitationStatus.BOUNCED
    else:
        return
    Invitation.objects.filter(provider_message_id=str(event.message_id)).exclude(
        status=InvitationStatus.BOUNCED
    ).update(status=status, status_changed_at=timezone.now())
