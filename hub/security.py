"""Brute-force protection for the admin login (django-axes).

Two limits, both counted over the cool-off period:

* failures for one username from one address (``AXES_FAILURE_LIMIT``): a
  guessed password for one steward;
* failures from one address over every username
  (``HUB_LOGIN_FAILURES_PER_ADDRESS``, higher, since an office shares its
  address): one password sprayed across every steward's username.

A successful login clears only its own (username, address) count, so an
attacker holding one account cannot wipe the address's count with it.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


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


def _failures(attempts):
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, per-address limit (see the module docstring).

    Axes compares one count with one limit; this handler reports the
    per-pair count, raised to that limit once the address's own limit is
    reached. ``AXES_LOCKOUT_PARAMETERS`` lists the pair first, the address second.
    """

    def get_failures(self, request, credentials=None) -> int:
        per_pair, per_address = self.get_user_attempts(request, credentials)
        failures = _failures(per_pair)
        if _failures(per_address) >= settings.HUB_LOGIN_FAILURES_PER_ADDRESS:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_pair.delete()
        return count
