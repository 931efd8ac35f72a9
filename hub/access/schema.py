"""OpenAPI description of the ``Api-Key`` scheme, so the schema (and the clients
and fuzzers generated from it) know how systems authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "hub.access.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`, as issued by `manage.py create_system`.",
        }
