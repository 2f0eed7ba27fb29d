"""Multi-factor verification at activation: a 6-digit code sent by SMS, entered before the
password step, on the rules below (NIST SP 800-63B for codes sent out of band; Aptem's own
help centre for resending; django-otp's device model, without its uncapped throttling).

- A code lives 10 minutes and works once. It is derived from a random nonce (``secrets``)
  with the server's secret key, stored only as a keyed hash, and compared in constant time.
- "Resend code" works 30 seconds after the last send; while the code is valid it sends the
  same code again, after that a new one. At most 5 sends per link.
- After 5 wrong codes each further try waits 60 seconds, doubling per failure up to 15
  minutes; after 10 the link is locked until an administrator sends a new invitation.
- A person without a valid mobile number is sent nothing and told to contact their
  administrator: the password step is never reachable without a verified code.

The sign-in fallback (``SmsPurpose.SIGN_IN``) keeps the same code rules, but its budgets belong
to a time window, not to the device's lifetime: 5 texts per ``SIGN_IN_WINDOW``, and 10 wrong
codes pause texting for 15 minutes rather than lock it (someone who knows only the password
must not be able to lock the owner out for good). A right code resets both. Its messages speak
of signing in, never of invitations.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..audit import audit_record
from ..models import SmsDelivery, SmsDevice, SmsPurpose, User, UserType
from .phone import normalise_mobile
from .sms import SmsFailed, send_sms

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=30)
MAX_SENDS = 5
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=60)
LONGEST_WAIT = timedelta(minutes=15)
LOCK_AFTER = 10
_SALT = "aptem.accounts.factors.verification"

NO_MOBILE = (
    "We cannot send you a verification code: your account has no valid mobile number. "
    "Contact your administrator (the person who invited you) to add one."
)
CODE_FORMAT = "Enter the 6-digit code from the text message, like 123456."
CODE_WRONG = "That code is not right. Check the text message and try again."
CODE_EXPIRED = "That code has expired. Select Not received a text message? to get a new one."
CODE_NONE = "Send a code first: select Send code."
WAIT_TO_TRY = "Too many wrong codes. Wait %(wait)s, then try again."
WAIT_TO_RESEND = "You can ask for another code in %(wait)s."
TOO_MANY_SENDS = (
    "We have sent the most codes we can for this link. Contact your administrator to send a "
    "new invitation."
)
LOCKED = (
    "Too many wrong codes: this link is locked. Ask your administrator to send a new invitation."
)
SEND_FAILED = "We could not send the text message just now. Try again in a moment."
SIGN_IN_WINDOW = timedelta(minutes=15)
SIGN_IN_CODE_EXPIRED = "That code has expired. Select Resend code to get a new one."
SIGN_IN_TOO_MANY_SENDS = (
    "We have sent as many codes as we can for now. Ask again in %(wait)s, or use your "
    "authenticator app or a backup code."
)
SIGN_IN_PAUSED = (
    "Too many wrong codes. Try again in %(wait)s, or use your authenticator app or a backup code."
)


def verification_required(user: User) -> bool:
    """Whether this person's tenant asks for a code before their password (by their type)."""
    tenant = user.tenant
    if user.user_type == UserType.EMPLOYER:
        return tenant.mfv_employers
    if user.user_type == UserType.LEARNER:
        return tenant.mfv_learners
    return False


def device_for(user: User) -> SmsDevice:
    """The device for the person's current activation link (a new invitation, a new one)."""
    device, _ = SmsDevice.objects.get_or_create(
        user=user,
        purpose=SmsPurpose.ACTIVATION,
        sequence=user.invitation_count,
        defaults={"name": "Mobile (SMS)"},
    )
    return device


def sendable_mobile(user: User) -> str | None:
    try:
        return normalise_mobile(user.mobile) if user.mobile else None
    except ValidationError:
        return None


def masked_mobile(user: User) -> str:
    """The number as these pages show it: only its last two digits."""
    digits = "".join(ch for ch in user.mobile if ch.isdigit())
    return f"ending in {digits[-2:]}" if len(digits) >= 2 else "on record"


def _code_from(nonce: str) -> str:
    digest = hmac.new(salted_hmac(_SALT, "code").digest(), nonce.encode(), "sha256").digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def _hash(device: SmsDevice, code: str) -> str:
    return salted_hmac(_SALT, f"{device.pk}|{device.nonce}|{code}", algorithm="sha256").hexdigest()


def _wait(delta: timedelta) -> str:
    seconds = max(1, int(delta.total_seconds() + 0.999))
    if seconds >= 120:
        minutes = (seconds + 59) // 60
        return f"{minutes} minutes"
    return "1 second" if seconds == 1 else f"{seconds} seconds"


def _code_valid(device: SmsDevice, now: datetime) -> bool:
    return bool(
        device.nonce and device.code_issued_at and now < device.code_issued_at + CODE_LIFETIME
    )


@dataclass(frozen=True)
class Sent:
    device: SmsDevice
    same_code: bool


def code_send(*, device: SmsDevice) -> Sent:
    """Send the code (the same one while it is valid); ValidationError says why not."""
    now = timezone.now()
    user = device.user
    mobile = sendable_mobile(user)
    if mobile is None:
        raise ValidationError(NO_MOBILE, code="no_mobile")
    with transaction.atomic():
        device = SmsDevice.objects.select_for_update().get(pk=device.pk)
        sign_in = device.purpose == SmsPurpose.SIGN_IN
        if sign_in and device.last_sent_at and now >= device.last_sent_at + SIGN_IN_WINDOW:
            device.sends = 0  # a new window, a new budget
        if device.locked:
            raise ValidationError(LOCKED, code="locked")
        if device.sends >= MAX_SENDS:
            if sign_in and device.last_sent_at:
                raise ValidationError(
                    SIGN_IN_TOO_MANY_SENDS,
                    code="sends",
                    params={"wait": _wait(device.last_sent_at + SIGN_IN_WINDOW - now)},
                )
            raise ValidationError(TOO_MANY_SENDS, code="sends")
        if device.last_sent_at and now < device.last_sent_at + RESEND_AFTER:
            raise ValidationError(
                WAIT_TO_RESEND,
                code="resend_wait",
                params={"wait": _wait(device.last_sent_at + RESEND_AFTER - now)},
            )
        same_code = _code_valid(device, now)
        if not same_code:
            device.nonce = secrets.token_hex(32)
            device.code_issued_at = now
        code = _code_from(device.nonce)
        device.code_hash = _hash(device, code)
        device.sends += 1
        device.last_sent_at = now
        device.delivery = SmsDelivery.SENDING
        device.delivery_updated_at = now
        device.save()
    try:
        receipt = send_sms(
            to=mobile,
            body=f"Your Aptem verification code is {code}. It expires in 10 minutes. "
            "Do not share it with anyone.",
        )
    except SmsFailed as error:
        # Nothing counts against the person: the send and its wait are given back.
        SmsDevice.objects.filter(pk=device.pk).update(
            sends=device.sends - 1,
            last_sent_at=None,
            delivery=SmsDelivery.FAILED,
            delivery_updated_at=timezone.now(),
            delivery_error=str(error)[:300],
        )
        raise ValidationError(SEND_FAILED, code="send_failed") from None
    device.provider_id = receipt.provider_id
    device.delivery = receipt.status if receipt.status in SmsDelivery.values else SmsDelivery.SENT
    device.delivery_error = ""
    device.save(update_fields=["provider_id", "delivery", "delivery_error"])
    return Sent(device=device, same_code=same_code)


def normalise_code(typed: str) -> str | None:
    """Spaces and hyphens are fine (people copy "123 456" or "123-456"); six digits remain."""
    compact = "".join(ch for ch in str(typed) if ch not in " -\t")
    if len(compact) == CODE_DIGITS and compact.isascii() and compact.isdigit():
        return compact
    return None


def code_check(*, device: SmsDevice, typed: str) -> SmsDevice:
    """Check a typed code; on success the device is verified and the code used up."""
    code = normalise_code(typed)
    if code is None:
        raise ValidationError(CODE_FORMAT, code="format")
    now = timezone.now()
    with transaction.atomic():
        device = (
            SmsDevice.objects.select_for_update().select_related("user__tenant").get(pk=device.pk)
        )
        sign_in = device.purpose == SmsPurpose.SIGN_IN
        if device.locked:
            raise ValidationError(LOCKED, code="locked")
        if device.wait_until and now < device.wait_until:
            paused = sign_in and device.failures == 0  # the pause after LOCK_AFTER
            raise ValidationError(
                SIGN_IN_PAUSED if paused else WAIT_TO_TRY,
                code="wait",
                params={"wait": _wait(device.wait_until - now)},
            )
        if not device.nonce:
            raise ValidationError(CODE_NONE, code="none")
        if not _code_valid(device, now):
            raise ValidationError(SIGN_IN_CODE_EXPIRED if sign_in else CODE_EXPIRED, code="expired")
        if constant_time_compare(_hash(device, code), device.code_hash):
            device.verified_at = now
            device.confirmed = True
            device.failures = 0
            device.wait_until = None
            device.nonce = ""  # single use
            device.code_hash = ""
            if sign_in:
                device.sends = 0
            device.save()
            return device
        device.failures += 1
        paused = sign_in and device.failures >= LOCK_AFTER
        if paused:
            device.failures = 0
            device.wait_until = now + LONGEST_WAIT
            audit_record(
                tenant=device.user.tenant,
                actor=None,
                subject=device.user,
                action="verification.paused",
                summary=f"Sign-in text messages paused for 15 minutes after {LOCK_AFTER} wrong "
                "codes",
            )
        elif device.failures >= LOCK_AFTER:
            device.locked = True
            audit_record(
                tenant=device.user.tenant,
                actor=None,
                subject=device.user,
                action="verification.locked",
                summary=f"Activation link locked after {LOCK_AFTER} wrong verification codes",
            )
        elif device.failures >= FREE_FAILURES:
            doublings = device.failures - FREE_FAILURES
            device.wait_until = now + min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)
        device.save()
    if device.locked:
        raise ValidationError(LOCKED, code="locked")
    if paused:
        raise ValidationError(SIGN_IN_PAUSED, code="wait", params={"wait": _wait(LONGEST_WAIT)})
    raise ValidationError(CODE_WRONG, code="wrong")
