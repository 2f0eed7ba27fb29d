"""Forgotten passwords: a single-use reset link by email, for Full users only.

The same design as activation links (Django's password-reset tokens) with a salt of its own, so
neither kind of link works as the other. The link dies once used (the password changes) and
after ``PASSWORD_RESET_TIMEOUT`` (Django's setting, three days by default). Asking always gets
the same answer, and the email leaves from the worker, so neither answer nor timing says
whether an account exists. An Invited person who asks gets a fresh activation link instead,
as the fresh-link page would send; Prospects, Cancelled and Archived accounts get nothing.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import TaskContext, task

from .invitations.services import fresh_link_request
from .lookups import ci
from .models import User, UserStatus, mail_address

EMAIL_TEMPLATES = "accounts/email/password_reset"


class PasswordResetTokens(PasswordResetTokenGenerator):
    key_salt = "aptem.accounts.passwords.PasswordResetTokens"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        # The password hash and last sign-in make it single-use; the email and status kill it
        # when either changes, and the session epoch for good once the account is cancelled or
        # archived (reactivating brings no old link back).
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
        email = user.email.casefold()
        return (
            f"{user.pk}|{user.password}|{login}|{email}|{user.status}|{user.session_epoch}|"
            f"{timestamp}"
        )


password_reset_tokens = PasswordResetTokens()


def can_reset(user: User) -> bool:
    return user.may_act


def reset_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_tokens.make_token(user)
    return f"{settings.SITE_URL}{reverse('accounts:password_reset', args=[uid, token])}"


def password_reset_request(*, email: str, request_key: str = "") -> int:
    """Email a reset link to every Full, active, unarchived account at this address (one per
    tenant it has an account in), and a fresh activation link to any Invited one. Returns how
    many emails went, which no page shows."""
    address = User.objects.normalize_email(email)
    people = User.objects.filter(
        email__lower=ci(address), status=UserStatus.FULL, is_active=True, is_archived=False
    ).select_related("tenant")
    sent = 0
    for user in people:
        if not can_reset(user):  # past their access end date
            continue
        context = {
            "user": user,
            "tenant": user.tenant,
            "reset_url": reset_url(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        subject = " ".join(render_to_string(f"{EMAIL_TEMPLATES}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{EMAIL_TEMPLATES}_message.txt", context),
            to=[mail_address(user.email)],
        )
        message.attach_alternative(
            render_to_string(f"{EMAIL_TEMPLATES}_message.html", context), "text/html"
        )
        message.send()
        sent += 1
    return sent + fresh_link_request(email=address, request_key=request_key)


@task(takes_context=True)
def send_password_reset(context: TaskContext, email: str) -> int:
    """Queued by Forgot your password?, so the page answers alike whether or not an account
    exists. Run twice (its worker died), any activation link still goes once; a second reset
    email is harmless, as each link works once."""
    return password_reset_request(email=email, request_key=str(context.task_result.id))
