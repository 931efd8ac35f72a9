"""Who is writing: the acting department, user or system, batch and reason.

Every write to a base record happens inside :func:`writing`; the record's
``save()`` checks the one-source rule against the context's department and
the history row copies the context. A write with no context is refused, so
no path can forget the rule.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class WriteContext:
    department: str  # code of the acting department
    user: object = None  # a django user, for stewards
    system: str = ""  # name of the acting system, for providers
    batch: str = ""  # ingest batch id
    reason: str = ""


_current: contextvars.ContextVar[WriteContext | None] = contextvars.ContextVar(
    "hub_write_context", default=None
)


def current() -> WriteContext | None:
    return _current.get()


@contextmanager
def writing(department, *, user=None, system="", batch="", reason=""):
    """Run the block as ``department``; nested blocks replace the outer context."""
    ctx = (
        department
        if isinstance(department, WriteContext)
        else WriteContext(department=department, user=user, system=system, batch=batch, reason=reason)
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
