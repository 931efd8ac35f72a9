"""Spatial queries: the database prefilters on bounding boxes, shapely decides exactly.

Each query returns the matching records and a :class:`Stats` with how many
candidates the box prefilter passed to the exact test, so the prefilter's
precision can be measured (``bench/geo.py``). At national scale PostGIS
replaces the box columns with a GiST index on a geometry column (see
docs/geodata.md); the functions' contracts stay the same.
"""

import threading
from dataclasses import dataclass

from django.db.models import Q
from shapely import prepared
from shapely.geometry import Point

from .choices import DivisionLevel
from .geometry import shape_of


@dataclass
class Stats:
    candidates: int = 0  # rows the bounding-box prefilter returned
    exact_tested: int = 0  # candidates shapely had to test (the rest were decided by their box)
    returned: int = 0  # rows the exact test kept


def box_overlaps(min_lon, min_lat, max_lon, max_lat):
    """Rows whose box overlaps the given box (touching counts): the database prefilter."""
    return Q(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)


def box_contains_point(lon, lat):
    return Q(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)


class _PreparedCache:
    """Prepared shapely geometries of divisions, keyed by code and invalidated by ``updated_at``.

    Division boundaries change yearly and are read on every locate call, so
    parsing them once per process is the difference between ~100 and
    thousands of requests per second.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def get(self, model, rows):
        """``{code: prepared geometry}`` for ``rows`` of (code, updated_at)."""
        missing = [code for code, stamp in rows if self._entries.get(code, (None,))[0] != stamp]
        if missing:
            fetched = model.objects.filter(code__in=missing).values_list("code", "updated_at", "geometry")
            with self._lock:
                for code, stamp, geojson in fetched:
                    geometry = shape_of(geojson)
                    self._entries[code] = (stamp, geometry, prepared.prep(geometry))
        return {code: self._entries[code] for code, _stamp in rows if code in self._entries}

    def clear(self):
        with self._lock:
            self._entries.clear()


division_geometries = _PreparedCache()


def locate_divisions(lon, lat, *, stats=None):
    """Codes of the current finest-level divisions whose boundary covers the point, lowest first.

    A point on a shared border is covered by both neighbours; callers take
    the first (lowest code) as the answer and may report the others.
    """
    from .models import Division

    stats = stats if stats is not None else Stats()
    rows = list(
        Division.objects.filter(
            box_contains_point(lon, lat), valid_until__isnull=True, geometry__isnull=False
        )
        .exclude(level__in=[DivisionLevel.PROVINCE, DivisionLevel.CITY])
        .values_list("code", "updated_at")
    )
    stats.candidates += len(rows)
    stats.exact_tested += len(rows)
    point = Point(lon, lat)
    hits = sorted(
        code
        for code, (_stamp, _geometry, prepared_geometry) in division_geometries.get(Division, rows).items()
        if prepared_geometry.covers(point)
    )
    # Townships are finer than counties: keep the finest level found.
    townships = [code for code in hits if len(code) > 6]
    hits = townships or hits
    stats.returned += len(hits)
    return hits


def intersecting(queryset, geometry, *, stats=None, limit=None, after=None, chunk=500):
    """Records of ``queryset`` whose geometry intersects ``geometry`` (shapely), in primary-key order.

    ``after`` continues a previous page (keyset on the primary key); ``limit``
    stops after that many matches. Returns ``(records, more)``.

    The prefilter reads only keys and boxes, unordered, so the database plans
    it on the box indexes (an ``ORDER BY id`` makes PostgreSQL walk the
    primary key instead); the records, geometry included, are then fetched a
    chunk of candidates at a time.
    """
    stats = stats if stats is not None else Stats()
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    prefilter = box_overlaps(min_lon, min_lat, max_lon, max_lat)
    span = queryset.model.max_span
    if span is not None:
        # No record is wider than ``span``, so its west/south edge is at most that far out:
        # both ends of the min_lon and min_lat ranges are bounded and the indexes scan stripes.
        prefilter &= Q(min_lon__gte=min_lon - span, min_lat__gte=min_lat - span)
    candidates = queryset.filter(prefilter).order_by()
    if after is not None:
        candidates = candidates.filter(pk__gt=after)
    boxes = sorted(candidates.values_list("pk", "min_lon", "min_lat", "max_lon", "max_lat"))
    target = prepared.prep(geometry)
    rectangle = geometry.equals(geometry.envelope)
    found, more = [], False
    for start in range(0, len(boxes), chunk):
        part = boxes[start : start + chunk]
        records = queryset.model.objects.in_bulk([pk for pk, *_box in part])
        for pk, west, south, east, north in part:
            stats.candidates += 1
            inside = (
                rectangle and min_lon <= west and east <= max_lon and min_lat <= south and north <= max_lat
            )
            if not inside:  # a box wholly inside a rectangular query needs no exact test
                stats.exact_tested += 1
                if not target.intersects(shape_of(records[pk].geometry)):
                    continue
            if limit is not None and len(found) >= limit:
                more = True
                break
            found.append(records[pk])
        if more:
            break
    stats.returned += len(found)
    return found, more
