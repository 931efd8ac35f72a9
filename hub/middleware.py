"""Request-wide middleware of the hub."""

from django.utils import translation


class ApiLanguageMiddleware:
    """The API speaks English unless the caller asks otherwise.

    Pages and the admin default to Simplified Chinese (``LANGUAGE_CODE``);
    API field names and codes are English, so an API call without an
    ``Accept-Language`` header gets English messages too, and one that asks
    for ``zh-hans`` gets them in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)
