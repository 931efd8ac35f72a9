"""GeoJSON geometry (RFC 7946, CGCS2000 lon/lat): validation, derived columns, areas.

Geometry is stored as a GeoJSON object in a JSON column, next to four indexed
bounding-box columns. Queries let the database prefilter on the boxes and
shapely decide exactly; nothing here needs GEOS system libraries beyond the
wheel shapely ships, so SQLite and PostgreSQL behave the same.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import box, mapping, shape
from shapely.validation import explain_validity

from .choices import AREA_TOLERANCE, PROVINCE_EXTENT

POLYGONAL = ("Polygon", "MultiPolygon")
# Authalic radius of the CGCS2000 ellipsoid (m): the sphere with the same surface area.
AUTHALIC_RADIUS = 6371007.2
CENTRAL_MERIDIAN = 119.0
COORDINATE_DIGITS = 7  # ~1 cm; more is noise


def _is_number(value):
    """A finite JSON number (not a bool, not an integer too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _ring_problems(ring, where):
    """Closure, size and coordinate checks of one linear ring; a list of messages."""
    problems = []
    if not isinstance(ring, list) or len(ring) < 4:
        return [_("%(where)s: a linear ring needs at least 4 positions.") % {"where": where}]
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(_is_number(v) for v in position[:2])
        ):
            return [_("%(where)s: every position must be [longitude, latitude] numbers.") % {"where": where}]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        problems.append(
            _("%(where)s: the ring is open (first and last positions differ); close it.") % {"where": where}
        )
    return problems


def planar(geojson):
    """The same geometry with every position cut to [longitude, latitude].

    RFC 7946 lets a position carry an altitude (and more); shapely refuses a
    ring whose positions differ in length (``[[lon, lat], [lon, lat, alt], …]``),
    and nothing here uses altitude. Call only on a geometry :func:`parse` accepts.
    """

    def cut(value, depth):
        if depth == 0:
            return [value[0], value[1]]
        return [cut(v, depth - 1) for v in value]

    depth = {"Point": 0, "Polygon": 2, "MultiPolygon": 3}[geojson["type"]]
    return {"type": geojson["type"], "coordinates": cut(geojson["coordinates"], depth)}


def shape_of(geojson):
    """A shapely geometry of a (validated or stored) GeoJSON geometry, in two dimensions."""
    return shape(planar(geojson)) if geojson.get("type") in ("Point", *POLYGONAL) else shape(geojson)


def _positions(geojson):
    kind = geojson["type"]
    polygons = [geojson["coordinates"]] if kind == "Polygon" else geojson["coordinates"]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def _extent_problems(geojson):
    """Coordinates outside the province, with a hint when they look like [lat, lon]."""
    min_lon, min_lat, max_lon, max_lat = PROVINCE_EXTENT
    outside = [
        p for p in _positions(geojson) if not (min_lon <= p[0] <= max_lon and min_lat <= p[1] <= max_lat)
    ]
    if not outside:
        return []
    lon, lat = outside[0][0], outside[0][1]
    if min_lat <= lon <= max_lat and min_lon <= lat <= max_lon:
        return [
            _(
                "Position [%(a)s, %(b)s] has latitude and longitude swapped; "
                "RFC 7946 positions are [longitude, latitude]."
            )
            % {"a": lon, "b": lat}
        ]
    return [
        _("Position [%(a)s, %(b)s] lies outside the province's extent %(extent)s.")
        % {"a": lon, "b": lat, "extent": list(PROVINCE_EXTENT)}
    ]


def parse(geojson, *, kinds=POLYGONAL):
    """A shapely geometry from a GeoJSON geometry object, or ValidationError naming each problem.

    Checks: a JSON object of an allowed type, closed rings of at least four
    positions, [lon, lat] order and the province's extent, and OGC validity
    (no self-intersection, holes inside shells, no overlapping parts).
    """
    if not isinstance(geojson, dict) or "type" not in geojson or "coordinates" not in geojson:
        raise ValidationError(
            _("Geometry must be a GeoJSON geometry object with 'type' and 'coordinates'."), code="geojson"
        )
    kind = geojson["type"]
    if kind not in kinds:
        raise ValidationError(
            _("Geometry type %(kind)s is not allowed here; expected one of %(kinds)s.")
            % {"kind": str(kind)[:20], "kinds": ", ".join(kinds)},
            code="geometry_type",
        )
    coordinates = geojson["coordinates"]
    problems = []
    if kind == "Point":
        if not (
            isinstance(coordinates, list)
            and len(coordinates) >= 2
            and all(_is_number(v) for v in coordinates[:2])
        ):
            raise ValidationError(_("A Point needs [longitude, latitude]."), code="geojson")
        problems += _extent_problems({"type": "Polygon", "coordinates": [[coordinates]]})
    else:
        polygons = [coordinates] if kind == "Polygon" else coordinates
        if not isinstance(polygons, list) or not polygons:
            raise ValidationError(_("Geometry has no coordinates."), code="geojson")
        for p, polygon in enumerate(polygons):
            if not isinstance(polygon, list) or not polygon:
                raise ValidationError(_("Polygon %(p)d has no rings.") % {"p": p}, code="geojson")
            for r, ring in enumerate(polygon):
                where = (
                    _("polygon %(p)d ring %(r)d") % {"p": p, "r": r}
                    if kind == "MultiPolygon"
                    else (_("ring %(r)d") % {"r": r})
                )
                problems += _ring_problems(ring, where)
        if problems:
            raise ValidationError(problems, code="ring")
        problems += _extent_problems(geojson)
    if problems:
        raise ValidationError(problems, code="extent")
    geometry = shape_of(geojson)
    if not geometry.is_valid:
        raise ValidationError(
            _("Geometry is not valid: %(reason)s.") % {"reason": explain_validity(geometry)},
            code="invalid_geometry",
        )
    if kind != "Point" and geometry.area == 0:
        raise ValidationError(_("Geometry has no area."), code="empty")
    return geometry


def validate_polygonal(value):
    """Field validator: a valid Polygon or MultiPolygon inside the province."""
    if value in (None, ""):
        return
    parse(value)


def validate_lon_lat(lon, lat):
    """A point inside the province, refusing swapped coordinates; returns (lon, lat) as floats."""
    try:
        if any(isinstance(v, str) and not v.isascii() for v in (lon, lat)):
            raise ValueError("float() reads any script's digits; a coordinate is ASCII")
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(_("lon and lat must be numbers."), code="invalid_point") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError(_("lon and lat must be numbers."), code="invalid_point")
    parse({"type": "Point", "coordinates": [lon, lat]}, kinds=("Point",))
    return lon, lat


def geodesic_area(geometry):
    """Area in square metres, via the sinusoidal projection (equal-area on the authalic sphere)."""

    def project(ring):
        return [
            (
                math.radians(lon - CENTRAL_MERIDIAN) * AUTHALIC_RADIUS * math.cos(math.radians(lat)),
                math.radians(lat) * AUTHALIC_RADIUS,
            )
            for lon, lat, *_rest in ring
        ]

    def ring_area(points):
        return abs(
            sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
            / 2
        )

    polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    total = 0.0
    for polygon in polygons:
        total += ring_area(project(list(polygon.exterior.coords)))
        for interior in polygon.interiors:
            total -= ring_area(project(list(interior.coords)))
    return total


def check_area(geometry, declared, tolerance=AREA_TOLERANCE):
    """None if ``declared`` m² agrees with the geometry's area within ``tolerance``, else a message."""
    if declared is None:
        return None
    computed = geodesic_area(geometry)
    declared = float(declared)
    if computed <= 0 or not math.isfinite(declared) or abs(declared - computed) > tolerance * computed:
        return _(
            "Declared area %(declared)s m² disagrees with the geometry's area %(computed).1f m² "
            "by more than %(pct)s%%."
        ) % {"declared": declared, "computed": computed, "pct": round(tolerance * 100, 2)}
    return None


def derived(geojson):
    """The indexed columns a geometry implies: bounding box and a representative centroid."""
    if not geojson:
        return {
            "min_lon": None,
            "min_lat": None,
            "max_lon": None,
            "max_lat": None,
            "centroid_lon": None,
            "centroid_lat": None,
        }
    geometry = shape_of(geojson)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    centroid = geometry.centroid
    if not geometry.covers(centroid):  # a C-shaped parcel: use a point surely inside
        centroid = geometry.representative_point()
    return {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "centroid_lon": round(centroid.x, COORDINATE_DIGITS),
        "centroid_lat": round(centroid.y, COORDINATE_DIGITS),
    }


def to_geojson(geometry):
    """A shapely geometry as a plain GeoJSON dict with lists (JSON-column friendly)."""

    def lists(value):
        if isinstance(value, tuple | list):
            return [lists(v) for v in value]
        return round(value, COORDINATE_DIGITS) if isinstance(value, float) else value

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": lists(data["coordinates"])}


def parse_bbox(raw):
    """``min_lon,min_lat,max_lon,max_lat`` as a tuple and a shapely box, or ValidationError."""
    parts = str(raw).split(",")
    try:
        values = tuple(float(p) for p in parts) if str(raw).isascii() else ()  # float() reads '１１８'
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError(_("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat."), code="bbox")
    min_lon, min_lat, max_lon, max_lat = values
    if min_lon >= max_lon or min_lat >= max_lat:
        raise ValidationError(_("bbox minimums must be below its maximums."), code="bbox")
    lo_lon, lo_lat, hi_lon, hi_lat = PROVINCE_EXTENT
    if lo_lat - 1 <= min_lon <= hi_lat + 1 and lo_lon - 1 <= min_lat <= hi_lon + 1:
        raise ValidationError(
            _("bbox looks like latitude,longitude; send min_lon,min_lat,max_lon,max_lat."), code="bbox"
        )
    return values, box(*values)
