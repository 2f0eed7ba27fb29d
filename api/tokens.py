"""API tokens: made, shown once, checked on every call, revoked. Only a digest is kept."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Permission, User

from .models import ApiToken, Scope

PREFIX = "aptem_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# last_used_at is written at most this often per token, so a busy integration costs no write a call.
LAST_USED_EVERY = timedelta(minutes=1)

NAME_REQUIRED = "Enter a name for the token, like 'Payroll sync'."
NAME_TOO_LONG = "Keep the name to 100 characters or fewer."
SCOPES_REQUIRED = "Select at least one scope."
SCOPE_UNKNOWN = "Select scopes from the list."
SCOPE_NOT_YOURS = (
    "Your roles do not allow %(scopes)s, so a token you make cannot have %(them)s. Ask an "
    "administrator who can to make it."
)
EXPIRY_RANGE = "A token must expire within 1 to 365 days."
ALREADY_REVOKED = "This token is already revoked."


# The permission a role must grant for each scope that changes something; reading needs none
# beyond being an administrator who can sign in.
SCOPE_PERMISSIONS = {
    Scope.USERS_WRITE: Permission.CREATE_USERS,
    Scope.INVITATIONS_SEND: Permission.CREATE_USERS,
    Scope.ORGANISATIONS_WRITE: Permission.MANAGE_ORGANISATIONS,
}


def scope_allowed(user: User, scope: str) -> bool:
    """Whether ``user``'s roles let them do what ``scope`` covers: the same as on the pages.
    Their roles are read only for a scope that needs a permission."""
    if not user.is_administrator or not user.may_act:
        return False
    needed = SCOPE_PERMISSIONS.get(Scope(scope))
    return needed is None or user.has_tenant_permission(needed)


def scopes_allowed(user: User) -> set[str]:
    """Every scope ``user`` may hold (or give a token they make)."""
    return {scope for scope in Scope.values if scope_allowed(user, scope)}


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *, created_by: User, name: str, scopes: list[str], days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never shown or stored again. Its scopes must be
    ones its creator holds; its expiry is mandatory, 1 to 365 days away."""
    name = " ".join(str(name or "").split())
    errors: dict[str, ValidationError] = {}
    if not name:
        errors["name"] = ValidationError(NAME_REQUIRED, code="required")
    elif len(name) > 100:
        errors["name"] = ValidationError(NAME_TOO_LONG, code="max_length")
    chosen = sorted({str(scope) for scope in scopes or ()})
    if not chosen:
        errors["scopes"] = ValidationError(SCOPES_REQUIRED, code="required")
    elif not set(chosen) <= set(Scope.values):
        errors["scopes"] = ValidationError(SCOPE_UNKNOWN, code="invalid")
    else:
        refused = [scope for scope in chosen if scope not in scopes_allowed(created_by)]
        if refused:
            errors["scopes"] = ValidationError(
                SCOPE_NOT_YOURS,
                code="forbidden",
                params={
                    "scopes": ", ".join(refused),
                    "them": "it" if len(refused) == 1 else "them",
                },
            )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = ValidationError(EXPIRY_RANGE, code="range")
    if errors:
        raise ValidationError(errors)
    public = secrets.token_hex(4)
    secret = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            tenant=created_by.tenant,
            created_by=created_by,
            name=name,
            prefix=f"{PREFIX}{public}",
            digest=digest_of(secret),
            scopes=chosen,
            created_at=now,
            expires_at=now + timedelta(days=days),
            # Read now, not from the instance handed in, which may predate a reactivation.
            creator_epoch=User.objects.values_list("session_epoch", flat=True).get(
                pk=created_by.pk
            ),
        )
        audit_record(
            tenant=created_by.tenant,
            actor=created_by,
            subject=None,
            action="api_token.created",
            summary=f"API token '{name}' ({token.prefix}) created with {', '.join(chosen)}, "
            f"expiring {timezone.localtime(token.expires_at):%-d %B %Y}",
            token=token.pk,
        )
    return token, secret


def token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    """Stop a token at once; it stays listed, as revoked."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ValidationError(ALREADY_REVOKED, code="revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            tenant=locked.tenant,
            actor=revoked_by,
            subject=None,
            action="api_token.revoked",
            summary=f"API token '{locked.name}' ({locked.prefix}) revoked",
            token=locked.pk,
        )
    return locked


def token_find(secret: str) -> ApiToken | None:
    """The live token with this secret, its creator and tenant loaded; None for an unknown,
    expired or revoked one, one whose creator may not act (``User.acting_refusal``), or one
    made before its creator was cancelled or archived."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("created_by__tenant")
        .filter(digest=digest_of(secret))
        .first()
    )
    if token is None or not token.is_live:
        return None
    creator = token.created_by
    if not creator.may_act or token.creator_epoch != creator.session_epoch:
        return None  # a cancel or an archive since it was made ends it, whatever came after
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_allows(token: ApiToken, scope: str) -> bool:
    """Whether a token may do what ``scope`` covers now: one of its own scopes, and one its
    creator's roles still grant."""
    return scope in token.scopes and scope_allowed(token.created_by, scope)
