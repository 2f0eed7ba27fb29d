"""How the schema describes the bearer token (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (aptem_…) made under Home → API tokens. Each carries "
            "scopes: users:read, users:write, invitations:send, organisations:read, "
            "organisations:write.",
        }


class ScopedAutoSchema(AutoSchema):
    """Each operation's description ends with the scope it needs."""

    def get_description(self) -> str:
        text = super().get_description() or ""
        scope = getattr(self.view, "scopes", {}).get(self.method)
        if scope:
            text = f"{text}\n\nNeeds the scope `{scope}`.".strip()
        return text
