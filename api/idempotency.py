"""``Idempotency-Key`` on creates and sends: a retried request gets the first answer back and
nothing is created or sent twice (the IETF httpapi draft's header, as Stripe uses it).

The key's row is claimed in a short transaction of its own, then the view runs as it would
without the header, so the answer is the same with a key or without (an invitation says
"sent", not "pending"). A retry that arrives while the first is still running waits for its
answer, up to ten seconds, then gets a 409 saying so. Only a success is kept: a request
refused for its content did nothing, so the same key may be used again once it is corrected.
Keys are kept for a day.
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
WAIT_FOR_FIRST = 10.0
STILL_RUNNING = (
    "A request with this Idempotency-Key is still being processed. Retry it in a few seconds "
    "for its answer."
)
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


def _replay(first: IdempotentRequest) -> Response:
    replay = Response(first.body, status=first.status_code)
    replay["Idempotent-Replayed"] = "true"
    if first.location:
        replay["Location"] = first.location
    return replay


def _claim(*, holder: str, key: str, fingerprint: str) -> IdempotentRequest | Response:
    """The key's row, claimed for this request in a short transaction of its own; or, when the
    key is taken, the first request's answer (waited for while it runs, up to
    ``WAIT_FOR_FIRST``), or the problem that says why there is none."""
    with transaction.atomic():
        IdempotentRequest.objects.filter(
            holder=holder, key=key, created_at__lt=timezone.now() - KEPT_FOR
        ).delete()
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(
                    holder=holder, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            pass
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while True:
        first = IdempotentRequest.objects.filter(holder=holder, key=key).first()
        if first is None:  # the first was refused, so it kept no key: this one goes ahead
            return _claim(holder=holder, key=key, fingerprint=fingerprint)
        if first.fingerprint != fingerprint:
            return problem(422, KEY_REUSED)
        if first.status_code:
            return _replay(first)
        if time.monotonic() > deadline:
            return problem(409, STILL_RUNNING)
        time.sleep(0.05)


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Run ``method`` at most once per key and caller. The key is claimed first, in its own
    transaction; the view then runs exactly as it does without a key (its own transactions,
    its email sent once they commit), and its final answer is what every retry gets back."""

    @wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
            raise exceptions.ValidationError({HEADER: [KEY_INVALID]})
        _forget_old_keys()
        claim = _claim(holder=_holder(request), key=key, fingerprint=_fingerprint(request))
        if isinstance(claim, Response):
            return claim
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            claim.delete()  # nothing was done (or it failed): the key may be used again
            raise
        if 200 <= response.status_code < 300:
            IdempotentRequest.objects.filter(pk=claim.pk).update(
                status_code=response.status_code,
                body=json.loads(JSONRenderer().render(response.data)),
                location=response.get("Location", "")[:300],
            )
        else:
            claim.delete()
        return response

    return wrapper
