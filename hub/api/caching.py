"""``Cache-Control: no-store`` on every API response that can carry governed data.

Lookups, searches, dossiers, history, errors, even a 403 naming what is
missing: what the hub answers a system is for that system alone, at that
moment, under its grants of that moment. No browser, proxy or gateway cache
may keep it (a revoked grant must not live on in a cache). Only the OpenAPI
schema and its documentation pages, which carry no data, may be cached.
"""

API_PREFIX = "/api/v1/"
# Served under the API prefix but carrying no governed data.
CACHEABLE = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")


def is_governed_path(path):
    return path.startswith(API_PREFIX) and not path.startswith(CACHEABLE)


class NoStoreMiddleware:
    """Overwrites ``Cache-Control`` with ``no-store`` on governed API responses, whatever made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_governed_path(request.path_info):
            response["Cache-Control"] = "no-store"
        return response
