"""``Authorization: Api-Key <prefix>.<secret>`` for consumer and provider systems."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiKey


class SystemPrincipal:
    """The ``request.user`` of a call made by a system with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True

    def __init__(self, system, key):
        self.system = system
        self.key = key
        self.pk = None
        self.username = f"system:{system.name}"

    def __str__(self):
        return self.username

    def has_perm(self, perm, obj=None):
        return False


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        prefix, dot, secret = raw.strip().partition(".")
        if not dot or not prefix or not secret:
            raise exceptions.AuthenticationFailed(_("Malformed API key."), code="bad_key")
        key = ApiKey.objects.select_related("system", "system__department").filter(prefix=prefix).first()
        if key is None or not key.matches(secret):
            raise exceptions.AuthenticationFailed(_("Unknown API key."), code="bad_key")
        if not key.is_usable:
            raise exceptions.AuthenticationFailed(_("API key expired or revoked."), code="key_expired")
        if not key.system.active:
            raise exceptions.AuthenticationFailed(_("System is deactivated."), code="system_inactive")
        if not key.system.allows_ip(client_ip(request)):
            raise exceptions.PermissionDenied(
                _("Calls from this address are not allowed for this system."), code="ip_not_allowed"
            )
        return SystemPrincipal(key.system, key), key

    def authenticate_header(self, request):
        return self.keyword
