"""The request list, derived from the hub's own OpenAPI schema and the worlds' values.

Every operation of ``/api/v1/schema/`` is driven. Its parameters are the ones
the schema declares, plus some it does not: the filters of the view's
filterset, the catalogue's items of its dataset (bare and with the usual
range/prefix suffixes), ``q``, ``ordering`` and an unknown name. Values come
from *both* worlds (A and every twin): exact values, ranges bracketing them,
prefixes, ``q`` fragments made of the characters the twins differ in,
``ordering`` by each item both ways with ``page_size=1`` (the driver then
follows every ``next``/``previous`` link), batched verify with candidates
from both worlds, ``as_of`` times and history.

The list is sampled (deterministically, by seed) to keep the run short.
"""

import dataclasses
import datetime
import json
import random
import re
from decimal import Decimal
from functools import cache

from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from hub.catalogue import spec as catalogue
from hub.records.views import GovernedViewSet

from .worlds import T0, T1, values_of

RANGE_SUFFIXES = ("_after", "_before", "_min", "_max", "_from", "_to")
TEXT_SUFFIXES = ("_prefix", "_contains")
UNDECLARED = "no_such_parameter"


@dataclasses.dataclass(frozen=True)
class Call:
    operation: str  # operationId
    method: str
    path: str
    query: tuple = ()  # ((name, value), ...)
    body: object = None
    parameter: str = ""  # what the case exercises, for counting and diffs
    follow: bool = False  # follow next/previous links to the end

    def url(self):
        from urllib.parse import urlencode

        return self.path + ("?" + urlencode(self.query) if self.query else "")

    def describe(self):
        text = f"{self.method} {self.url()}"
        if self.body is not None:
            text += " " + json.dumps(self.body, ensure_ascii=False, default=str)[:300]
        return text


@dataclasses.dataclass(frozen=True)
class Operation:
    id: str
    method: str
    template: str
    parameters: tuple  # ({"name", "in", "required", "schema"}, ...)
    view: type | None
    action: str | None

    @property
    def dataset(self):
        view = self.view
        if (
            view is not None
            and issubclass(view, GovernedViewSet)
            and getattr(view, "queryset", None) is not None
        ):
            try:
                return catalogue.for_model(view.queryset.model)
            except catalogue.UnknownDataset:
                return None
        return None


@cache
def schema():
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:200]
    return json.loads(response.content)


def operations():
    """Every operation the schema lists, with the view class it resolves to."""
    found = []
    for template, methods in sorted(schema()["paths"].items()):
        for method, op in sorted(methods.items()):
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            sample = re.sub(r"\{[^}]+\}", "x1", template)
            try:
                match = resolve(sample)
            except Resolver404:
                match = None
            view = getattr(match.func, "cls", None) if match else None
            actions = getattr(match.func, "actions", None) or {} if match else {}
            found.append(
                Operation(
                    op.get("operationId", f"{method} {template}"),
                    method.upper(),
                    template,
                    tuple(op.get("parameters", ())),
                    view,
                    actions.get(method),
                )
            )
    return found


# -- values --------------------------------------------------------------------------


def _text(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _bracket(value):
    """Values just below and just above ``value`` (for ``*_after``/``*_min`` and friends)."""
    if isinstance(value, datetime.date):
        return [
            (value - datetime.timedelta(days=1)).isoformat(),
            value.isoformat(),
            (value + datetime.timedelta(days=1)).isoformat(),
            f"{value.year}-07-01",
        ]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return [str(value - 1), str(value), str(value + 1)]
    return [_text(value)]


def _prefixes(value):
    text = _text(value)
    return sorted({text[:n] for n in (1, 2, 4, 6, len(text) - 1) if 0 < n < len(text)})


def _differing_fragments(values):
    """Substrings where twin values differ (the hidden characters), and the values themselves."""
    texts = [_text(v) for v in values if isinstance(v, str) and v]
    fragments = set(texts)
    for a in texts:
        for b in texts:
            if a == b or len(a) != len(b):
                continue
            diff = "".join(x for x, y in zip(a, b, strict=True) if x != y)
            if diff:
                fragments.add(diff)
                fragments.add(diff[:1])
            head = next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), None)
            if head is not None:
                fragments.add(a[head : head + 2])
    return sorted(fragments)


class Values:
    """Values of every dataset's items across world A and its twins, plus well-formed absent keys."""

    def __init__(self, plans):
        self.plans = plans

    def of(self, dataset, field):
        return values_of(self.plans, dataset, field)

    def keys(self, dataset):
        return [_text(v) for v in self.of(dataset, catalogue.get(dataset).natural_key)]

    def subjects(self):
        """Standard keys of persons and entities, from every place they appear."""
        out = []
        for dataset, field in (
            ("population.person", "id_number"),
            ("credit.legal_entity", "uscc"),
            ("licences.licence", "holder_key"),
            ("credit.record", "subject_key"),
            ("credit.legal_entity", "legal_representative_id_number"),
        ):
            for value in self.of(dataset, field):
                if _text(value) not in out:
                    out.append(_text(value))
        return out

    def geometries(self):
        shapes = []
        for dataset in ("geodata.parcel", "geodata.resource_unit"):
            shapes += [g for g in self.of(dataset, "geometry") if isinstance(g, dict)]
        return shapes

    def points(self):
        pts = []
        for dataset in ("geodata.address", "geodata.place_name"):
            lons, lats = self.of(dataset, "lon"), self.of(dataset, "lat")
            pts += list(zip(lons, lats, strict=False))
        return pts


def _bbox(geometry, pad=0.0005):
    coords = []

    def walk(node):
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            coords.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    walk(geometry.get("coordinates", []))
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def _polygon(box):
    a, b, c, d = box
    return {"type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]}


# -- parameters of an operation ---------------------------------------------------


def _filter_field(view, name, dataset):
    """The item a query parameter reads, by the filterset's declaration or by its name."""
    filterset = getattr(view, "filterset_class", None)
    if filterset is not None and name in filterset.base_filters:
        field = filterset.base_filters[name].field_name.split("__")[0]
        if dataset and field in dataset.by_field:
            return field
    if dataset is None:
        return None
    if name in dataset.by_field:
        return name
    for suffix in RANGE_SUFFIXES + TEXT_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in dataset.by_field:
            return name[: -len(suffix)]
    # established_after -> established_date, decided_after -> decision_date, valid_on -> valid_*
    stem = name.rsplit("_", 1)[0][:5]
    matches = [f for f in dataset.by_field if f.startswith(stem)]
    return matches[0] if matches else None


def query_parameters(op, rng=None):
    """``{name: origin}``: declared in the schema, the view's filters, catalogue-derived, unknown.

    Catalogue-derived names (each item bare, ``_after``, ``_min``, ``_prefix``) are all
    tried when the schema declares no filter, else a seeded few of them.
    """
    names = {}
    for p in op.parameters:
        if p.get("in") == "query":
            names[p["name"]] = "declared"
    dataset = op.dataset
    if op.action == "list":
        filterset = getattr(op.view, "filterset_class", None)
        for name in filterset.base_filters if filterset is not None else ():
            names.setdefault(name, "filterset")
        if dataset is not None:
            guesses = [
                item.field + suffix for item in dataset.items for suffix in ("", "_after", "_min", "_prefix")
            ]
            guesses = [g for g in guesses if g not in names]
            declared = sum(1 for origin in names.values() if origin == "declared")
            if declared > 2 and rng is not None:
                guesses = rng.sample(guesses, min(4, len(guesses)))
            for name in guesses:
                names.setdefault(name, "catalogue")
        for name in ("q", "ordering", "page_size", "cursor"):
            names.setdefault(name, "undeclared")
    names.setdefault(UNDECLARED, "undeclared")
    return names


def _times():
    return [
        (T0 - datetime.timedelta(days=30)).isoformat(),
        (T0 + datetime.timedelta(days=1)).isoformat(),
        (T1 + datetime.timedelta(days=1)).isoformat(),
        T0.date().isoformat(),
    ]


def _path_values(op, name, values):
    dataset = op.dataset
    if name in ("key", "holder_key", "identifier"):
        keys = values.keys(dataset.code) if dataset is not None and name == "key" else []
        return keys + [k for k in values.subjects() if k not in keys]
    if name in ("code", "dataset"):
        return ["population.person", "licences.licence", "320102"]
    return ["1", "0"]


def _sample(items, rng, limit):
    items = list(items)
    if len(items) <= limit:
        return items
    return rng.sample(items, limit)


def calls_for(op, values, rng, budget):
    """The sampled calls of one operation."""
    templates = []
    path_names = re.findall(r"\{([^}]+)\}", op.template)
    if path_names:
        combos = [{}]
        for name in path_names:
            combos = [dict(c, **{name: v}) for c in combos for v in _path_values(op, name, values)]
        paths = [(op.template.format(**c), ",".join(f"{k}" for k in c)) for c in combos]
    else:
        paths = [(op.template, "")]
    dataset = op.dataset
    if op.method == "GET":
        for path, label in paths:
            templates.append(Call(op.id, "GET", path, (), None, f"path:{label}" if label else "(none)", True))
        for name, origin in query_parameters(op, rng).items():
            for path, _label in _sample(paths, rng, 3):
                for query in _query_values(op, name, values, rng):
                    templates.append(
                        Call(op.id, "GET", path, tuple(query), None, f"{name} [{origin}]", _follows(query))
                    )
        if op.action == "list" and dataset is not None:
            key = dataset.natural_key
            for k in values.keys(dataset.code)[:2]:
                for item in _sample([i.field for i in dataset.items if i.field != key], rng, 4):
                    for v in values.of(dataset.code, item)[:2]:
                        templates.append(
                            Call(
                                op.id,
                                "GET",
                                op.template,
                                ((key, k), (item, _text(v))),
                                None,
                                f"{key}+{item} [catalogue]",
                            )
                        )
    else:
        for path, _label in paths:
            for body, parameter in _bodies(op, values, rng):
                templates.append(Call(op.id, op.method, path, (), body, parameter))
    return _stratified(templates, rng, budget)


def _stratified(templates, rng, budget):
    """One call per parameter first (so every parameter is exercised), then random others."""
    by_parameter = {}
    for call in templates:
        by_parameter.setdefault(call.parameter, []).append(call)
    picked = [rng.randrange(len(calls)) for _name, calls in sorted(by_parameter.items())]
    chosen = [
        by_parameter[name][i] for (name, _calls), i in zip(sorted(by_parameter.items()), picked, strict=True)
    ]
    chosen = _sample(chosen, rng, 2 * budget)
    taken = {id(c) for c in chosen}
    rest = [c for c in templates if id(c) not in taken]
    chosen += _sample(rest, rng, max(0, budget - len(chosen)))
    return chosen


def _follows(query):
    return any(name in ("page_size", "ordering", "bbox") for name, _v in query)


def _query_values(op, name, values, rng):
    dataset = op.dataset
    if name == UNDECLARED:
        return [[(name, "1")]]
    if name == "page_size":
        return [[("page_size", "1")], [("page_size", "5000")]]
    if name == "cursor":
        return [[("cursor", "cD0xMDA="), ("page_size", "1")], [("cursor", "bad")]]
    if name == "as_of":
        return [[("as_of", t)] for t in _times()]
    if name == "provenance":
        return [[("provenance", "true")]]
    if name == "ordering":
        if dataset is None:
            return [[("ordering", "id")]]
        return [
            [("ordering", sign + item.field), ("page_size", "1")]
            for item in dataset.items
            for sign in ("", "-")
        ]
    if name == "q":
        if dataset is None:
            return [[("q", "a")]]
        fragments = set()
        for item in dataset.items:
            fragments.update(_differing_fragments(values.of(dataset.code, item.field)))
        # Short fragments are the hidden characters themselves: those first.
        ranked = sorted(fragments, key=lambda f: (len(f) > 2, f))
        return [[("q", f)] for f in ranked[:12]]
    if name == "bbox":
        return [
            [("bbox", ",".join(f"{c:.6f}" for c in _bbox(g))), ("page_size", "1")]
            for g in values.geometries()
        ]
    if name in ("lon", "lat"):
        return [[("lon", str(lon)), ("lat", str(lat))] for lon, lat in values.points()[:4]]
    if name == "geometry":
        return [[("geometry", "false")]]
    field = _filter_field(op.view, name, dataset)
    if field is None:
        schema_type = next((p.get("schema", {}) for p in op.parameters if p["name"] == name), {})
        if "enum" in schema_type:
            return [[(name, v)] for v in schema_type["enum"][:3]]
        if dataset is not None:  # e.g. a tree's root: the dataset's keys
            return [[(name, k)] for k in values.keys(dataset.code)[:3]] + [[(name, "1")]]
        return [[(name, "population.person")], [(name, "1")]]
    out = []
    for value in values.of(dataset.code, field):
        if name.endswith(RANGE_SUFFIXES) or name.endswith(("_on", "after", "before")):
            out += [[(name, v)] for v in _bracket(value)]
        elif name.endswith(TEXT_SUFFIXES) or name in (
            "within",
            "county",
            "division",
            "registered_division_prefix",
        ):
            out += [[(name, v)] for v in _prefixes(value)]
        else:
            out.append([(name, _text(value))])
    return out or [[(name, "1")]]


def _bodies(op, values, rng):
    dataset = op.dataset
    template = op.template
    if template.endswith("/verify/") and dataset is not None:
        key = dataset.natural_key
        keys = values.keys(dataset.code)
        out = [({key: keys[0]} if keys else {key: "x"}, f"verify:{key}")]
        out.append(([{key: k} for k in keys], f"verify:{key} [batch]"))
        for item in dataset.items:
            if item.field == key:
                continue
            candidates = [_plain(v) for v in values.of(dataset.code, item.field)]
            if not candidates:
                continue
            for k in keys[:2]:
                out.append(({key: k, item.field: candidates[0]}, f"verify:{item.field}"))
                out.append(([{key: k, item.field: c} for c in candidates], f"verify:{item.field} [batch]"))
        return out
    if template.endswith("/intersects/"):
        shapes = values.geometries()
        return [(_polygon(_bbox(g)), "intersects:geometry") for g in shapes] + [
            ({"type": "Point", "coordinates": [0, 0]}, "intersects:geometry")
        ]
    if template.endswith("/feedback/"):
        out = []
        for ds in sorted(catalogue.all_datasets(), key=lambda d: d.code):
            keys = (
                values.keys(ds.code)
                if ds.code in {r.dataset for p in values.plans for r in p.records}
                else []
            )
            items = [i.field for i in ds.items if not i.is_key][:2]
            for k in keys:
                for item in items:
                    out.append(
                        (
                            {"dataset": ds.code, "key": k, "item": item, "message": "doubtful"},
                            f"feedback:{ds.code}",
                        )
                    )
        return out
    return [({}, "body:{}")]


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def weight(op):
    """Share of the budget: searches and verifies read the most items, detail reads fewer,
    endpoints of no dataset (catalogue, access, writes a consumer may not make) a few calls."""
    if op.action == "list" or op.template.endswith(("/verify/", "/intersects/", "/feedback/")):
        return 1.0
    if op.dataset is not None or op.template.startswith("/api/v1/subjects/"):
        return 0.5
    return 0.15


def needed_mode(op):
    """The mode an operation of a dataset needs at least (1 verify, 2 lookup, 3 search)."""
    if op.action == "list" or op.template.endswith("/intersects/") or "/holders/" in op.template:
        return 3
    if op.template.endswith("/verify/"):
        return 1
    return 2


def all_calls(plans, seed, budget_per_operation, visibility=None):
    """The whole request list, identical for world A and its twins.

    An operation of a dataset the caller reaches with no grant of the mode it
    needs is refused whatever the world: it gets two calls, the others their
    weighted share of the budget.
    """
    rng = random.Random(seed)
    values = Values(plans)
    calls = []
    for op in operations():
        budget = max(2, round(budget_per_operation * weight(op)))
        dataset = op.dataset
        if (
            visibility is not None
            and dataset is not None
            and op.template.startswith("/api/v1/subjects/") is False
        ):
            if visibility.modes.get(dataset.code, 0) < needed_mode(op) and dataset.code != "credit.summary":
                budget = 2
        calls += calls_for(op, values, rng, budget)
    return calls
