"""What every API view shares: who may call it, its problems in the schema, its pages."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.fields import SkipField, empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_route
from accounts.models import Tenant
from ui.pagination import CursorInvalid, keyset_page

from .idempotency import HEADER
from .models import ApiToken
from .problems import PROBLEM_TYPE

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
LIMIT_INVALID = "limit must be a whole number from 1 to 100."
CURSOR_INVALID = (
    "This cursor is not one this API gave. Use the next or previous link of a page as it is."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The account is not in a state that allows this."
    default_code = "conflict"


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Where: 'email', 'rows.2.mobile'; empty: the whole.")
    message = serializers.CharField(help_text="The same words the form shows.")
    code = serializers.CharField()
    row = serializers.IntegerField(required=False, help_text="Bulk create: the row, from 1.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True, required=False)


PROBLEM_TEXT = {
    400: "The request has errors: each is listed under errors, with the form's message.",
    401: "No token, or one that is unknown, expired or revoked.",
    403: "The token lacks the scope this needs.",
    404: "No such object in this tenant.",
    409: "The account's state does not allow this (already cancelled, say), or a request with "
    "the same Idempotency-Key is still being processed.",
    422: "The Idempotency-Key was already used for a different request.",
    429: "Too many requests for this token: wait for Retry-After seconds.",
}


def answers(ok: dict[int, Any], *problems: int) -> dict[Any, Any]:
    found: dict[Any, Any] = dict(ok)
    for code in (400, 401, 403, 429, *problems):
        found[(code, PROBLEM_TYPE)] = OpenApiResponse(ProblemSerializer, PROBLEM_TEXT[code])
    return found


IDEMPOTENCY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key returns the first answer "
    "and creates or sends nothing twice. Kept for 24 hours.",
)
CURSORS = [
    OpenApiParameter("after", str, description="The next page's cursor (from next)."),
    OpenApiParameter("before", str, description="The previous page's cursor."),
    OpenApiParameter("limit", int, description="Rows per page, 1 to 100 (default 25)."),
]


def typed_or_all_errors(
    shape: type[serializers.Serializer], data: Any, rules: Callable[[dict[str, Any]], Any]
) -> dict[str, Any]:
    """``data`` with its JSON types checked. When some fields have the wrong type, or are
    missing, the service's rules still judge the rest, so one answer lists every problem (as
    the form does), not just the first kind."""
    given = shape(data=data)
    if given.is_valid():
        return dict(given.validated_data)
    errors: dict[str, Any] = dict(given.errors)
    if not isinstance(data, dict) or "non_field_errors" in errors:
        raise exceptions.ValidationError(errors)
    typed: dict[str, Any] = {}
    for name, field in given.fields.items():
        if name in errors:
            continue
        try:
            typed[name] = field.run_validation(data.get(name, empty))
        except (exceptions.ValidationError, SkipField):
            continue
    try:
        rules(typed)
    except DjangoValidationError as error:
        for name, messages in getattr(error, "message_dict", {"": error.messages}).items():
            errors.setdefault(name or "non_field_errors", messages)
    raise exceptions.ValidationError(errors)


class ApiView(APIView):
    scopes: dict[str, str] = {}

    @property
    def tenant(self) -> Tenant:
        return self.request.user.tenant

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self._route: Any = None
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._route is not None:
                self._route.__exit__(None, None, None)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Once the caller is known: everything this request records in the audit trail says
        it came through the API, and with which token."""
        super().initial(request, *args, **kwargs)
        words, details = route_of(request)
        self._route = audit_route(words, **details)
        self._route.__enter__()


def route_of(request: Request) -> tuple[str, dict[str, Any]]:
    token = request.auth
    if isinstance(token, ApiToken):
        return f"through the API, token '{token.name}'", {"api_token": token.pk}
    return "through the API, signed in", {"api_session": True}


def limit_of(request: Request) -> int:
    text = request.query_params.get("limit", "")
    if not text:
        return DEFAULT_LIMIT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise exceptions.ValidationError({"limit": [LIMIT_INVALID]})
    return int(text)


SEARCH = forms.CharField(required=False, max_length=200)


def search_of(request: Request) -> str:
    """A list's ``q``, checked as the Users list's search box checks it (at most 200
    characters, no NUL, which PostgreSQL refuses in text)."""
    try:
        return SEARCH.clean(request.query_params.get("q", ""))
    except DjangoValidationError as error:
        raise exceptions.ValidationError({"q": error.messages}) from None


def keyset_answer(
    request: Request,
    rows: QuerySet[Any],
    ordering: tuple[str, ...],
    shape: Callable[[list[Any]], Any],
    per_page: int | None = None,
) -> Response:
    """One page in ``ordering`` with links to the pages either side (relative: never built
    from the Host header)."""
    per_page = per_page or limit_of(request)
    after = request.query_params.get("after", "")[:400]
    before = request.query_params.get("before", "")[:400]
    try:
        page = keyset_page(
            rows, ordering=ordering, per_page=per_page, after=after, before=before, strict=True
        )
    except CursorInvalid as bad:
        raise exceptions.ValidationError({bad.parameter: [CURSOR_INVALID]}) from None

    def link(**cursor: str) -> str:
        query = request.query_params.copy()
        query.pop("after", None)
        query.pop("before", None)
        query.update(cursor)
        return f"{request.path}?{query.urlencode()}"

    return Response(
        {
            "results": shape(page.rows),
            "next": link(after=page.next_cursor) if page.next_cursor else None,
            "previous": link(before=page.previous_cursor) if page.previous_cursor else None,
        }
    )


def named(rows: Any, label: str = "name") -> list[dict[str, Any]]:
    """Rows as {id, name} (groups name themselves by their whole place)."""
    return [{"id": row.pk, "name": getattr(row, label)} for row in rows]
