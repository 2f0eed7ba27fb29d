"""Writes for people and their invitations. The pages, the CSV importer and the API call these."""

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import (
    AuditEvent,
    Gender,
    Invitation,
    InvitationStatus,
    Tenant,
    Title,
    User,
    UserStatus,
)
from .phone import normalise_mobile
from .postcodes import normalise_postcode
from .tokens import activation_token_generator

logger = logging.getLogger(__name__)

NAME_MAX = 50
TITLE_REQUIRED = "Select a title."
FIRST_NAME_REQUIRED = "Enter a first name."
SURNAME_REQUIRED = "Enter a surname."
NAME_TOO_LONG = "%(label)s must be 50 characters or fewer."
EMAIL_REQUIRED = "Enter an email address."
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com."
EMAIL_TAKEN = (
    "The email address '%(email)s' is already registered to another account and cannot be used "
    "with this account. Please check that you have typed the address correctly."
)
MOBILE_REQUIRED = "Enter a mobile number."
MOBILE_REQUIRED_MFV = (
    "Enter a mobile number: your organisation uses multi-factor verification, which sends "
    "codes by SMS."
)
GENDER_INVALID = "Select a gender from the list."
CANNOT_INVITE = "Only a Prospect or an Invited user can be sent an invitation."
ACTIVATION_SUBJECT = "Aptem Account Activation"

PERSON_TEXT_FIELDS = (
    "first_name",
    "surname",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
)
# Every field of a person that person_details_clean checks and returns.
PERSON_FIELDS = (
    "title",
    "first_name",
    "surname",
    "email",
    "mobile",
    "gender",
    "postcode",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
)


def email_taken(*, tenant: Tenant, email: str, exclude: User | None = None) -> bool:
    others = User.objects.filter(tenant=tenant, email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def person_details_clean(
    *,
    tenant: Tenant,
    data: Mapping[str, Any],
    existing: User | None = None,
    mobile_required: bool = False,
) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
    """Check and normalise a person's details; return (clean values, errors by field).

    The mobile number is mandatory when the caller says so, and always when the tenant uses
    multi-factor verification.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str, **params: Any) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    for field in PERSON_TEXT_FIELDS:
        clean[field] = " ".join(str(data.get(field) or "").split())

    title = data.get("title") or ""
    if title not in Title.values:
        fail("title", TITLE_REQUIRED, "required")
    clean["title"] = title

    for field, label, required_message in (
        ("first_name", "First name", FIRST_NAME_REQUIRED),
        ("surname", "Surname", SURNAME_REQUIRED),
    ):
        if not clean[field]:
            fail(field, required_message, "required")
        elif len(clean[field]) > NAME_MAX:
            fail(field, NAME_TOO_LONG, "max_length", label=label)

    email = str(data.get("email") or "").strip()
    clean["email"] = email
    if not email:
        fail("email", EMAIL_REQUIRED, "required")
    else:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", EMAIL_INVALID, "invalid")
        else:
            clean["email"] = User.objects.normalize_email(email)
            if email_taken(tenant=tenant, email=clean["email"], exclude=existing):
                fail("email", EMAIL_TAKEN, "taken", email=clean["email"])

    mobile = str(data.get("mobile") or "").strip()
    clean["mobile"] = ""
    if mobile:
        try:
            clean["mobile"] = normalise_mobile(mobile)
        except ValidationError as error:
            errors.setdefault("mobile", []).append(error)
    elif tenant.mfv_required:
        fail("mobile", MOBILE_REQUIRED_MFV, "required")
    elif mobile_required:
        fail("mobile", MOBILE_REQUIRED, "required")

    gender = data.get("gender") or ""
    if gender and gender not in Gender.values:
        fail("gender", GENDER_INVALID, "invalid")
    clean["gender"] = gender

    postcode = str(data.get("postcode") or "").strip()
    clean["postcode"] = ""
    if postcode:
        try:
            clean["postcode"] = normalise_postcode(postcode)
        except ValidationError as error:
            errors.setdefault("postcode", []).append(error)
    return clean, errors


INTERFACES_REQUIRED = "Select at least one interface the employer can sign in to."
INVITE_REQUIRED = (
    "Select Yes to send the activation email now, or No to keep the %(noun)s as a Prospect."
)


def interface_access_clean(values: Iterable[str] | None) -> dict[str, bool]:
    """Classic and/or Console, at least one, as the two flags a user or record stores."""
    chosen = set(values or ())
    if not chosen or not chosen <= {"classic", "console"}:
        raise ValidationError(INTERFACES_REQUIRED, code="required")
    return {"interface_classic": "classic" in chosen, "interface_console": "console" in chosen}


def invite_answer_clean(value: Any, *, noun: str) -> bool:
    """The answer to "Would you like to invite this ...?": True (send now) or False (Prospect)."""
    if value not in (True, False):
        raise ValidationError(INVITE_REQUIRED, code="required", params={"noun": noun})
    return value


def audit_record(
    *,
    tenant: Tenant,
    actor: User | None,
    subject: User | None,
    action: str,
    summary: str,
    **details: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        subject=subject,
        action=action,
        summary=summary,
        details=details,
    )


def username_default(email: str) -> str | None:
    """The email, when nobody uses it as a username yet; otherwise none until activation."""
    if User.objects.filter(username__iexact=email).exists():
        return None
    return email


def invitation_create(*, user: User, sent_by: User | None) -> Invitation:
    """Record a new invitation and kill every older link. Call inside a transaction."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        invitation_count=F("invitation_count") + 1,
        status=UserStatus.INVITED,
        invited_at=now,
    )
    user.refresh_from_db(fields=["invitation_count", "status", "invited_at"])
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
    text = render_to_string("accounts/email/activation_message.txt", context)
    html = render_to_string("accounts/email/activation_message.html", context)
    message = EmailMultiAlternatives(subject=ACTIVATION_SUBJECT, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    return message


def invitation_deliver(*, invitation_id: int) -> Invitation:
    """Send one invitation's email, at most once, and record what the provider said.

    The row is claimed with a conditional UPDATE, so a retried task or a second worker never
    sends the same invitation twice. A superseded invitation (a newer one exists) is not sent.
    """
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation_id, status=InvitationStatus.PENDING, sent_at__isnull=True
    ).update(sent_at=now)
    invitation = Invitation.objects.select_related("user__tenant").get(pk=invitation_id)
    if not claimed:
        return invitation
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


def person_create(
    *,
    tenant: Tenant,
    user_type: str,
    created_by: User | None,
    clean: Mapping[str, Any],
    invite: bool,
    populate: Callable[[User], str],
) -> tuple[User, Invitation | None]:
    """Create a person, invited at once or kept as a Prospect, in one transaction.

    No password is hashed: the account gets an unusable password until its owner activates it.
    ``populate`` adds what the kind of person has (groups, roles, employer records) inside the
    same transaction and returns a few words for the audit trail. When inviting, the email
    leaves after the transaction commits; a provider failure leaves the account in place with a
    failed invitation that can be retried.
    """
    try:
        with transaction.atomic():
            user = User(
                tenant=tenant,
                user_type=user_type,
                status=UserStatus.PROSPECT,
                username=username_default(clean["email"]),
                **clean,
            )
            user.set_unusable_password()
            user.save()
            extra = populate(user)
            audit_record(
                tenant=tenant,
                actor=created_by,
                subject=user,
                action="user.created",
                summary=f"{user.get_user_type_display()} {user.full_name} created as "
                f"{'Invited' if invite else 'Prospect'}{extra}",
            )
            invitation = None
            if invite:
                invitation = invitation_create(user=user, sent_by=created_by)
                invitation_deliver_after_commit(invitation)
    except IntegrityError:
        # Another request took the email between the check and the insert.
        if email_taken(tenant=tenant, email=clean["email"]):
            raise ValidationError(
                {
                    "email": ValidationError(
                        EMAIL_TAKEN, code="taken", params={"email": clean["email"]}
                    )
                }
            ) from None
        raise
    if invitation is not None:
        invitation.refresh_from_db()
    user.refresh_from_db()
    return user, invitation


def invitation_deliver_after_commit(invitation: Invitation) -> None:
    invitation_id = invitation.pk
    transaction.on_commit(lambda: invitation_deliver(invitation_id=invitation_id))


def invitation_send(
    *, user: User, sent_by: User | None, expected_count: int | None = None
) -> tuple[Invitation, bool]:
    """Send Invitation (a Prospect) or Resend invitation (an Invited user).

    The new link replaces every older one. The email leaves after the transaction commits; the
    returned invitation says whether it was sent or failed (or is still pending when an outer
    transaction defers it). ``expected_count`` is the invitation count the administrator's page
    showed: when another invitation went out since (a double click, a replayed request), nothing
    is sent again and the latest invitation comes back with False.
    """
    if user.status not in (UserStatus.PROSPECT, UserStatus.INVITED) or user.is_archived:
        raise ValidationError(CANNOT_INVITE, code="status")
    with transaction.atomic():
        locked = User.objects.select_for_update().select_related("tenant").get(pk=user.pk)
        if expected_count is not None and locked.invitation_count != expected_count:
            latest = locked.invitations.order_by("-sequence").first()
            if latest is not None:
                return latest, False
        invitation = invitation_create(user=locked, sent_by=sent_by)
        invitation_deliver_after_commit(invitation)
    invitation.refresh_from_db()
    user.refresh_from_db()
    return invitation, True


def invitations_resend(
    *, tenant: Tenant, user_ids: list[int], sent_by: User | None
) -> tuple[list[Invitation], list[Invitation]]:
    """Resend to each chosen Invited user of this tenant; (sent, failed). Others are skipped."""
    sent, failed = [], []
    people = User.objects.filter(
        tenant=tenant, pk__in=user_ids, status=UserStatus.INVITED, is_archived=False
    ).select_related("tenant")
    for person in people:
        invitation, _ = invitation_send(user=person, sent_by=sent_by)
        (failed if invitation.status == InvitationStatus.FAILED else sent).append(invitation)
    return sent, failed


USERNAME_TAKEN = "The username '%(username)s' is already taken. Choose another."
NOT_AWAITING_ACTIVATION = "This account has already been activated, or can no longer be."


def account_activate(*, user: User, username: str, password: str) -> User:
    """The invited person's own step: choose a username and password, become a Full user.

    Setting the password changes the hash inside every activation token, so the link that got
    them here stops working at once.
    """
    username = username.strip()
    with transaction.atomic():
        user = User.objects.select_for_update().select_related("tenant").get(pk=user.pk)
        if user.status != UserStatus.INVITED or user.is_archived:
            raise ValidationError(NOT_AWAITING_ACTIVATION, code="status")
        if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
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
        user.save()
        audit_record(
            tenant=user.tenant,
            actor=user,
            subject=user,
            action="user.activated",
            summary=f"{user.full_name} activated the account as '{username}'",
        )
    return user


def fresh_link_request(*, email: str) -> int:
    """Send a fresh activation link to every Invited, unarchived account at this address.

    Goes only to the stored address. Returns how many were sent, which the page never shows.
    """
    sent = 0
    waiting = User.objects.filter(
        email__iexact=email.strip(), status=UserStatus.INVITED, is_archived=False
    ).select_related("tenant")
    for user in waiting:
        invitation_send(user=user, sent_by=None)
        sent += 1
    return sent
