"""One place that configures django-simple-history for every model of the hub."""

from simple_history.models import HistoricalRecords


def history_user(instance=None, request=None, **kwargs):
    """The person behind a change: an explicit ``_history_user``, or the request's user.

    Calls made by systems authenticate as a ``SystemPrincipal``, which is not
    a user row; their changes carry the system in the history's own columns
    instead, so the user is left empty here.
    """
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return user


def History(**kwargs):  # noqa: N802 - reads like the field it builds
    """``HistoricalRecords`` with the hub's user resolution."""
    return HistoricalRecords(get_user=history_user, **kwargs)
