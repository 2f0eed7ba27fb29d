"""Every error in one JSON shape: RFC 9457 problem details, with each field's messages (the
forms' own words) under ``errors``."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Your request has errors",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    500: "Server error",
    503: "Unavailable",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Cannot be processed",
    429: "Too many requests",
}


def _flatten(detail: Any, field: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            name = "" if name in ("non_field_errors", "__all__") else str(name)
            found += _flatten(value, f"{field}.{name}" if field and name else field or name)
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                found += _flatten(value, f"{field}.{index}" if field else str(index))
            else:
                found += _flatten(value, field)
        return found
    return [{"field": field, "message": str(detail), "code": getattr(detail, "code", "invalid")}]


def as_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError (messages keyed by field) as DRF's."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(message, code=problem.code or "invalid")
                    for problem in problems
                    for message in problem.messages
                ]
                for field, problems in error.error_dict.items()
            }
        )
    return exceptions.ValidationError(
        {
            "non_field_errors": [
                exceptions.ErrorDetail(message, code=problem.code or "invalid")
                for problem in error.error_list
                for message in problem.messages
            ]
        }
    )


def problem_body(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    """The one shape of every API error (RFC 9457), from DRF's views or Django's handlers."""
    return {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem(status_code: int, detail: str, **extra: Any) -> Response:
    body = problem_body(status_code, detail, **extra)
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = as_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next((error["message"] for error in errors if not error["field"]), "")
        summary = first or "Correct the fields listed under errors and send it again."
        body = problem(status.HTTP_400_BAD_REQUEST, summary, errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem(response.status_code, str(detail))
    for header, value in response.items():
        if header in ("WWW-Authenticate", "Retry-After", "Allow"):
            body[header] = value
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with JSON nested past Python's recursion limit refused as a parse
    error (the standard library raises RecursionError, which would be a server error)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the document nests too deeply."
            ) from None
