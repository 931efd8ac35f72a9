"""Gunicorn settings for ``make serve`` (production serving).

Each value can be overridden from the environment; see docs/operations.md.
Workers default to 2 × CPUs + 1 (gunicorn's own rule of thumb); each worker
runs a few threads, and each thread keeps one persistent database
connection (``HUB_CONN_MAX_AGE``), so size PostgreSQL's ``max_connections``
(or PgBouncer's pool) for workers × threads × hub instances.
"""

import multiprocessing
import os

bind = os.environ.get("HUB_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("HUB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("HUB_THREADS", "4"))
timeout = int(os.environ.get("HUB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that no slow leak can grow without bound.
max_requests = int(os.environ.get("HUB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The reverse proxy (TLS terminator) sets X-Forwarded-*; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("HUB_FORWARDED_ALLOW_IPS", "127.0.0.1")
# One JSON line per request comes from hub.middleware; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("HUB_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hub.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
    },
}
