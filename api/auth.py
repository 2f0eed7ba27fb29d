"""Who is calling and what they may do: a bearer token (or, for the browser, the session with
its CSRF check), its scopes, and its rate."""

import time
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken
from .tokens import scope_allowed, token_allows, token_find

TOKEN_REFUSED = "The token is unknown, expired or revoked. Make a new one under Home → API tokens."
HEADER_MALFORMED = "Send the token as 'Authorization: Bearer <token>'."


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer aptem_…``. Answers 401 for a token that is unknown, expired,
    revoked, or whose creator can no longer sign in."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(HEADER_MALFORMED)
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED) from None
        token = token_find(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED)
        return token.created_by, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def holds_scope(request: Request, scope: str) -> bool:
    """Whether this call may do what ``scope`` covers: through the token's scopes (within its
    creator's roles), or for a signed-in browser session, through the person's roles."""
    if isinstance(request.auth, ApiToken):
        return token_allows(request.auth, scope)
    return bool(request.user and request.user.is_authenticated) and scope_allowed(
        request.user, scope
    )


class HasScope(BasePermission):
    """The view's ``scopes`` name the scope each method needs (``{"GET": "users:read"}``).

    Nothing passes for want of a name: HEAD needs what GET needs (it tells as much: whether
    the thing exists, and its size), OPTIONS one of the view's scopes, and any other method
    the view answers without a scope named is refused. A method the view does not answer is
    left to DRF's 405."""

    message = "This token does not have the scope this needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        method = "GET" if request.method == "HEAD" else str(request.method)
        scopes: dict[str, str] = view.scopes
        if method == "OPTIONS":
            needed_any = sorted(set(scopes.values()))
            if any(holds_scope(request, scope) for scope in needed_any):
                return True
            self.message = (
                f"This needs one of the scopes {', '.join(needed_any)}, which this token "
                "does not have."
            )
            return False
        needed = scopes.get(method)
        if needed is None:
            if method.lower() not in view.http_method_names or not hasattr(view, method.lower()):
                return True  # DRF answers 405 Method Not Allowed
            self.message = "No scope allows this."
            return False
        if holds_scope(request, needed):
            return True
        self.message = f"This needs the '{needed}' scope, which this token does not have."
        return False


class TokenRateThrottle(SimpleRateThrottle):
    """Each token (or signed-in person) has its own rate, ``API_RATE`` (like "600/minute"),
    counted per clock window (the minute, say) in the shared cache. The count is one atomic
    increment, so web processes racing on the same token cannot lose a call between them (as
    DRF's read-then-write of its list of call times can), and a call costs the same however
    many came before it in the window."""

    def __init__(self) -> None:
        super().__init__()
        self.wait_seconds: float | None = None

    def get_rate(self) -> str:
        return settings.API_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            return f"api-rate:token:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-rate:user:{request.user.pk}"
        return None

    def allow_request(self, request: Request, view: Any) -> bool:
        holder = self.get_cache_key(request, view)
        if holder is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = f"{holder}:{window}"
        # Kept for two windows, so it cannot expire between a call's check and its increment.
        keep = 2 * self.duration
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window's first call (or its count was evicted)
            count = 1 if self.cache.add(key, 1, timeout=keep) else self.cache.incr(key)
        if count <= self.num_requests:
            return True
        self.wait_seconds = (window + 1) * self.duration - now
        return False

    def wait(self) -> float | None:
        return self.wait_seconds
