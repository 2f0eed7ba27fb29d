"""The product's own error pages. A lost database answers 503 with Retry-After, so a person
(and a load balancer or client) knows to come back, rather than a bare 500."""

import json
import logging
import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

API_PREFIX = "/api/"

RETRY_AFTER_SECONDS = 30
DATABASE_LOST = (OperationalError, InterfaceError)


def api_problem(status: int, detail: str) -> HttpResponse:
    """An error under /api/ in the API's own shape, not an HTML page."""
    # Imported here: logging's configuration loads this module before Django (and so REST
    # framework) is set up.
    from api.problems import PROBLEM_TYPE, problem_body

    body = json.dumps(problem_body(status, detail))
    return HttpResponse(body, status=status, content_type=PROBLEM_TYPE)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler400`` (a request refused before any view, such as a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``): an API caller gets problem details."""
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, RequestDataTooBig):
            return api_problem(413, "Send at most 2.5 MB in one request.")
        return api_problem(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler404``: an API caller gets problem details, a person the page."""
    if request.path.startswith(API_PREFIX):
        return api_problem(404, "No such address in the API. See /api/docs/.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: called while the exception is being handled, so it can tell a
    lost database from a fault in the code. Rendered without a request context: the session,
    the signed-in person and the database may be what failed."""
    error = sys.exc_info()[1]
    if request.path.startswith(API_PREFIX):
        if isinstance(error, DATABASE_LOST):
            response = api_problem(503, "Try again shortly.")
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return api_problem(500, "Something went wrong on our side.")
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
