"""Usage statistics from the audit log: calls per system, department, dataset, item and day.

Every figure is computed over the rows its reader may see (:func:`visible_rows`):
an operator the whole log, a steward its department's rows, anyone else none.
"""

import datetime

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import roles
from .models import AuditEntry


def visible_rows(user):
    """The audit rows ``user`` may see (see :mod:`hub.access.roles`)."""
    rows = AuditEntry.objects.all()
    if roles.is_operator(user):
        return rows
    department = roles.steward_department(user)
    if department is None:
        return rows.none()
    return roles.audit_rows_of(department, rows)


def visible_items(user):
    """The item codes whose call counts ``user`` may see; ``None`` for all of them."""
    if roles.is_operator(user):
        return None
    department = roles.steward_department(user)
    return roles.department_item_codes(department) if department is not None else set()


def window(days):
    return timezone.now() - datetime.timedelta(days=days)


def calls_by_day(since, system=None, dataset=None, rows=None):
    queryset = (AuditEntry.objects.all() if rows is None else rows).filter(at__gte=since)
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


def calls_by_item(since, items=None):
    """Successful calls per returned item, counted in the database (JSON array expansion).

    ``items`` limits the count to those item codes (a steward's); ``None`` counts every item.
    """
    if items is not None and not items:
        return []
    params = [connection.ops.adapt_datetimefield_value(since)]
    only = ""
    if items is not None:
        only = f" AND {{column}} IN ({', '.join(['%s'] * len(items))})"
        params += sorted(items)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT item, count(*) FROM access_auditentry, jsonb_array_elements_text(items) AS item "
            f"WHERE at >= %s AND status < 400{only.format(column='item')} "
            "GROUP BY item ORDER BY count(*) DESC, item"
        )
    else:
        sql = (
            "SELECT j.value, count(*) FROM access_auditentry, json_each(access_auditentry.items) AS j "
            f"WHERE at >= %s AND status < 400{only.format(column='j.value')} "
            "GROUP BY j.value ORDER BY count(*) DESC, j.value"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"item": item, "calls": calls} for item, calls in cursor.fetchall()]


def calls_by_department(since, rows=None):
    rows = (
        (AuditEntry.objects.all() if rows is None else rows)
        .filter(at__gte=since, system__isnull=False)
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


def subject_calls(key, rows=None):
    """Audit rows that touched the subject ``key``, newest first (who used this subject's data)."""
    queryset = (AuditEntry.objects.all() if rows is None else rows).select_related("system").order_by("-id")
    if connection.vendor == "postgresql":
        return queryset.filter(subject_keys__contains=[key])
    return queryset.filter(subject_keys__icontains=f'"{key}"')
