"""The product's own error pages. A lost database answers 503 with Retry-After, so a person
(and a load balancer or client) knows to come back, rather than a bare 500."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
DATABASE_LOST = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: called while the exception is being handled, so it can tell a
    lost database from a fault in the code. Rendered without a request context: the session,
    the signed-in person and the database may be what failed."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_LOST):
        html = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form posted with a missing or stale token, in the product's
    layout, saying what happened and what to do (the reason is for logs, not for people)."""
    return HttpResponse(loader.render_to_string("403_csrf.html", request=request), status=403)


class ForbiddenWithoutTraceback(logging.Filter):
    """A refused request is an answer, not a fault: log it once, without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
