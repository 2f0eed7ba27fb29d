"""The pages of the API: API tokens (make, list, revoke) and the documentation."""

from functools import cache
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator

from accounts.mixins import TenantPermissionRequiredMixin
from accounts.models import Permission

from .forms import TokenForm
from .models import ApiToken
from .tokens import token_create, token_revoke

TOKENS_SHOWN = 200


class TokenMixin(TenantPermissionRequiredMixin):
    required_permission = Permission.MANAGE_API_TOKENS


class TokenListView(TokenMixin, View):
    """The tenant's tokens, newest first, and a form for a new one. A new token's secret is
    shown once, on the answer to the form, and never again."""

    template_name = "api/tokens.html"

    def get(self, request):
        return self.render(TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = token_create(created_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                response = self.render(TokenForm(), new_token=token, secret=secret)
                response["Cache-Control"] = "no-store"
                return response
        return self.render(form, status=422)

    def render(self, form, status: int = 200, **extra: Any):
        tokens = (
            ApiToken.objects.for_tenant(self.tenant)
            .select_related("created_by", "revoked_by")
            .order_by("-created_at", "-id")[:TOKENS_SHOWN]
        )
        context = {"form": form, "tokens": tokens, **extra}
        return render(self.request, self.template_name, context, status=status)


class TokenRevokeView(TokenMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.for_tenant(self.tenant), pk=pk)
        try:
            token_revoke(token=token, revoked_by=request.user)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(request, f"The token '{token.name}' is revoked: it works no more.")
        return HttpResponseRedirect(reverse("api:tokens"))


@cache
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _fields(schema_part: dict[str, Any] | None, components: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level fields of a request body's schema, for the documentation page."""
    if not schema_part:
        return []
    ref = schema_part.get("$ref", "")
    body = components.get(ref.rsplit("/", 1)[-1], {}) if ref else schema_part
    required = set(body.get("required", []))
    return [
        {
            "name": name,
            "type": field.get("type") or ("object" if "$ref" in field or "allOf" in field else ""),
            "required": name in required,
            "description": field.get("description", ""),
            "enum": field.get("enum") or field.get("items", {}).get("enum") or [],
        }
        for name, field in body.get("properties", {}).items()
    ]


class ApiDocsView(TemplateView):
    """The API's documentation, drawn from its OpenAPI schema (the same the schema URL gives)."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        document = schema()
        components = document.get("components", {}).get("schemas", {})
        operations = []
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                body = (
                    operation.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema")
                )
                operations.append(
                    {
                        "id": operation["operationId"],
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": operation.get("parameters", []),
                        "fields": _fields(body, components),
                        "responses": [
                            (code, answer.get("description", ""))
                            for code, answer in operation.get("responses", {}).items()
                        ],
                    }
                )
        return super().get_context_data(operations=operations, **kwargs)
