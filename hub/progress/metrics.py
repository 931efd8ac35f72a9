"""The joint meeting's figures, computed from the plans and the maintained aggregates.

:func:`load` reads everything the figures need in a fixed number of small
queries (catalogue, plans, ``ItemStat``, ``DatasetStat``, ``UsageStat``,
snapshots); the number of base records never changes what is read. The
figures of any scope — the province, a library, a department — are then
plain arithmetic over what was loaded.

Definitions (also in docs/api.md):

* A *responsibility unit* is one catalogue item, or for a partitioned dataset
  one item in one partition; its department is the item's source (or the
  partition's).
* A plan entry is *delivered* when the records holding its item (or, for a
  dataset entry, the dataset's records) reach the batch's delivery share of
  its target; a target of 0 means "all records of the dataset".
* Mount rate (挂接率): catalogue items with data attached ÷ catalogue items
  (for a department: its units with data ÷ its units).
* Timeliness: items with data last written by their source within their
  update cycle ÷ items with data ("on change" items are timely once they
  hold data).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from hub.catalogue import spec as catalogue
from hub.catalogue.choices import CYCLE_DAYS
from hub.catalogue.models import Department, Library

from .constants import DEFAULT_ASSESSMENT, DEFAULT_PERIOD_DAYS, TREND_WEEKS
from .models import DatasetStat, ItemStat, PlanBatch, PlanEntry, UsageStat, WeeklySnapshot

PROVINCE = "province"


def quality_module():
    """``hub.quality.metrics`` when the quality app provides it, else ``None`` (no quality data yet)."""
    try:
        from hub.quality import metrics
    except ImportError:
        return None
    return metrics


def assessment_settings():
    configured = getattr(settings, "HUB_PROGRESS_ASSESSMENT", None) or {}
    merged = {**DEFAULT_ASSESSMENT, **configured}
    merged["weights"] = {**DEFAULT_ASSESSMENT["weights"], **configured.get("weights", {})}
    merged["penalties"] = {**DEFAULT_ASSESSMENT["penalties"], **configured.get("penalties", {})}
    return merged


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """The days the sharing figures cover (inclusive)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today=None):
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)

    @classmethod
    def month(cls, year, month):
        start = datetime.date(year, month, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return cls(start, end)

    @property
    def label(self):
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


@dataclass
class Unit:
    """One item (in one partition) with its source department and its aggregate."""

    dataset: str
    library: str
    item: str
    item_name: str
    partition: str
    department: str | None
    cycle: str
    filled: int
    last_updated: datetime.datetime | None


@dataclass
class EntryState:
    """A plan entry with what was delivered against it."""

    entry: PlanEntry
    measure: int
    target: int  # the entry's target, or for "all records" (0) the records the dataset holds
    threshold: float
    delivered: bool
    overdue: bool

    def as_dict(self):
        e = self.entry
        return {
            "batch": e.batch.code,
            "library": e.library.code,
            "dataset": e.dataset,
            "item": e.item,
            "department": e.department.code,
            "department_name": e.department.name,
            "target_records": self.target,
            "records": self.measure,
            "threshold": round(self.threshold),
            "deadline": e.deadline.isoformat(),
            "delivered": self.delivered,
            "deadline_missed": self.overdue,
            "notes": e.notes,
        }


@dataclass
class Loaded:
    """Everything the figures are computed from, read in a fixed number of queries."""

    today: datetime.date
    now: datetime.datetime
    period: Period
    batch: PlanBatch | None
    datasets: dict
    libraries: list
    departments: dict
    units: list
    dataset_stats: list
    batches: list
    entries: list
    usage: list
    quality: object = None
    states: list | None = None


def load(batch=None, period=None, today=None, with_usage=True, with_quality=True, now=None):
    """Read the catalogue, plans and aggregates. ``batch`` is a PlanBatch code or ``None`` for all.

    ``now`` (default: the current time) is the moment deadlines and update
    cycles are judged against.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    period = period or Period.default(today)
    datasets = {d.code: d for d in catalogue.all_datasets()}
    libraries = list(Library.objects.order_by("ordering", "code"))
    departments = {d.code: d for d in Department.objects.order_by("code")}
    stats = {(s.item, s.partition): s for s in ItemStat.objects.all()}
    dataset_stats = list(DatasetStat.objects.all())
    batches = list(PlanBatch.objects.all())
    chosen = None
    if batch:
        chosen = next((b for b in batches if b.code == batch), None)
        if chosen is None:
            raise PlanBatch.DoesNotExist(batch)
    entries = PlanEntry.objects.select_related("batch", "library", "department")
    if chosen is not None:
        entries = entries.filter(batch=chosen)
    entries = list(entries)

    units = []
    for dataset in datasets.values():
        for item in dataset.items:
            partitions = dataset.partitions.items() if dataset.partition_field else [("", item.source)]
            for partition, department in partitions:
                stat = stats.get((item.code, partition))
                units.append(
                    Unit(
                        dataset=dataset.code,
                        library=dataset.library,
                        item=item.code,
                        item_name=item.name,
                        partition=partition,
                        department=department,
                        cycle=item.update_cycle,
                        filled=stat.filled if stat else 0,
                        last_updated=stat.last_updated if stat else None,
                    )
                )
    usage = []
    if with_usage:
        usage = list(
            UsageStat.objects.filter(day__gte=period.start, day__lte=period.end)
            .order_by()
            .values("dataset", "system_id")
            .annotate(calls=Sum("calls"), records=Sum("records"))
        )
    return Loaded(
        today=today,
        now=now,
        period=period,
        batch=chosen,
        datasets=datasets,
        libraries=libraries,
        departments=departments,
        units=units,
        dataset_stats=dataset_stats,
        batches=batches,
        entries=entries,
        usage=usage,
        quality=_quality_figures(now, today) if with_quality else None,
    )


def _quality_figures(now, today):
    module = quality_module()
    if module is None:
        return None
    from .quality import QualityFigures

    return QualityFigures(module, now, trend_weeks(today))


# -- arithmetic over what was loaded ---------------------------------------


def ratio(part, whole):
    return round(part / whole, 4) if whole else None


def _timely(filled, last_updated, cycle, now):
    if not filled or last_updated is None:
        return False
    days = CYCLE_DAYS.get(cycle)
    return days is None or last_updated >= now - datetime.timedelta(days=days)


def _partition_owner(data, dataset_code, partition):
    dataset = data.datasets.get(dataset_code)
    if dataset is None or not dataset.partition_field:
        return None
    return dataset.partitions.get(partition)


def entry_state(data, entry, share=None):
    """How much of ``entry`` is delivered (records holding its item, or the dataset's records)."""
    dataset = data.datasets.get(entry.dataset)
    share = float(entry.batch.delivery_share if share is None else share)
    if dataset is None:
        measure, available = 0, 0
    else:
        owned = {p for p, source in dataset.partitions.items() if source == entry.department.code}
        # A partitioned dataset's entry counts the partitions its department is the source of;
        # the library's lead department (coordinating), or one owning none, answers for all.
        if entry.library.lead_department_id == entry.department_id:
            owned = set()
        mine = (lambda partition: partition in owned) if owned else (lambda partition: True)
        available = sum(
            s.records for s in data.dataset_stats if s.dataset == entry.dataset and mine(s.partition)
        )
        if entry.item:
            measure = sum(u.filled for u in data.units if u.item == entry.item and mine(u.partition))
        else:
            measure = available
    target = entry.target_records or available
    threshold = share * target if entry.target_records or entry.item else 1
    delivered = measure > 0 and measure >= threshold
    overdue = not delivered and entry.deadline < data.today
    return EntryState(entry, measure, target, threshold, delivered, overdue)


def entry_states(data):
    if data.states is None:
        data.states = [entry_state(data, entry) for entry in data.entries]
    return data.states


def _usage(rows):
    return {
        "calls": sum(r["calls"] for r in rows),
        "systems": len({r["system_id"] for r in rows}),
        "records_shared": sum(r["records"] or 0 for r in rows),
    }


def figures(data, scope=PROVINCE, code=None):
    """The figures of one scope: ``province``, ``library`` (code) or ``department`` (code)."""
    if scope == PROVINCE:
        units = data.units
        states = entry_states(data)
        dataset_codes = set(data.datasets)
    elif scope == "library":
        units = [u for u in data.units if u.library == code]
        states = [s for s in entry_states(data) if s.entry.library.code == code]
        dataset_codes = {c for c, d in data.datasets.items() if d.library == code}
    elif scope == "department":
        units = [u for u in data.units if u.department == code]
        states = [s for s in entry_states(data) if s.entry.department.code == code]
        dataset_codes = {u.dataset for u in units}
    else:
        raise ValueError(scope)

    # Catalogue items: by item for the province and a library, by unit for a department.
    if scope == "department":
        keyed = [(u.filled, u.last_updated, u.cycle) for u in units]
    else:
        per_item = {}
        for u in units:
            filled, last, cycle = per_item.get(u.item, (0, None, u.cycle))
            last = max(filter(None, [last, u.last_updated]), default=None)
            per_item[u.item] = (filled + u.filled, last, cycle)
        keyed = list(per_item.values())
    attached = [k for k in keyed if k[0] > 0]
    timely = [k for k in attached if _timely(k[0], k[1], k[2], data.now)]

    # Records held and the plan's record target.
    if scope == "department":
        per_dataset_item = defaultdict(int)
        for u in units:
            per_dataset_item[(u.dataset, u.item)] += u.filled
        best = defaultdict(int)
        for (dataset_code, _item), filled in per_dataset_item.items():
            best[dataset_code] = max(best[dataset_code], filled)
        records = sum(best.values())
    else:
        records = sum(s.records for s in data.dataset_stats if s.dataset in dataset_codes)
    targets = defaultdict(int)
    for s in states:
        key = (s.entry.dataset, s.entry.department.code)
        targets[key] = max(targets[key], s.target)
    target = sum(targets.values())

    planned = len(states)
    delivered = sum(1 for s in states if s.delivered)
    usage = _usage([r for r in data.usage if r["dataset"] in dataset_codes])
    result = {
        "items_planned": planned,
        "items_delivered": delivered,
        "delivery_rate": ratio(delivered, planned),
        "catalogue_items": len(keyed),
        "items_attached": len(attached),
        "mount_rate": ratio(len(attached), len(keyed)),
        "records": records,
        "target_records": target,
        "records_rate": ratio(records, target),
        "timeliness": ratio(len(timely), len(attached)),
        "deadlines_missed": sum(1 for s in states if s.overdue),
        **usage,
        **quality_figures(data, scope, code, dataset_codes),
    }
    if scope == "department":
        result["assessment"] = assessment(result)
    return result


def quality_figures(data, scope, code, dataset_codes):
    """Quality score and open/overdue issues from the quality app (``None`` without it)."""
    q = data.quality
    if q is None:
        return {"quality_score": None, "issues_open": None, "issues_overdue": None}
    if scope == PROVINCE:
        score, counts = q.score(), q.issue_counts()
    elif scope == "department":
        score, counts = q.score(department=code), q.issue_counts(department=code)
    else:
        scores = q.dataset_scores(dataset_codes)
        score = round(sum(scores) / len(scores), 2) if scores else None
        counts = {}
    return {
        "quality_score": score,
        "issues_open": counts.get("open"),
        "issues_overdue": counts.get("overdue"),
    }


def assessment(fig, config=None):
    """A department's assessment score (0–100) from its figures and the configured weights."""
    config = config or assessment_settings()
    quality = fig.get("quality_score")
    components = {
        "delivery": fig["delivery_rate"],
        "mount_rate": fig["mount_rate"],
        "records": min(1.0, fig["records_rate"]) if fig["records_rate"] is not None else None,
        "timeliness": fig["timeliness"],
        "quality": min(1.0, quality / 100) if quality is not None else None,
        "sharing": min(1.0, fig["systems"] / config["sharing_systems_target"])
        if config.get("sharing_systems_target")
        else None,
    }
    weights = config["weights"]
    used = {k: v for k, v in components.items() if v is not None and weights.get(k)}
    total = sum(weights[k] for k in used)
    if not total:
        return None
    score = 100 * sum(weights[k] * v for k, v in used.items()) / total
    score -= config["penalties"].get("deadline_missed", 0) * fig["deadlines_missed"]
    score -= config["penalties"].get("overdue_issue", 0) * (fig.get("issues_overdue") or 0)
    return round(max(0.0, score), 1)


def involved_departments(data):
    """Departments that source an item or own a plan entry, in code order."""
    codes = {u.department for u in data.units if u.department} | {e.department.code for e in data.entries}
    return [data.departments[c] for c in sorted(codes) if c in data.departments]


def summary(data):
    """The province, each library and each involved department, plus the plan batches."""
    departments = []
    for department in involved_departments(data):
        departments.append(
            {"code": department.code, "name": department.name, **figures(data, "department", department.code)}
        )
    ranked = sorted(departments, key=lambda d: (d["assessment"] is None, -(d["assessment"] or 0), d["code"]))
    for position, row in enumerate(ranked, 1):
        row["rank"] = position
    return {
        "generated_at": data.now.isoformat(),
        "period": {"start": data.period.start.isoformat(), "end": data.period.end.isoformat()},
        "batch": data.batch.code if data.batch else None,
        "quality_available": data.quality is not None,
        "province": figures(data, PROVINCE),
        "libraries": [
            {"code": lib.code, "name": lib.name, **figures(data, "library", lib.code)}
            for lib in data.libraries
        ],
        "departments": departments,
        "batches": batch_figures(data),
    }


def batch_figures(data):
    rows = []
    states = entry_states(data)
    for batch in data.batches:
        if data.batch is not None and batch.pk != data.batch.pk:
            continue
        mine = [s for s in states if s.entry.batch_id == batch.pk]
        delivered = sum(1 for s in mine if s.delivered)
        rows.append(
            {
                "code": batch.code,
                "name": batch.name,
                "delivery_share": float(batch.delivery_share),
                "items_planned": len(mine),
                "items_delivered": delivered,
                "delivery_rate": ratio(delivered, len(mine)),
                "deadlines_missed": sum(1 for s in mine if s.overdue),
            }
        )
    return rows


def library_detail(data, code):
    """A library's figures, its datasets, its departments and its plan entries."""
    library = next((lib for lib in data.libraries if lib.code == code), None)
    if library is None:
        raise Library.DoesNotExist(code)
    datasets = []
    for dataset in sorted((d for d in data.datasets.values() if d.library == code), key=lambda d: d.code):
        units = [u for u in data.units if u.dataset == dataset.code]
        items = {}
        for u in units:
            row = items.setdefault(
                u.item,
                {"item": u.item, "name": u.item_name, "filled": 0, "last_updated": None, "cycle": u.cycle},
            )
            row["filled"] += u.filled
            row["last_updated"] = max(filter(None, [row["last_updated"], u.last_updated]), default=None)
        records = sum(s.records for s in data.dataset_stats if s.dataset == dataset.code)
        for row in items.values():
            row["fill_rate"] = ratio(row["filled"], records)
            row["timely"] = _timely(row["filled"], row["last_updated"], row["cycle"], data.now)
        datasets.append(
            {"code": dataset.code, "name": dataset.name, "records": records, "items": list(items.values())}
        )
    departments = sorted(
        {u.department for u in data.units if u.library == code and u.department}
        | {e.department.code for e in data.entries if e.library.code == code}
    )
    return {
        "library": library,
        "figures": figures(data, "library", code),
        "datasets": datasets,
        "departments": [
            {"code": c, "name": data.departments[c].name, **figures(data, "department", c)}
            for c in departments
            if c in data.departments
        ],
        "entries": [s for s in entry_states(data) if s.entry.library.code == code],
    }


def department_detail(data, code):
    """A department's figures, its items (counts only) and its plan entries."""
    department = data.departments.get(code)
    if department is None:
        raise Department.DoesNotExist(code)
    units = [u for u in data.units if u.department == code]
    return {
        "department": department,
        "figures": figures(data, "department", code),
        "units": [
            {
                "item": u.item,
                "name": u.item_name,
                "partition": u.partition,
                "filled": u.filled,
                "last_updated": u.last_updated,
                "timely": _timely(u.filled, u.last_updated, u.cycle, data.now),
            }
            for u in units
        ],
        "entries": [s for s in entry_states(data) if s.entry.department.code == code],
    }


# -- trends -------------------------------------------------------------------


def trend_weeks(today, weeks=TREND_WEEKS):
    last = week_start(today)
    return [last - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def scope_of(scope_key):
    """``("library", "population")`` from ``"library:population"``; ``("province", None)``."""
    kind, _sep, code = scope_key.partition(":")
    return kind, code or None


def quality_trend(data, scope_key, weeks):
    """The quality score at the end of each week (``None`` without quality data)."""
    q = data.quality
    if q is None:
        return [None] * len(weeks)
    kind, code = scope_of(scope_key)
    if kind == "department":
        return q.trend(department=code)
    if kind == "library":
        return q.trend(datasets={c for c, d in data.datasets.items() if d.library == code})
    return q.trend()


def trends(data, scope_key=PROVINCE, dataset_codes=None):
    """Weekly series for one scope: delivered items, mount rate, records (snapshots), calls, quality."""
    weeks = trend_weeks(data.today)
    snapshots = {
        s.week: s
        for s in WeeklySnapshot.objects.filter(scope=scope_key, week__gte=weeks[0], week__lte=weeks[-1])
    }
    usage = UsageStat.objects.filter(day__gte=weeks[0], day__lte=data.today)
    if dataset_codes is not None:
        usage = usage.filter(dataset__in=sorted(dataset_codes))
    calls = defaultdict(int)
    for row in usage.order_by().values("day").annotate(calls=Sum("calls")):
        calls[week_start(row["day"])] += row["calls"]
    return {
        "weeks": [w.isoformat() for w in weeks],
        "items_delivered": [snapshots[w].items_delivered if w in snapshots else None for w in weeks],
        "mount_rate": [snapshots[w].mount_rate if w in snapshots else None for w in weeks],
        "records": [snapshots[w].records if w in snapshots else None for w in weeks],
        "calls": [calls.get(w, 0) for w in weeks],
        "quality_score": quality_trend(data, scope_key, weeks),
    }


def write_snapshots(today=None):
    """Record this week's figures of every scope (called after each recount)."""
    data = load(today=today, with_usage=False, with_quality=False)
    week = week_start(data.today)
    rows = [(PROVINCE, figures(data, PROVINCE))]
    rows += [(f"library:{lib.code}", figures(data, "library", lib.code)) for lib in data.libraries]
    rows += [
        (f"department:{d.code}", figures(data, "department", d.code)) for d in involved_departments(data)
    ]
    WeeklySnapshot.objects.bulk_create(
        [
            WeeklySnapshot(
                week=week,
                scope=scope,
                items_delivered=fig["items_delivered"],
                items_planned=fig["items_planned"],
                mount_rate=fig["mount_rate"],
                records=fig["records"],
            )
            for scope, fig in rows
        ],
        update_conflicts=True,
        unique_fields=["week", "scope"],
        update_fields=["items_delivered", "items_planned", "mount_rate", "records"],
    )
    return len(rows)


def as_json(value):
    """Figures with Decimals and dates made JSON-friendly."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value
