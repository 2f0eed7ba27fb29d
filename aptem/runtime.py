"""What the production runtime needs around the product: health endpoints for a load balancer,
a request id on every request, response and log line, and JSON logs.

``HealthCheckMiddleware`` comes first of all: a load balancer calls the endpoints by address
over plain HTTP, so neither host validation, the HTTPS redirect nor the session may stand in
its way, and ``/readyz`` must answer 503 (not 500) when the database is gone.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # a proxy's id is kept if it looks like one
READY_RETRY_AFTER_SECONDS = 5


class NoStoreMiddleware:
    """Answers to a signed-in person or an API token hold people's data: no cache (a shared
    proxy's, or the browser's on a shared computer) may keep them. (WhiteNoise answers for
    static files before this runs.)"""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # set by the session's middleware, or DRF's
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return readiness()
        return self.get_response(request)


def readiness() -> JsonResponse:
    """Whether this process can serve: the database answers a query, the cache a round trip."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    ready = all(checks.values())
    response = JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            **{name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(READY_RETRY_AFTER_SECONDS)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:  # a broken connection is closed at the end of the request, as always
        return False


def _cache_ok() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return ok
    except Exception:  # any cache client error (Redis down, refused, timed out) means not ready
        return False


class RequestIdMiddleware:
    """Give each request an id (a trusted proxy's ``X-Request-ID`` when it sends a sane one),
    return it in the response's ``X-Request-ID`` and put it on every log line of the request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True
