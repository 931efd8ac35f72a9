"""Usage statistics from the audit log: calls per system, department, dataset, item and day."""

import datetime

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import AuditEntry


def window(days):
    return timezone.now() - datetime.timedelta(days=days)


def calls_by_day(since, system=None, dataset=None):
    queryset = AuditEntry.objects.filter(at__gte=since)
    if system:
        queryset = queryset.filter(system__name=system)
    if dataset:
        queryset = queryset.filter(dataset=dataset)
    rows = (
        queryset.annotate(day=TruncDate("at"))
        .values("day", "system__name", "system__department__code", "dataset")
        .annotate(calls=Count("id"))
        .order_by("-day", "system__name", "dataset")[:1000]
    )
    return [
        {
            "day": row["day"].isoformat() if row["day"] else None,
            "system": row["system__name"],
            "department": row["system__department__code"],
            "dataset": row["dataset"],
            "calls": row["calls"],
        }
        for row in rows
    ]


def calls_by_item(since):
    """Successful calls per returned item, counted in the database (JSON array expansion)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT item, count(*) FROM access_auditentry, jsonb_array_elements_text(items) AS item "
            "WHERE at >= %s AND status < 400 GROUP BY item ORDER BY count(*) DESC, item"
        )
    else:
        sql = (
            "SELECT j.value, count(*) FROM access_auditentry, json_each(access_auditentry.items) AS j "
            "WHERE at >= %s AND status < 400 GROUP BY j.value ORDER BY count(*) DESC, j.value"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(since)])
        return [{"item": item, "calls": calls} for item, calls in cursor.fetchall()]


def calls_by_department(since):
    rows = (
        AuditEntry.objects.filter(at__gte=since, system__isnull=False)
        .values("system__department__code", "system__department__name")
        .annotate(calls=Count("id"), systems=Count("system", distinct=True))
        .order_by("-calls")
    )
    return [
        {
            "department": row["system__department__code"],
            "name": row["system__department__name"],
            "calls": row["calls"],
            "systems": row["systems"],
        }
        for row in rows
    ]


def subject_calls(key):
    """Audit rows that touched the subject ``key``, newest first (who used this subject's data)."""
    queryset = AuditEntry.objects.select_related("system").order_by("-id")
    if connection.vendor == "postgresql":
        return queryset.filter(subject_keys__contains=[key])
    return queryset.filter(subject_keys__icontains=f'"{key}"')
