"""Per-system rate limits; the cache backend (Redis in production) is shared by workers."""

import math

from rest_framework.throttling import SimpleRateThrottle


class SystemRateThrottle(SimpleRateThrottle):
    """A fixed-window counter per system: one atomic ``incr`` per call.

    DRF's ``SimpleRateThrottle`` keeps every request's timestamp of the last
    period in one cache value and rewrites it on each call; at the hub's
    rates (thousands a minute per system) that list costs more than the
    governed lookup itself, and concurrent workers overwrite each other's
    lists. A counter per window is O(1) and, on Redis, exact across workers.
    The price is that a system may spend up to two windows' allowance across
    a window boundary.
    """

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

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = math.floor(now / self.duration)
        self.window_ends = (window + 1) * self.duration
        self.now = now
        key = f"{key}:{window}"
        timeout = self.duration + 1
        self.cache.add(key, 0, timeout)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window's key expired between add and incr
            self.cache.set(key, 1, timeout)
            count = 1
        return count <= self.num_requests

    def wait(self):
        """Seconds until the current window ends (the ``Retry-After``)."""
        return max(self.window_ends - self.now, 0.0)
