"""Twin worlds: the same records, differing only in what one caller may not learn.

A world is a plan: for each dataset a list of records, each a list of
versions (``{field: value}`` written at fixed instants), built through the
models under each item's source department, as ingestion would. World A is
built from demo generators (valid values); a twin B is derived from A for a
caller's :class:`Visibility`:

* ``ungranted`` — every item the caller holds no usable grant for gets
  another valid value (taken from a pool of generated rows of the same dataset);
* ``masked`` — every item the caller holds only masked keeps its masked
  rendering and changes its hidden characters (丁兰杰 → 丁美玲, a birth date in
  the same year, an ID number with the same head, tail and check character);
* ``existence`` — a record of a dataset the caller holds nothing on is absent.

The natural key and the partition field are never varied (the key addresses a
record, as in a lookup URL; the partition decides the source). Twins are
checked after they are built: if an item the caller may see came out
different (it is derived from a varied one, e.g. a parcel's bounding box from
its geometry), the record's variation is dropped and the coupling is reported.
"""

import dataclasses
import datetime
import random
import string
from collections import defaultdict
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from credit.demo import generate_entities, generate_records
from credit.validators import validate_uscc
from geodata.demo import (
    boundary_rows,
    division_rows,
    generate_addresses,
    generate_parcels,
    generate_place_names,
    generate_resource_units,
)
from hub.catalogue import spec as catalogue
from hub.catalogue.choices import Masking
from hub.records import context
from hub.records.masking import mask
from hub.records.views import GovernedViewSet
from licences.demo import person_licences
from licences.reference import issuer
from population.demo import generate_persons
from population.validators import validate_id_number

# Fixed instants: records are created at T0, changed at T1, the calls run at T2.
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
T1 = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
T2 = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)

HAN = "兰美玲杰伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志"

# Items whose value the framework derives on save; varying them by hand is meaningless.
NEVER_VARIED = {"signature", "signing_key_id"}


# -- what a caller may learn of each item ------------------------------------------


@dataclasses.dataclass(frozen=True)
class Visibility:
    """Per dataset: items seen in the clear, items seen only masked (the rest is hidden)."""

    clear: dict  # dataset code -> frozenset of fields
    masked: dict  # dataset code -> frozenset of fields
    modes: dict = dataclasses.field(
        default_factory=dict
    )  # dataset code -> best mode held (1 verify … 3 search)

    def kind(self, dataset, field):
        if field in self.clear.get(dataset, ()):
            return "clear"
        if field in self.masked.get(dataset, ()):
            return "masked"
        return "hidden"

    def holds_any(self, dataset):
        return bool(self.clear.get(dataset) or self.masked.get(dataset))


# -- plans ------------------------------------------------------------------------


@dataclasses.dataclass
class RecordPlan:
    dataset: str
    versions: list  # [ {field: value} at T0, {field: value} at T1 (changes only) ]
    varied: set = dataclasses.field(default_factory=set)  # fields varied from world A
    delays: tuple = ()  # per change (versions[1:]): days after T1 it is written

    def final(self):
        values = dict(self.versions[0])
        for change in self.versions[1:]:
            values.update(change)
        return values

    def key(self):
        return str(self.versions[0][catalogue.get(self.dataset).natural_key])


@dataclasses.dataclass
class WorldPlan:
    name: str
    records: list  # [RecordPlan] in creation order
    absent: set = dataclasses.field(default_factory=set)  # indexes of records left out (existence twin)

    def present(self):
        return [r for i, r in enumerate(self.records) if i not in self.absent]


# -- world A from the demo generators ----------------------------------------------


def _pools(seed):
    """Valid generated rows per dataset: the first few make world A, the rest lend values to twins."""
    persons = list(generate_persons(40, seed=seed))
    entities = list(generate_entities(12, [(p["id_number"], p["name"]) for p in persons], seed=seed))
    rng = random.Random(seed)
    licences = person_licences(persons, rng)
    records = generate_records(
        [(e["uscc"], e["name"]) for e in entities],
        [(p["id_number"], p["name"]) for p in persons],
        datetime.date(2026, 5, 1),
        seed=seed,
    )
    pools = {
        "population.person": persons,
        "credit.legal_entity": entities,
        "credit.record": records,
        "licences.licence": [
            row for slug in ("resident_id_card", "marriage_certificate") for row in licences[slug]
        ],
        "geodata.parcel": list(generate_parcels(12, seed=seed)),
        "geodata.address": list(generate_addresses(12, seed=seed)),
        "geodata.place_name": list(generate_place_names(12, seed=seed)),
        "geodata.resource_unit": list(generate_resource_units(1, seed=seed))[:12],
        "geodata.division": _divisions(division_rows(), boundary_rows()),
    }
    return pools


def _divisions(rows, boundaries):
    """Reference divisions with their boundaries: a small tree first (province, a city, two of its
    counties, a retired county), then the rest as the pool twins draw from."""
    shapes = {b["code"]: b for b in boundaries}
    merged = [dict(r, **{k: v for k, v in shapes.get(r["code"], {}).items() if k != "code"}) for r in rows]
    by_code = {r["code"]: r for r in merged}
    city = next(r for r in merged if r["level"] == "city" and not r["valid_until"])
    counties = [r for r in merged if r["parent_code"] == city["code"] and not r["valid_until"]][:2]
    retired = [r for r in merged if r["valid_until"] and r["parent_code"] == city["code"]][:1]
    tree = [by_code[city["parent_code"]], city, *counties, *retired]
    return tree + [r for r in merged if r not in tree]


# How many records of each dataset world A holds.
WORLD_SIZE = 3


def _licence_rows(pool_rows):
    """Licence rows as the model takes them: signature and digest are derived on save."""
    out = []
    for row in pool_rows:
        row = dict(row)
        row.pop("signature", None)
        row.pop("signing_key_id", None)
        type_code = row["licence_type"]
        row.setdefault("issuing_authority", issuer(_licence_department(type_code))["name"])
        out.append(row)
    return out


def _licence_department(type_code):
    return catalogue.get("licences.licence").partitions[type_code]


def builders(seed=2026):
    """Datasets the harness builds worlds for: those it has generated rows of."""
    return set(plan_world_a(seed)[1])


@cache
def plan_world_a(seed):
    """World A: a few records per dataset, cross-linked by standard keys, each changed once at T1.

    Cached per seed: plans are never changed in place (twins and repairs build new ones).
    """
    pools = _pools(seed)
    rng = random.Random(seed * 31 + 7)
    persons = pools["population.person"][: WORLD_SIZE + 1]
    person_ids = {p["id_number"] for p in persons}
    entities = pools["credit.legal_entity"][:WORLD_SIZE]
    entity_ids = {e["uscc"] for e in entities}
    chosen = {
        "population.person": persons,
        "credit.legal_entity": entities,
        # Licences and credit records of world A's own subjects, so the dossier has something to compose.
        "licences.licence": [r for r in pools["licences.licence"] if r["holder_key"] in person_ids][
            : WORLD_SIZE + 1
        ],
        "credit.record": (
            [r for r in pools["credit.record"] if r["subject_key"] in entity_ids | person_ids][:WORLD_SIZE]
        ),
    }
    for code in ("geodata.parcel", "geodata.address", "geodata.place_name", "geodata.resource_unit"):
        chosen[code] = pools[code][:WORLD_SIZE]
    chosen["geodata.division"] = pools["geodata.division"][:5]
    if chosen["licences.licence"]:
        chosen["licences.licence"] = _licence_rows(chosen["licences.licence"])
        pools["licences.licence"] = _licence_rows(pools["licences.licence"])
    records = []
    for code, rows in chosen.items():
        spec = catalogue.get(code)
        for row in rows:
            first = {k: v for k, v in row.items() if k in spec.by_field or k in ("issuing_authority",)}
            change_field = _change_field(spec, first, rng)
            versions = [first]
            if change_field:
                other = _pool_value(pools[code], change_field, first[change_field], rng)
                if other is not _NOTHING:
                    versions.append({change_field: other})
            records.append(RecordPlan(code, versions))
    return WorldPlan("A", records), pools


def _change_field(spec, row, rng):
    candidates = [
        f
        for f in row
        if f in spec.by_field
        and f != spec.natural_key
        and f != spec.partition_field
        and f not in NEVER_VARIED
        and f not in ("geometry", "surface_data", "registration_authority", "deciding_department")
        and not f.startswith(("min_", "max_", "centroid_"))
    ]
    return rng.choice(sorted(candidates)) if candidates else None


_NOTHING = object()


def _pool_value(rows, field, current, rng):
    values = [r[field] for r in rows if field in r and r[field] != current and r[field] not in (None, "")]
    if not values:
        return _NOTHING
    return values[rng.randrange(len(values))]


# -- twins ------------------------------------------------------------------------


def _valid(validator, value):
    try:
        validator(str(value))
        return True
    except Exception:  # noqa: BLE001 - validators raise ValidationError, stdnum its own errors
        return False


def _same_checksum_kind(original, candidate):
    """A candidate for a checksummed identifier (ID number, USCC) must be one too."""
    for validator in (validate_id_number, validate_uscc):
        if _valid(validator, original):
            return _valid(validator, candidate)
    return True


def _masked_twin(rule, value, pool_values, rng):
    """A different value with the same masked rendering, or _NOTHING."""
    if value in (None, ""):
        return _NOTHING
    if isinstance(value, datetime.date):
        for _attempt in range(50):
            day = datetime.date(value.year, rng.randint(1, 12), rng.randint(1, 28))
            if day != value and mask(rule, day.isoformat()) == mask(rule, value.isoformat()):
                return day
        return _NOTHING
    text = str(value)
    shown = mask(rule, text)
    for candidate in pool_values:
        if candidate != value and isinstance(candidate, type(value)) and mask(rule, str(candidate)) == shown:
            if _same_checksum_kind(text, candidate):
                return candidate
    # Rewrite the hidden characters in place: positions the mask hides.
    hidden = (
        [i for i, ch in enumerate(shown) if ch == "*" and i < len(text)] if len(shown) == len(text) else []
    )
    if rule == Masking.ADDRESS:
        tails = [str(c)[6:] for c in pool_values if len(str(c)) > 6 and str(c)[6:] != text[6:]]
        if tails and len(text) > 6:
            return text[:6] + tails[rng.randrange(len(tails))]
    if not hidden:
        return _NOTHING
    for _attempt in range(400):
        chars = list(text)
        for i in rng.sample(hidden, min(len(hidden), 3)):
            ch = chars[i]
            if ch.isdigit():
                chars[i] = rng.choice(string.digits)
            elif ch.isascii() and ch.isalpha():
                chars[i] = rng.choice(string.ascii_uppercase)
            else:
                chars[i] = rng.choice(HAN)
        candidate = "".join(chars)
        if candidate != text and mask(rule, candidate) == shown and _same_checksum_kind(text, candidate):
            return candidate
    return _NOTHING


def twin(plan, pools, visibility, kind, seed):
    """World B of ``kind`` for ``visibility``, or None when that kind has nothing to vary."""
    rng = random.Random(f"{seed}:{kind}")
    records = []
    absent = set()
    any_change = False
    last_of = {}
    for index, record in enumerate(plan.records):
        last_of[record.dataset] = index
    for index, record in enumerate(plan.records):
        spec = catalogue.get(record.dataset)
        copy = RecordPlan(record.dataset, [dict(v) for v in record.versions])
        if kind == "existence":
            if not visibility.holds_any(record.dataset) and last_of[record.dataset] == index:
                absent.add(index)
                any_change = True
        else:
            for version in copy.versions:
                for field, value in list(version.items()):
                    if field not in spec.by_field or field in (spec.natural_key, spec.partition_field):
                        continue
                    if field in NEVER_VARIED:
                        continue
                    seen = visibility.kind(record.dataset, field)
                    pool_values = [r[field] for r in pools[record.dataset] if field in r]
                    rng.shuffle(pool_values)
                    if kind == "ungranted" and seen == "hidden":
                        other = _pool_value(pools[record.dataset], field, value, rng)
                    elif kind == "masked" and seen == "masked":
                        other = _masked_twin(spec.by_field[field].masking, value, pool_values, rng)
                    else:
                        continue
                    if other is _NOTHING:
                        continue
                    version[field] = other
                    copy.varied.add(field)
                    any_change = True
        if kind == "ungranted":
            # When an item the caller cannot see changed is hidden too (provenance, history, as_of).
            delays = []
            for change in copy.versions[1:]:
                hidden = all(visibility.kind(record.dataset, f) == "hidden" for f in change)
                delays.append(2 if hidden else 0)
            if any(delays):
                copy.delays = tuple(delays)
                any_change = True
        records.append(copy)
    if not any_change:
        return None
    return WorldPlan(f"B-{kind}", records, absent)


# -- building ------------------------------------------------------------------


def sequences():
    """``[(sequence, last_value, is_called)]`` of every sequence, to restore before each world."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return cursor.fetchall()


def restore_sequences(saved):
    with connection.cursor() as cursor:
        for name, last_value in saved:
            if last_value is None:
                cursor.execute("SELECT setval(%s, 1, false)", [name])
            else:
                cursor.execute("SELECT setval(%s, %s, true)", [name, last_value])


def _write(spec, values, instance=None):
    """Create (or change) one record, each item group under its own source department."""
    model = spec.model
    if spec.partition_field:
        partition = values.get(spec.partition_field) or getattr(instance, spec.partition_field + "_id", None)
        if partition is None and instance is not None:
            partition = instance.partition_value()
        department = spec.source_of(None, str(partition))
        groups = {department: values}
    else:
        groups = defaultdict(dict)
        for name, value in values.items():
            groups[spec.source_of(name) or spec.key_item.source][name] = value
    if instance is None:
        first = spec.key_item.source if not spec.partition_field else next(iter(groups))
        ordered = [first] + [d for d in groups if d != first]
    else:
        ordered = list(groups)
    for department in ordered:
        group = groups[department]
        with context.writing(department, reason="noninterference twin"):
            if instance is None:
                instance = model(**{_attname(model, k): v for k, v in group.items()})
            else:
                for name, value in group.items():
                    setattr(instance, _attname(model, name), value)
            instance.save()
    return instance


def _attname(model, name):
    field = model._meta.get_field(name)
    return field.attname


def _creation_order(plan):
    """Records in creation order: the last record of each dataset after all others.

    An existence twin leaves exactly those out, so every record it keeps gets
    the same internal id (and event, history and audit ids) as in world A.
    """
    last = {}
    for index, record in enumerate(plan.records):
        last[record.dataset] = index
    lasts = set(last.values())
    return [
        plan.records[i]
        for i in sorted(range(len(plan.records)), key=lambda i: (i in lasts, i))
        if i not in plan.absent
    ]


class TwinInvalid(Exception):
    """Records of a twin that are not valid data (a varied value broke a rule).

    ``records`` maps ``(dataset, key)`` to the item fields named by the error
    (empty when the error names none of them, e.g. a unique constraint).
    """

    def __init__(self, records):
        super().__init__(f"invalid twin records: {sorted(records)}")
        self.records = records


def _checked_write(record, values, instance, invalid):
    """Write, or note in ``invalid`` why not (the write is undone by its own savepoint)."""
    try:
        with transaction.atomic():
            return _write(catalogue.get(record.dataset), values, instance)
    except ValidationError as exc:
        fields = set(getattr(exc, "message_dict", {}) or {})
        invalid.setdefault((record.dataset, record.key()), set()).update(fields)
    except IntegrityError:  # a varied value collides with another record's (a unique rule)
        invalid.setdefault((record.dataset, record.key()), set())
    return instance


def build(plan, time_travel):
    """Write a world: every record at T0, then every change at T1.

    Returns ``{(dataset, key): {field: rendered value}}`` as stored (derived items included).
    """
    built = {}
    invalid = {}
    order = _creation_order(plan)
    with time_travel(T0):
        for record in order:
            instance = _checked_write(record, record.versions[0], None, invalid)
            if instance is not None:
                built[(record.dataset, record.key())] = instance
    for record in order:
        instance = built.get((record.dataset, record.key()))
        for n, change in enumerate(record.versions[1:]):
            delay = record.delays[n] if n < len(record.delays) else 0
            if instance is not None:
                with time_travel(T1 + datetime.timedelta(days=delay)):
                    instance = _checked_write(record, change, instance, invalid)
    if invalid:
        # Every invalid record at once: the world is rebuilt without their variation.
        raise TwinInvalid(invalid)
    snapshot = {}
    for (code, key), instance in built.items():
        spec = catalogue.get(code)
        instance.refresh_from_db()
        values = {item.field: rendered(spec, instance, item.field) for item in spec.items}
        for item in spec.items:
            if item.masking != Masking.NONE:
                values["masked:" + item.field] = masked_rendering(spec, instance, item)
        snapshot[(code, key)] = values
    return snapshot


_serializers = {}


def _viewsets(base=GovernedViewSet):
    """Every governed viewset class (the dataset's own serializer is the one its viewset uses)."""
    for sub in base.__subclasses__():
        if getattr(sub, "queryset", None) is not None:
            yield sub
        yield from _viewsets(sub)


def masked_rendering(spec, instance, item):
    """The item as the dataset's own serializer shows it under a masked grant."""
    if spec.code not in _serializers:
        view = next((v for v in _viewsets() if v.queryset.model is spec.model), None)
        _serializers[spec.code] = view().get_serializer_class() if view is not None else None
    serializer = _serializers[spec.code]
    if serializer is None:
        return mask(item.masking, rendered(spec, instance, item.field))
    context = {"request": None, "fields": [item.field], "masks": {item.field: item.masking}}
    return serializer(instance, context=context).data.get(item.field)


def rendered(spec, instance, field):
    value = getattr(instance, _attname(spec.model, field))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def couplings(snapshot_a, snapshot_b, visibility):
    """``[(dataset, key, field)]`` where B shows the caller something A does not (a derived item)."""
    wrong = []
    for (code, key), b in snapshot_b.items():
        a = snapshot_a.get((code, key))
        if a is None:
            continue
        spec = catalogue.get(code)
        for item in spec.items:
            seen = visibility.kind(code, item.field)
            if seen == "hidden":
                continue
            if seen == "masked" and item.masking != Masking.NONE:
                va, vb = a["masked:" + item.field], b["masked:" + item.field]
            else:
                va, vb = a[item.field], b[item.field]
            if va != vb:
                wrong.append((code, key, item.field))
    return wrong


def revert(plan, original, dataset, key, fields=None):
    """``plan`` with record (dataset, key) as in ``original``, for ``fields`` (or all) only."""
    records = []
    for mine, theirs in zip(plan.records, original.records, strict=True):
        if (mine.dataset, mine.key()) == (dataset, key):
            varied = mine.varied & fields if fields else mine.varied
            if fields and varied:
                versions = []
                for v_mine, v_theirs in zip(mine.versions, theirs.versions, strict=True):
                    versions.append({k: (v_theirs[k] if k in varied else v) for k, v in v_mine.items()})
                mine = RecordPlan(mine.dataset, versions, mine.varied - varied, mine.delays)
            else:
                mine = theirs
        records.append(mine)
    return WorldPlan(plan.name, records, plan.absent)


def values_of(plans, dataset, field):
    """Every value ``field`` takes in any of ``plans`` (A and its twins), in a stable order."""
    seen = []
    for plan in plans:
        for record in plan.records:
            if record.dataset != dataset:
                continue
            for version in record.versions:
                if field in version and version[field] not in seen:
                    seen.append(version[field])
    return seen
