"""``Idempotency-Key`` on creates and sends: a retried request gets the first answer back and
nothing is created or sent twice (the IETF httpapi draft's header, as Stripe uses it).

The key's row is inserted in the same transaction as the work. A retry that arrives while the
first is still running waits on that row (the unique index), then reads its answer. Only a
success is kept: a request refused for its content did nothing, so the same key may be used
again once it is corrected. Keys are kept for a day.
"""

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from .models import ApiToken, IdempotentRequest
from .problems import problem
from .renderers import JSONRenderer

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
KEY_INVALID = "An Idempotency-Key is 1 to 255 visible characters, like a UUID."
KEY_REUSED = (
    "This Idempotency-Key was already used for a different request. Use a new key for each "
    "new request, and the same key only to retry the same one."
)


_forgotten_at = 0.0


def _forget_old_keys() -> None:
    """Delete keys past their day, at most once a minute in each process (one indexed DELETE),
    so the table holds about a day of requests."""
    global _forgotten_at
    if time.monotonic() - _forgotten_at < 60:
        return
    _forgotten_at = time.monotonic()
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()


def _holder(request: Request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except exceptions.ParseError:
        body = ""
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
            raise exceptions.ValidationError({HEADER: [KEY_INVALID]})
        holder = _holder(request)
        fingerprint = _fingerprint(request)
        _forget_old_keys()
        with transaction.atomic():
            IdempotentRequest.objects.filter(
                holder=holder, key=key, created_at__lt=timezone.now() - KEPT_FOR
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        holder=holder, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                first = IdempotentRequest.objects.get(holder=holder, key=key)
                if first.fingerprint != fingerprint:
                    return problem(422, KEY_REUSED)
                replay = Response(first.body, status=first.status_code)
                replay["Idempotent-Replayed"] = "true"
                if first.location:
                    replay["Location"] = first.location
                return replay
            response = method(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.body = json.loads(JSONRenderer().render(response.data))
                record.location = response.get("Location", "")[:300]
                record.save(update_fields=["status_code", "body", "location"])
            else:
                record.delete()
        return response

    return wrapper
