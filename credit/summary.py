"""The credit summary of a subject (联合奖惩 check), now or as of a past time.

Computed from the credit records as they stood at the time asked (their
history), judged by their publicity dates on that day: a penalty past its
publicity period, a list membership past its end date and a repaired record
count no more, though all stay in history.
"""

from django.utils import timezone

from .choices import NEGATIVE_KINDS, RecordKind
from .models import CreditRecord, is_public_on

# The national list a membership belongs to when the record names none (data, not translated).
DEFAULT_LIST_NAMES = {
    RecordKind.DISHONEST_DEBTOR: "失信被执行人名单",
    RecordKind.SERIOUS_DISHONESTY: "严重失信主体名单",
    RecordKind.RED_LIST: "守信激励对象名单",
}


def records_as_of(subject_key, when=None):
    """The subject's credit records now, or as they stood at ``when`` (from history)."""
    if when is None:
        return list(CreditRecord.objects.filter(subject_key=subject_key))
    history = CreditRecord.history.model.objects
    ids = set(
        history.filter(subject_key=subject_key, history_date__lte=when).values_list("record_id", flat=True)
    )
    latest = {}
    for row in history.filter(record_id__in=ids, history_date__lte=when).order_by(
        "history_date", "history_id"
    ):
        latest[row.record_id] = row
    return [
        row.instance for row in latest.values() if row.history_type != "-" and row.subject_key == subject_key
    ]


def _day(when):
    if when is None:
        return timezone.localdate()
    return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()


def _list_entry(record):
    return {
        "kind": record.kind,
        "list_name": record.list_name or DEFAULT_LIST_NAMES[record.kind],
        "listed_from": record.listed_from.isoformat() if record.listed_from else None,
        "listed_until": record.listed_until.isoformat() if record.listed_until else None,
    }


def summarize(subject_key, subject_type, when=None):
    """Counts of active negative records by kind, list memberships with dates, red-list status.

    Nothing else: no decision numbers, authorities, contents or amounts, so a
    summary grant reveals only what an approval system needs to decide.
    """
    day = _day(when)
    records = [r for r in records_as_of(subject_key, when) if is_public_on(r, day)]
    negative = {kind.value: 0 for kind in NEGATIVE_KINDS}
    licensing = 0
    lists, red_lists = [], []
    for record in records:
        if record.kind in negative:
            negative[record.kind] += 1
        if record.kind == RecordKind.LICENSING:
            licensing += 1
        elif record.kind in (RecordKind.DISHONEST_DEBTOR, RecordKind.SERIOUS_DISHONESTY):
            lists.append(_list_entry(record))
        elif record.kind == RecordKind.RED_LIST:
            entry = _list_entry(record)
            entry["list_year"] = record.list_year
            red_lists.append(entry)
    order = lambda entry: (entry["listed_from"] or "", entry["list_name"])  # noqa: E731
    return {
        "subject": subject_key,
        "subject_type": subject_type,
        "as_of": timezone.localtime(when or timezone.now()).isoformat(),
        "date": day.isoformat(),
        "negative": negative,
        "negative_total": sum(negative.values()),
        "licensing": licensing,
        "lists": sorted(lists, key=order),
        "red_listed": bool(red_lists),
        "red_lists": sorted(red_lists, key=order),
    }


def has_records(subject_key, when=None):
    queryset = CreditRecord.history.model.objects if when else CreditRecord.objects
    filters = {"subject_key": subject_key}
    if when:
        filters["history_date__lte"] = when
    return queryset.filter(**filters).exists()
