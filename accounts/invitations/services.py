"""The invitation lifecycle: create, deliver (at most once), send, resend and fresh links.

Creating an invitation and sending its email are kept apart, as Okta and Keycloak do: the email
leaves after the transaction commits, and a provider failure leaves the account in place with a
failed invitation that can be sent again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import default_task_backend

from ui.queue import enqueue_with_data, queued_in_transaction

from ..audit import audit_record
from ..lookups import ci
from ..models import Tenant, User, UserStatus, mail_address
from .models import BatchKind, BatchStatus, Invitation, InvitationBatch, InvitationStatus
from .tokens import activation_token_generator

logger = logging.getLogger(__name__)

CANNOT_INVITE = "Only a Prospect or an Invited user can be sent an invitation."
ACCESS_ENDED = (
    "This person's access has ended, so their link would not work. Extend their access end "
    "date first."
)
# A send that has not finished this long after it started died with its process (the provider
# call itself times out well within it); it is tried once more, then reported.
STUCK_AFTER = timedelta(minutes=10)
# How long after its transaction commits an email should have started on its way in the
# process that made it; past this, the worker's queued check sends it instead.
HANDOVER_GRACE = timedelta(minutes=1)
MAX_SEND_ATTEMPTS = 2
NEVER_CONFIRMED = (
    "The email could not be confirmed as sent after two tries, so it may not have arrived. "
    "Select Resend invitation to send a new link."
)
INVITABLE_STATUSES = (UserStatus.PROSPECT, UserStatus.INVITED)
EMAIL_TEMPLATES = "accounts/email/activation"


def invitation_create(*, user: User, sent_by: User | None) -> Invitation:
    """Record a new invitation and kill every older link. Call inside a transaction."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        invitation_count=F("invitation_count") + 1,
        status=UserStatus.INVITED,
        invited_at=now,
    )
    user.refresh_from_db(fields=["invitation_count", "status", "invited_at"])
    # The one expiry every party reads: the token, the email and Pending invitations.
    invitation = Invitation.objects.create(
        tenant_id=user.tenant_id,
        user=user,
        sent_by=sent_by,
        sequence=user.invitation_count,
        email=user.email,
        expires_at=now + timedelta(days=user.tenant.activation_link_days),
    )
    audit_record(
        tenant=user.tenant,
        actor=sent_by,
        subject=user,
        action="invitation.created",
        summary=f"Invitation {invitation.sequence} prepared for {user.email}",
    )
    return invitation


def activation_url(user: User) -> str:
    """The absolute link in the email, built from SITE_URL and never from a request."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = activation_token_generator.make_token(user)
    path = reverse("accounts:activate", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def activation_email(user: User, invitation: Invitation) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "tenant": user.tenant,
        "activation_url": activation_url(user),
        "expires_at": invitation.expires_at,
        "lifetime_days": user.tenant.activation_link_days,
        "site_url": settings.SITE_URL,
    }
    # Named the allauth way: <name>_subject.txt, <name>_message.txt, <name>_message.html.
    subject = " ".join(render_to_string(f"{EMAIL_TEMPLATES}_subject.txt", context).split())
    text = render_to_string(f"{EMAIL_TEMPLATES}_message.txt", context)
    html = render_to_string(f"{EMAIL_TEMPLATES}_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[mail_address(invitation.email)]
    )
    message.attach_alternative(html, "text/html")
    return message


def invitation_deliver(*, invitation_id: int) -> Invitation:
    """Send one invitation's email, at most once, and record what the provider said.

    The row is claimed with a conditional UPDATE, so a retried task or a second worker never
    sends the same invitation twice. A superseded invitation (a newer one exists) is not sent.
    """
    now = timezone.now()
    never_started = Q(sent_at__isnull=True)
    stuck = Q(sent_at__lt=now - STUCK_AFTER, attempts__lt=MAX_SEND_ATTEMPTS)
    claimed = (
        Invitation.objects.filter(pk=invitation_id, status=InvitationStatus.PENDING)
        .filter(never_started | stuck)
        .update(sent_at=now, attempts=F("attempts") + 1)
    )
    invitation = Invitation.objects.select_related("user__tenant").get(pk=invitation_id)
    if not claimed:
        return invitation
    _check_later(invitation)
    user = invitation.user
    if not invitation.is_current or user.status != UserStatus.INVITED:
        invitation.status = InvitationStatus.FAILED
        invitation.error = "A newer invitation replaced this one before it was sent."
        invitation.save(update_fields=["status", "error"])
        return invitation
    message = activation_email(user, invitation)
    try:
        message.send()
    except Exception as error:  # any provider failure: keep the account, record it plainly
        logger.warning(
            "Invitation %s to user %s failed: %s", invitation.pk, user.pk, type(error).__name__
        )
        invitation.status = InvitationStatus.FAILED
        invitation.error = (str(error) or type(error).__name__)[:500]
        invitation.save(update_fields=["status", "error"])
        audit_record(
            tenant=user.tenant,
            actor=invitation.sent_by,
            subject=user,
            action="invitation.failed",
            summary=f"Invitation email to {invitation.email} failed",
        )
        return invitation
    status = getattr(message, "anymail_status", None)
    invitation.provider_message_id = (
        str(status.message_id) if status and status.message_id is not None else ""
    )
    invitation.status = InvitationStatus.SENT
    invitation.save(update_fields=["status", "provider_message_id"])
    audit_record(
        tenant=user.tenant,
        actor=invitation.sent_by,
        subject=user,
        action="invitation.sent",
        summary=f"Invitation email sent to {invitation.email}",
    )
    return invitation


def _check_later(invitation: Invitation) -> None:
    """With a queue that can wait (the database queue in production), ask the worker to look
    again once a send this old would count as stuck: if this process dies mid-send, the
    worker finishes the job."""
    from .tasks import retry_stuck_invitation

    if default_task_backend.supports_defer:
        run_after = timezone.now() + STUCK_AFTER + timedelta(minutes=1)
        retry_stuck_invitation.using(run_after=run_after).enqueue(invitation.pk)


def invitation_retry_if_stuck(*, invitation_id: int) -> Invitation | None:
    """Finish an invitation whose process died: one never handed over (the process died
    between its COMMIT and sending) is sent now; one whose send started but never ended is
    tried once more, or after the last try recorded as failed so the profile says so. An
    invitation that was sent, failed plainly or is still within its time is left alone."""
    now = timezone.now()
    invitation = Invitation.objects.filter(
        pk=invitation_id, status=InvitationStatus.PENDING
    ).first()
    if invitation is None:
        return None
    if invitation.sent_at is None:
        if invitation.created_at > now - HANDOVER_GRACE:
            return None  # its own process is about to send it
        logger.warning("Invitation %s was never handed over for sending; sending it", invitation.pk)
        return invitation_deliver(invitation_id=invitation.pk)
    if invitation.sent_at >= now - STUCK_AFTER:
        return None
    if invitation.attempts < MAX_SEND_ATTEMPTS:
        logger.warning("Invitation %s was stuck while sending; trying once more", invitation.pk)
        return invitation_deliver(invitation_id=invitation.pk)
    given_up = Invitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING, sent_at=invitation.sent_at
    ).update(status=InvitationStatus.FAILED, error=NEVER_CONFIRMED)
    if given_up:
        audit_record(
            tenant=invitation.user.tenant,
            actor=invitation.sent_by,
            subject=invitation.user,
            action="invitation.failed",
            summary=f"Invitation email to {invitation.email} could not be confirmed as sent",
        )
    invitation.refresh_from_db()
    return invitation


def invitations_retry_stuck() -> int:
    """Every stuck invitation, as ``invitation_retry_if_stuck`` treats one (for
    ``manage.py retry_stuck_invitations``, after an outage). Returns how many were handled."""
    now = timezone.now()
    stuck = Invitation.objects.filter(status=InvitationStatus.PENDING).filter(
        Q(sent_at__lt=now - STUCK_AFTER)
        | Q(sent_at__isnull=True, created_at__lt=now - HANDOVER_GRACE)
    )
    handled = 0
    for invitation_id in stuck.values_list("pk", flat=True).iterator():
        handled += invitation_retry_if_stuck(invitation_id=invitation_id) is not None
    return handled


def invitation_deliver_after_commit(invitation: Invitation) -> None:
    """Send the email once the transaction commits, in this process, so the page can say
    whether it went. Where the queue is a table of this database, a check is queued in the
    same transaction too: if this process dies between COMMIT and sending (or while sending),
    the worker sends the email, once (``invitation_deliver`` claims the row first)."""
    from .tasks import retry_stuck_invitation

    invitation_id = invitation.pk
    if queued_in_transaction(retry_stuck_invitation):
        enqueue_with_data(
            retry_stuck_invitation, invitation_id, run_after=timezone.now() + HANDOVER_GRACE
        )
    transaction.on_commit(lambda: invitation_deliver(invitation_id=invitation_id))


def invitation_send(
    *,
    user: User,
    sent_by: User | None,
    expected_count: int | None = None,
    request_key: str = "",
) -> tuple[Invitation, bool]:
    """Send Invitation (a Prospect) or Resend invitation (an Invited user).

    The new link replaces every older one. The email leaves after the transaction commits; the
    returned invitation says whether it was sent or failed (or is still pending when an outer
    transaction defers it). ``expected_count`` is the invitation count the administrator's page
    showed: when another invitation went out since (a double click, a replayed request), nothing
    is sent again and the latest invitation comes back with False.

    The status is judged on the locked row, never on the ``user`` handed in: a person who
    activates while a resend is on its way must stay a Full user. ``request_key`` names the
    request (a queued task's id): a second call with the same key sends nothing.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().select_related("tenant").get(pk=user.pk)
        if locked.status not in INVITABLE_STATUSES or locked.is_archived:
            raise ValidationError(CANNOT_INVITE, code="status")
        if locked.access_expired:
            raise ValidationError(ACCESS_ENDED, code="expired")
        if expected_count is not None and locked.invitation_count != expected_count:
            latest = Invitation.objects.filter(user=locked).order_by("-sequence").first()
            if latest is not None:
                return latest, False
        if request_key:
            # A queued task run a second time (its worker died after sending) sends nothing.
            done = Invitation.objects.filter(user=locked, request_key=request_key).first()
            if done is not None:
                return done, False
        invitation = invitation_create(user=locked, sent_by=sent_by)
        if request_key:
            invitation.request_key = request_key
            invitation.save(update_fields=["request_key"])
        invitation_deliver_after_commit(invitation)
    invitation.refresh_from_db()
    user.refresh_from_db()
    return invitation, True


BATCH_GONE = "This account no longer exists."
BATCH_NOT_WAITING = (
    "Activated, cancelled or archived since the list was drawn, so no new link was sent."
)


def invitation_batch_start(
    *, tenant: Tenant, requested_by: User, kind: str, user_ids: list[int]
) -> InvitationBatch:
    """Queue invitations to these people of ``tenant`` (anyone else's ids are dropped) for the
    worker, in the transaction that records the batch; its page follows the sending."""
    from .tasks import send_invitation_batch

    people = (
        User.objects.for_tenant(tenant).filter(pk__in=user_ids).order_by("surname", "first_name")
    )
    with transaction.atomic():
        batch = InvitationBatch.objects.create(
            tenant=tenant,
            requested_by=requested_by,
            kind=kind,
            user_ids=list(people.values_list("pk", flat=True)),
        )
        enqueue_with_data(send_invitation_batch, batch.pk)
    return batch


def invitation_batch_send(*, batch_id: int) -> InvitationBatch:
    """The worker's part: each person of the batch sent an invitation once, through
    ``invitation_send`` (the profile's own rules), and what happened recorded as it goes. A
    task run again (its worker died) carries on where it stopped and sends nobody twice."""
    batch = InvitationBatch.objects.select_related("requested_by").get(pk=batch_id)
    if batch.status == BatchStatus.DONE:
        return batch
    InvitationBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.SENDING)
    people = User.objects.for_tenant(batch.tenant_id).select_related("tenant").in_bulk(
        batch.user_ids
    )
    for user_id in batch.user_ids:
        if str(user_id) in batch.outcomes:
            continue
        batch.outcomes[str(user_id)] = _batch_outcome(batch, people.get(user_id))
        InvitationBatch.objects.filter(pk=batch.pk).update(outcomes=batch.outcomes)
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at", "outcomes"])
    return batch


def _batch_outcome(batch: InvitationBatch, person: User | None) -> dict[str, str]:
    if person is None:
        return {"result": "skipped", "why": BATCH_GONE}
    if batch.kind == BatchKind.RESEND and person.status != UserStatus.INVITED:
        return {"result": "skipped", "why": BATCH_NOT_WAITING}
    try:
        invitation, _ = invitation_send(
            user=person,
            sent_by=batch.requested_by,
            request_key=f"batch:{batch.pk}:{person.pk}",
        )
    except ValidationError as error:
        return {"result": "skipped", "why": error.messages[0]}
    if invitation.status in (InvitationStatus.FAILED, InvitationStatus.BOUNCED):
        return {"result": "failed", "why": invitation.error or "The email could not be sent."}
    return {"result": "sent", "why": ""}


def fresh_link_request(*, email: str, request_key: str = "") -> int:
    """Send a fresh activation link to every Invited, unarchived account at this address.

    Goes only to the stored address. Returns how many were sent, which the page never shows.
    """
    sent = 0
    waiting = User.objects.filter(
        email__lower=ci(User.objects.normalize_email(email)),
        status=UserStatus.INVITED,
        is_archived=False,
    ).select_related("tenant")
    for user in waiting:
        try:
            _, sent_now = invitation_send(user=user, sent_by=None, request_key=request_key)
        except ValidationError:  # activated or archived since the query ran
            continue
        sent += sent_now
    return sent
