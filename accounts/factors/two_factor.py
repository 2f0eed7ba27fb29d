"""The second factor at sign-in, where the tenant asks for it (``Tenant.second_factor``).

An authenticator app (TOTP) comes first, with 10 single-use backup codes made when it is set
up; a text message is the fallback for people with a mobile number. Each code is checked
against the one device the person chose, never tried against all of them. django-otp keeps
the verified device in the session; ``SecondFactorMiddleware`` sends anyone who still owes a
second factor to the page that asks for it, from every product page.
"""

import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import ratelimit
from ..audit import audit_record
from ..models import SecondFactor, SmsDevice, SmsPurpose, User
from .verification import code_check, code_send, normalise_code

BACKUP_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
CHECK_LIMIT = 10  # tries of any kind per person per 15 minutes, whatever the device
CHECK_WINDOW = 15 * 60

APP_CODE_WRONG = "That code is not right. Enter the 6-digit code your app shows now."
BACKUP_CODE_WRONG = "That backup code is not right, or it has been used already."
TOO_MANY_TRIES = "Too many tries. Wait 15 minutes, then try again, or ask your administrator."
NO_MOBILE_FOR_SMS = "You have no mobile number for text messages. Use your app or a backup code."


def second_factor_required(user: User) -> bool:
    """Whether the tenant's policy asks this person for a second factor at sign-in."""
    policy = user.tenant.second_factor
    if policy == SecondFactor.EVERYONE:
        return True
    if policy == SecondFactor.ADMINISTRATORS:
        return user.is_administrator
    if policy == SecondFactor.OPTIONAL:
        return app_device(user) is not None  # those who turned it on
    return False


def app_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def app_start(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator key for the person to scan (earlier unconfirmed ones go)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def app_confirm(*, device: TOTPDevice, typed: str) -> list[str]:
    """Confirm the app with a code it shows; returns the new backup codes, shown once. Wrong
    codes count against the person's limit of tries, as at sign-in."""
    key = _tries_key(device.user)
    if _count_try(key):
        raise ValidationError({"code": ValidationError(TOO_MANY_TRIES, code="limited")})
    code = normalise_code(typed)
    if code is None or not device.verify_token(code):
        raise ValidationError({"code": ValidationError(APP_CODE_WRONG, code="wrong")})
    ratelimit.reset(key)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = backup_codes_renew(device.user)
        audit_record(
            tenant=device.user.tenant,
            actor=device.user,
            subject=device.user,
            action="two_factor.app_added",
            summary="Authenticator app set up for sign-in, with 10 backup codes",
        )
    return codes


def backup_codes_renew(user: User) -> list[str]:
    """Ten new single-use backup codes (the old ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def sms_device(user: User) -> SmsDevice:
    device, _ = SmsDevice.objects.get_or_create(
        user=user, purpose=SmsPurpose.SIGN_IN, sequence=0, defaults={"name": "Mobile (SMS)"}
    )
    return device


def sms_send(user: User) -> None:
    code_send(device=sms_device(user))


def _tries_key(user: User) -> str:
    return f"second-factor:{user.pk}"


def _count_try(key: str) -> bool:
    """Count a try before its code is judged (one atomic increment in the shared cache), so a
    burst sent at once meets the limit as tries one by one do; True when past it."""
    return ratelimit.hit(key, limit=CHECK_LIMIT, window_seconds=CHECK_WINDOW)


def verify(request: HttpRequest, *, user: User, method: str, typed: str) -> None:
    """Check the code for ``method`` ("app", "backup" or "sms"); on success the session is
    verified (django-otp's login) and the tries are forgotten. ValidationError says why not."""
    key = _tries_key(user)
    if _count_try(key):
        raise ValidationError(TOO_MANY_TRIES, code="limited")
    checks: dict[str, Callable[[], object]] = {
        "app": lambda: _check_app(user, typed),
        "backup": lambda: _check_backup(user, typed),
        "sms": lambda: code_check(device=sms_device(user), typed=typed),
    }
    device = checks.get(method, checks["app"])()
    ratelimit.reset(key)
    otp_login(request, device)


def _check_app(user: User, typed: str) -> TOTPDevice:
    device = app_device(user)
    code = normalise_code(typed)
    if device is None or code is None or not device.verify_token(code):
        raise ValidationError(APP_CODE_WRONG, code="wrong")
    return device


def _check_backup(user: User, typed: str) -> StaticDevice:
    compact = "".join(ch for ch in typed if ch.isdigit())
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    # StaticDevice.verify_token deletes the token it matches: each code works once.
    if device is None or not compact or not device.verify_token(compact):
        raise ValidationError(BACKUP_CODE_WRONG, code="wrong")
    return device


CANNOT_TURN_OFF = (
    "Your organisation requires a code at sign-in, so it cannot be turned off. Ask your "
    "administrator if you have lost your phone."
)


def app_turn_off(*, user: User) -> None:
    """Where the second factor is optional, the person stops using it (a verified session
    only: the page asks that first)."""
    if user.tenant.second_factor != SecondFactor.OPTIONAL:
        raise ValidationError(CANNOT_TURN_OFF, code="required")
    devices_reset(user=user, reset_by=user)


def devices_reset(*, user: User, reset_by: User) -> None:
    """An administrator's reset: the app, the backup codes and the text-message lock go; the
    person sets up again at their next sign-in (where the tenant requires it)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        SmsDevice.objects.filter(user=user, purpose=SmsPurpose.SIGN_IN).delete()
        audit_record(
            tenant=user.tenant,
            actor=reset_by,
            subject=user,
            action="two_factor.reset",
            summary="Sign-in devices reset (authenticator app, backup codes, text messages)",
        )


# Pages a person who still owes a second factor may reach (the rest send them to it).
OPEN_PATHS = ("/static/", "/healthz", "/readyz", "/sign-out/", "/sign-in/", "/favicon")


class SecondFactorMiddleware:
    """Every product page requires a verified session where the policy asks for one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not request.path.startswith(reverse("accounts:two_factor_setup"))
            and not user.is_verified()  # type: ignore[attr-defined]  # OTPMiddleware's
            and second_factor_required(user)
        ):
            target = (
                "accounts:second_factor"
                if app_device(user) is not None
                else "accounts:two_factor_setup"
            )
            return HttpResponseRedirect(reverse(target))
        return self.get_response(request)
