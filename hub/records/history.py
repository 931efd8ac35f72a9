"""Reading a record's history as versions, diffs and "as of" a past time."""

import datetime
import decimal

from .masking import mask


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def versions(model, key_field, key, fields, masks):
    """Versions of one record, newest first, showing changes to ``fields`` only.

    A version that changed none of ``fields`` visibly is left out altogether
    (and not counted), so the history reveals nothing about items the caller
    was not granted, nor about the hidden part of masked ones — not even that
    they changed.
    """
    rows = (
        model.history.filter(**{key_field: key})
        .order_by("history_date", "history_id")
        .values(
            "history_date",
            "history_type",
            "history_change_reason",
            "source_department",
            "acting_system",
            "batch",
            *fields,
        )
    )
    shown = []
    previous = None
    for row in rows:
        changes = {}
        for name in fields:
            old = previous[name] if previous else None
            new = row[name]
            if old != new and not (previous is None and new in (None, "")):
                rule = masks.get(name)
                shown_old = mask(rule, _plain(old)) if rule else _plain(old)
                shown_new = mask(rule, _plain(new)) if rule else _plain(new)
                # A change to hidden characters only is not shown: "丁** → 丁**" would say that
                # the masked part changed, and when.
                if shown_old != shown_new:
                    changes[name] = {"old": shown_old, "new": shown_new}
        if changes or row["history_type"] == "-":
            shown.append(
                {
                    "changed_at": row["history_date"].isoformat(),
                    "type": {"+": "created", "~": "changed", "-": "deleted"}[row["history_type"]],
                    "source": row["source_department"],
                    "system": row["acting_system"],
                    "batch": row["batch"] or None,
                    "reason": row["history_change_reason"] or "",
                    "changes": changes,
                }
            )
        previous = row
    for number, version in enumerate(shown, start=1):
        version["version"] = number
    return list(reversed(shown))


def _shown(value, rule):
    return mask(rule, _plain(value)) if rule else _plain(value)


def last_visible_changes(model, key_field, keys, fields, masks):
    """``{key: {field: time}}``: when each of ``fields`` last changed *as the caller sees it*.

    A change of hidden characters only (the masked rendering stayed the same)
    does not count, nor does a change of another item by the same source —
    so the time says nothing the history endpoint would not. One query for
    all ``keys``.
    """
    rows = (
        model.history.filter(**{f"{key_field}__in": list(keys)})
        .order_by(key_field, "history_date", "history_id")
        .values(key_field, "history_date", *fields)
    )
    changed, previous = {}, {}
    for row in rows:
        key = row[key_field]
        before = previous.get(key)
        times = changed.setdefault(key, {})
        for name in fields:
            rule = masks.get(name)
            old = _shown(before[name], rule) if before else None
            new = _shown(row[name], rule)
            if old != new and not (before is None and new in (None, "")):
                times[name] = row["history_date"]
        previous[key] = row
    return changed


def as_of(model, key_field, key, when):
    """The record as it stood at ``when``, or None if it did not exist then."""
    row = (
        model.history.filter(**{key_field: key}, history_date__lte=when)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if row is None or row.history_type == "-":
        return None
    instance = row.instance
    instance.source_stamps = {}
    return instance
