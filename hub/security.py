"""Brute-force protection for the admin login (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, for logins that come with an HTTP request.

    ``authenticate()`` without a request (management commands, the test
    client's ``login()``) is not a web login and cannot be brute-forced over
    HTTP, so it is left to the next backend instead of raising. API keys never
    go through ``authenticate()`` at all.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
