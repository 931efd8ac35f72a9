"""Structured (JSON) log lines carrying the request id of the call being answered."""

import contextvars
import datetime
import json
import logging

request_id_var = contextvars.ContextVar("request_id", default="")

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_id_of(record):
    """The request id of a log record: set explicitly, of the request being served, or of
    the request the record carries (Django logs 4xx/5xx after the middleware has returned)."""
    explicit = getattr(record, "request_id", "")
    if explicit:
        return explicit
    current = request_id_var.get()
    if current:
        return current
    request = getattr(record, "request", None)
    meta = getattr(request, "META", None)
    return meta.get("HTTP_X_REQUEST_ID", "") if isinstance(meta, dict) else ""


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of its request (or "")."""

    def filter(self, record):
        record.request_id = request_id_of(record)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_of(record),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
