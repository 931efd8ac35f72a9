"""Settings for the hub, read from the environment.

Only ``DATABASE_URL`` and a handful of ``HUB_*`` variables are read (see
``.env.example``). Without ``DATABASE_URL`` the hub runs on an embedded SQLite
file so a newcomer needs no server. With ``HUB_DEBUG=0`` the hub is in
production mode and refuses to start without a secret key and allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("HUB_DEBUG", True)

SECRET_KEY = os.environ.get("HUB_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("HUB_ALLOWED_HOSTS")
# Rotation: the previous key(s), comma-separated, still accepted for sessions and signatures.
SECRET_KEY_FALLBACKS = env_list("HUB_SECRET_KEY_FALLBACKS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver", "[::1]"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("HUB_SECRET_KEY must be set to at least 50 characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("HUB_ALLOWED_HOSTS must list the host names served.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "hub.catalogue",
    "hub.records",
    "hub.access",
    "hub.quality",
    "hub.progress",
    "geodata",
    "population",
    "licences",
    "credit",
]

MIDDLEWARE = [
    "hub.middleware.RequestIdMiddleware",
    # Outermost but for the request id: every governed API response, whoever made it, is no-store.
    "hub.api.caching.NoStoreMiddleware",
    # One audit row for every /api/v1/ call, whatever refuses or answers it below.
    "hub.middleware.AuditMiddleware",
    "hub.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hub.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "hub.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out admin login into a 429.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "hub.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login brute-force protection (hub.security): after HUB_LOGIN_FAILURES failed
# attempts for one username from one address, that pair is locked out for the cool-off;
# after HUB_LOGIN_FAILURES_PER_ADDRESS failures from one address over any usernames
# (a password sprayed across every steward), the whole address is.
AXES_FAILURE_LIMIT = int(os.environ.get("HUB_LOGIN_FAILURES", "5"))
HUB_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("HUB_LOGIN_FAILURES_PER_ADDRESS", "20"))
AXES_COOLOFF_TIME = float(os.environ.get("HUB_LOGIN_COOLOFF_HOURS", "1"))
# In this order: hub.security.LoginLockoutHandler reads the per-pair count, then the per-address one.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "hub.security.LoginLockoutHandler"
AXES_RESET_ON_SUCCESS = True
# Behind the reverse proxy the client address is the last X-Forwarded-For hop it adds.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("HUB_PROXY_COUNT", "0")) or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'hub.sqlite3'}",
        conn_max_age=int(os.environ.get("HUB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("HUB_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("HUB_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# Reverting from the history page would write around the one-source rule's
# write context; corrections are made as ordinary changes instead.
SIMPLE_HISTORY_REVERT_DISABLED = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["HUB_CACHE_URL"]}
        if os.environ.get("HUB_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Largest request body accepted by the API; bigger ingest files go through
# ``manage.py ingest``.
# The API-key lookup is a session-level prepared statement on PostgreSQL;
# turn it off behind a pooler that does not keep sessions (PgBouncer in
# transaction mode).
HUB_PREPARED_KEY_QUERY = os.environ.get("HUB_PREPARED_KEY_QUERY", "1") != "0"

HUB_MAX_BODY_BYTES = int(os.environ.get("HUB_MAX_BODY_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = HUB_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hub.access.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "hub.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_PAGINATION_CLASS": "hub.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hub.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["hub.access.throttling.SystemRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"system": os.environ.get("HUB_THROTTLE_RATE", "6000/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Jiangsu Base Data Hub API",
    "DESCRIPTION": "Governed access to Jiangsu's five base libraries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets sharing a field name ("status") across libraries get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "EntityStatusEnum": "credit.choices.EntityStatus",
        "RepairStatusEnum": "credit.choices.RepairStatus",
    },
}

# Ed25519 signing key (PEM, base64 raw or hex) for licence authenticity.
HUB_SIGNING_KEY = os.environ.get("HUB_SIGNING_KEY", "")
HUB_SIGNING_KEY_ID = os.environ.get("HUB_SIGNING_KEY_ID", "dev-1")

# The audit chain's anchor (hub.access.checkpoints, docs/operations.md "Audit checkpoints"):
# each lane's head is signed with an Ed25519 key the database does not hold and written to a
# directory outside the database (one file per checkpoint, never rewritten), optionally also
# POSTed to a receiver. The private key: inline (PEM, or 32 bytes in hex or base64) or a PEM
# file; in development a key file is generated under var/ on first use. HUB_AUDIT_VERIFY_KEYS
# lists the public keys of earlier signing keys (PEM files, or 32 bytes in hex or base64), so
# that their checkpoints still verify after a rotation.
HUB_AUDIT_SIGNING_KEY = os.environ.get("HUB_AUDIT_SIGNING_KEY", "")
HUB_AUDIT_SIGNING_KEY_FILE = os.environ.get(
    "HUB_AUDIT_SIGNING_KEY_FILE", str(BASE_DIR / "var" / "audit-signing-key.pem") if DEBUG else ""
)
HUB_AUDIT_VERIFY_KEYS = env_list("HUB_AUDIT_VERIFY_KEYS")
HUB_AUDIT_CHECKPOINT_DIR = os.environ.get(
    "HUB_AUDIT_CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit-checkpoints")
)
HUB_AUDIT_CHECKPOINT_URL = os.environ.get("HUB_AUDIT_CHECKPOINT_URL", "")
HUB_AUDIT_CHECKPOINT_INTERVAL = int(os.environ.get("HUB_AUDIT_CHECKPOINT_INTERVAL", "300"))

# Content security policy of the HTML pages (hub.middleware); everything is served by the hub itself.
HUB_CONTENT_SECURITY_POLICY = os.environ.get(
    "HUB_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# The joint meeting's department assessment: weights of the component rates
# and points deducted per missed deadline / overdue issue (hub.progress.constants).
HUB_PROGRESS_ASSESSMENT = {
    "weights": {
        "delivery": 30,
        "mount_rate": 20,
        "records": 10,
        "timeliness": 15,
        "quality": 15,
        "sharing": 10,
    },
    "sharing_systems_target": 5,
    "penalties": {"deadline_missed": 2.0, "overdue_issue": 0.5},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("HUB_SSL_REDIRECT", True)
    # Probes from the load balancer and process manager speak plain HTTP to the hub.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("HUB_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("HUB_CSRF_TRUSTED_ORIGINS")

# Structured logs: one JSON object per line (HUB_LOG_FORMAT=json, the default in
# production) with the request id of the call; plain text while developing.
LOG_FORMAT = os.environ.get("HUB_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hub.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "hub.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HUB_LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request; HUB_REQUEST_LOG=0 silences it (e.g. when the proxy logs requests).
        "hub.request": {"level": "INFO" if env_bool("HUB_REQUEST_LOG", not DEBUG) else "WARNING"},
    },
}
