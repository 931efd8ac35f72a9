"""Per-system rate limits; the cache backend (Redis in production) is shared by workers."""

from rest_framework.throttling import SimpleRateThrottle


class SystemRateThrottle(SimpleRateThrottle):
    scope = "system"

    def get_cache_key(self, request, view):
        system = getattr(request.user, "system", None)
        if system is not None:
            ident = f"system-{system.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
