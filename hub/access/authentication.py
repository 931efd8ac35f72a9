"""``Authorization: Api-Key <prefix>.<secret>`` for consumer and provider systems."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from hub.catalogue.models import Department

from .models import ApiKey, ConsumerSystem


class SystemPrincipal:
    """The ``request.user`` of a call made by a system with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True

    def __init__(self, system, key):
        self.system = system
        self.key = key
        self.pk = None
        self.username = f"system:{system.name}"

    def __str__(self):
        return self.username

    def has_perm(self, perm, obj=None):
        return False


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


_KEY_QUERY = """
SELECT k.id, k.hashed_secret, k.expires_at, k.revoked_at,
       s.id, s.name, s.active, s.allowed_networks, s.is_consumer, s.is_provider,
       d.id, d.code, d.name,
       g.item_id, g.mode, g.masked, g.require_purpose_header
FROM access_apikey k
JOIN access_consumersystem s ON s.id = k.system_id
JOIN catalogue_department d ON d.id = s.department_id
LEFT JOIN access_grant g ON g.system_id = s.id AND s.is_consumer AND g.revoked_at IS NULL
     AND (g.expires_at IS NULL OR g.expires_at > %s)
WHERE k.prefix = %s
"""


def _prepare_key_query(cursor):
    """Prepare the key query once per PostgreSQL session.

    Planning its four-way join costs several times more than running it, and
    it runs on every governed call; a prepared statement is planned once per
    connection. (Django's cursors bind parameters on the client, so psycopg's
    own automatic preparation does not apply.) Prepared statements outlive
    rolled-back transactions and end with the session, which a new raw
    connection object stands for.
    """
    raw = cursor.db.connection
    if getattr(cursor.db, "_hub_key_query_prepared_on", None) is raw:
        return
    query = _KEY_QUERY.replace("%s", "$1", 1).replace("%s", "$2", 1)
    cursor.execute(f"PREPARE hub_load_key (timestamptz, text) AS {query}")
    cursor.db._hub_key_query_prepared_on = raw


def _as_datetime(value):
    """Raw rows carry naive UTC datetimes (or strings) on SQLite."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def load_key(prefix):
    """The key, its system and department, and the system's active grants, in one query.

    Every governed call needs all four; one round trip instead of two keeps
    the governed lookup close to a bare one. The grants ride on the key as
    ``active_grants`` (item id, mode, masked, require purpose) for
    :mod:`hub.access.scope`.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and settings.HUB_PREPARED_KEY_QUERY:
            _prepare_key_query(cursor)
            cursor.execute("EXECUTE hub_load_key (%s, %s)", [now, prefix])
        else:
            cursor.execute(_KEY_QUERY, [now, prefix])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    department = Department(id=first[10], code=first[11], name=first[12])
    system = ConsumerSystem(
        id=first[4],
        name=first[5],
        active=first[6],
        allowed_networks=first[7],
        is_consumer=first[8],
        is_provider=first[9],
        department=department,
    )
    key = ApiKey(
        id=first[0],
        prefix=prefix,
        hashed_secret=first[1],
        expires_at=_as_datetime(first[2]),
        revoked_at=_as_datetime(first[3]),
        system=system,
    )
    key.active_grants = [tuple(row[13:17]) for row in rows if row[13] is not None]
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        prefix, dot, secret = raw.strip().partition(".")
        if not dot or not prefix or not secret:
            raise exceptions.AuthenticationFailed(_("Malformed API key."), code="bad_key")
        key = load_key(prefix)
        if key is None or not key.matches(secret):
            raise exceptions.AuthenticationFailed(_("Unknown API key."), code="bad_key")
        if not key.is_usable:
            raise exceptions.AuthenticationFailed(_("API key expired or revoked."), code="key_expired")
        if not key.system.active:
            raise exceptions.AuthenticationFailed(_("System is deactivated."), code="system_inactive")
        if not key.system.allows_ip(client_ip(request)):
            raise exceptions.PermissionDenied(
                _("Calls from this address are not allowed for this system."), code="ip_not_allowed"
            )
        return SystemPrincipal(key.system, key), key

    def authenticate_header(self, request):
        return self.keyword
