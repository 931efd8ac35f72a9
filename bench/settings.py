"""Settings for benchmark servers: the hub's own, plus the bare comparison endpoint."""

from hub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"system": "10000000/min"}}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "CRITICAL", "handlers": []}}
