"""Records of the natural resources and spatial geography libraries."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.records.codes import ascii_upper
from hub.records.models import BaseRecord

from . import geometry as geo
from .choices import (
    LAND_USE_FIRST_CHOICES,
    OWNERSHIP_LETTERS,
    PARENT_LEVEL,
    DivisionLevel,
    Ownership,
    PlaceCategory,
    ResourceType,
    RightType,
    level_word,
    ownership_word,
)
from .validators import validate_division_code_format, validate_land_use, validate_unit_number

BBOX_FIELDS = ("min_lon", "min_lat", "max_lon", "max_lat")
DERIVED_FIELDS = (*BBOX_FIELDS, "centroid_lon", "centroid_lat")


def validate_division_reference(value):
    """A division code another record points to: it must be a division in force."""
    from .divisions import check_division

    check_division(value)


class SpatialRecord(BaseRecord):
    """A base record with a polygon: GeoJSON plus the indexed box and centroid it implies.

    The box and centroid are recomputed whenever the geometry is written (by
    ``save()`` and by :meth:`prepare_row`, which every write path calls), so they are items
    of the same source as the geometry and never drift from it.
    """

    # Name of the declared-area field checked against the geometry, if any.
    area_field = ""
    # Widest box (degrees) a record may have. Enforced on write, it lets a box query bound
    # min_lon/min_lat from below too, so each index scans a narrow stripe (see geodata.spatial).
    max_span = None

    geometry = models.JSONField(
        _("geometry (GeoJSON, CGCS2000)"), null=True, blank=True, validators=[geo.validate_polygonal]
    )
    min_lon = models.FloatField(_("bounding box west"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(_("bounding box south"), null=True, blank=True, editable=False)
    max_lon = models.FloatField(_("bounding box east"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(_("bounding box north"), null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def derived_fields(cls, columns):
        """The box and centroid, whenever a write carries the geometry."""
        return DERIVED_FIELDS if "geometry" in columns else ()

    @classmethod
    def prepare_row(cls, row):
        """A write row with the derived columns filled in when it carries a geometry."""
        if "geometry" in row:
            row = {**row, **geo.derived(row["geometry"])}
            problem = cls.span_problem(row)
            if problem:
                raise ValidationError({"geometry": [problem]})
        return row

    @classmethod
    def span_problem(cls, box):
        if cls.max_span is None or box.get("min_lon") is None:
            return None
        span = max(box["max_lon"] - box["min_lon"], box["max_lat"] - box["min_lat"])
        if span > cls.max_span:
            return _("Geometry spans %(span).3f degrees; a %(kind)s may span at most %(max)s.") % {
                "span": span,
                "kind": cls._meta.verbose_name,
                "max": cls.max_span,
            }
        return None

    @classmethod
    def cross_field_errors(cls, values):
        errors = super().cross_field_errors(values)
        shape = values.get("geometry")
        if shape:
            try:
                problem = cls.span_problem(geo.derived(shape))
            except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                problem = None  # malformed: the field validator names the problem
            if problem:
                errors.setdefault("geometry", []).append(problem)
        if cls.area_field and shape and values.get(cls.area_field) is not None:
            try:
                parsed = geo.parse(shape)
            except ValidationError:
                return errors  # the field validator names the geometry's own problems
            problem = geo.check_area(parsed, values[cls.area_field])
            if problem:
                errors.setdefault(cls.area_field, []).append(problem)
        return errors

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_values", None)
        if self._state.adding or loaded is None or loaded.get("geometry") != self.geometry:
            for name, value in geo.derived(self.geometry).items():
                setattr(self, name, value)
        super().save(*args, **kwargs)


def bbox_indexes(prefix):
    return [
        models.Index(fields=["min_lon", "max_lon"], name=f"{prefix}_bbox_lon"),
        models.Index(fields=["min_lat", "max_lat"], name=f"{prefix}_bbox_lat"),
    ]


class Division(SpatialRecord):
    """An administrative division (GB/T 2260), with its lineage and boundary.

    Codes, names, levels, parents and validity come from civil affairs; the
    boundary (and the box and centroid it implies) from natural resources.
    Retired codes stay, with ``valid_until`` and the codes that replaced them.
    """

    dataset_code = "geodata.division"

    code = models.CharField(
        _("division code"), max_length=12, unique=True, validators=[validate_division_code_format]
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent_code = models.CharField(
        _("parent division code"),
        max_length=12,
        blank=True,
        db_index=True,
        validators=[validate_division_code_format],
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    successor_codes = models.JSONField(_("replaced by"), default=list, blank=True)
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        indexes = bbox_indexes("geodiv")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def current(self):
        return self.valid_until is None

    @classmethod
    def cross_field_errors(cls, values):
        """Level agrees with the code's shape; the parent exists, is one level up and prefixes the code."""
        errors = super().cross_field_errors(values)
        code = str(values.get("code") or "")
        level = values.get("level")
        parent = values.get("parent_code") or ""
        if level and code:
            implied = implied_level(code)
            if implied and implied != level:
                errors.setdefault("level", []).append(
                    _("Code %(code)s is a %(implied)s-level code, not %(level)s.")
                    % {"code": code, "implied": level_word(implied), "level": level_word(level)}
                )
        if level == DivisionLevel.PROVINCE:
            if parent:
                errors.setdefault("parent_code", []).append(_("A province has no parent division."))
        elif level in PARENT_LEVEL:
            expected = PARENT_LEVEL[level]
            if not parent:
                errors.setdefault("parent_code", []).append(
                    _("A %(level)s needs a %(expected)s as parent.")
                    % {"level": level_word(level), "expected": level_word(expected)}
                )
            else:
                found = cls.objects.filter(code=parent).values_list("level", flat=True).first()
                if found is None:
                    errors.setdefault("parent_code", []).append(
                        _("Parent division %(parent)s is not loaded.") % {"parent": parent}
                    )
                elif found != expected:
                    errors.setdefault("parent_code", []).append(
                        _("Parent %(parent)s is a %(found)s; a %(level)s's parent must be a %(expected)s.")
                        % {
                            "parent": parent,
                            "found": level_word(found),
                            "level": level_word(level),
                            "expected": level_word(expected),
                        }
                    )
                elif not code.startswith(significant_prefix(parent)):
                    errors.setdefault("parent_code", []).append(
                        _("Code %(code)s does not lie under parent %(parent)s.")
                        % {"code": code, "parent": parent}
                    )
        start, end = values.get("valid_from"), values.get("valid_until")
        if start and end and end < start:
            errors.setdefault("valid_until", []).append(_("A division cannot end before it starts."))
        return errors


def implied_level(code):
    """The level a division code's shape implies (None for shapes that say nothing)."""
    if len(code) in (9, 12):
        return DivisionLevel.TOWNSHIP
    if len(code) != 6:
        return None
    if code.endswith("0000"):
        return DivisionLevel.PROVINCE
    if code.endswith("00"):
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


def significant_prefix(code):
    """The digits that every code under ``code`` starts with (3201 for 320100)."""
    level = implied_level(code)
    return {DivisionLevel.PROVINCE: code[:2], DivisionLevel.CITY: code[:4]}.get(level, code)


class Address(BaseRecord):
    """A standard address (标准地址) with its division and coordinates, kept by public security."""

    dataset_code = "geodata.address"

    address_code = models.CharField(_("address code"), max_length=32, unique=True)
    full_address = models.CharField(_("full address"), max_length=200)
    division_code = models.CharField(
        _("division code"), max_length=12, db_index=True, validators=[validate_division_reference]
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        ordering = ["address_code"]
        indexes = [models.Index(fields=["lon", "lat"], name="geoaddr_point")]

    def __str__(self):
        return self.full_address

    @classmethod
    def cross_field_errors(cls, values):
        return _point_errors(values, "lon", "lat")


class PlaceName(BaseRecord):
    """A standard place name (标准地名) with category, division and coordinates, kept by civil affairs."""

    dataset_code = "geodata.place_name"

    place_code = models.CharField(_("place name code"), max_length=32, unique=True)
    name = models.CharField(_("standard name"), max_length=100, db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=PlaceCategory.choices)
    division_code = models.CharField(
        _("division code"), max_length=12, db_index=True, validators=[validate_division_reference]
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("place name")
        verbose_name_plural = _("place names")
        ordering = ["place_code"]
        indexes = [models.Index(fields=["lon", "lat"], name="geoplace_point")]

    def __str__(self):
        return self.name

    @classmethod
    def cross_field_errors(cls, values):
        return _point_errors(values, "lon", "lat")


def _point_errors(values, lon_field, lat_field):
    lon, lat = values.get(lon_field), values.get(lat_field)
    if lon is None or lat is None:
        return {}
    try:
        geo.validate_lon_lat(lon, lat)
    except ValidationError as exc:
        return {lon_field: exc.messages}
    return {}


class Parcel(SpatialRecord):
    """A parcel (宗地 / 不动产单元) by its 28-character real-estate unit number, kept by natural resources."""

    dataset_code = "geodata.parcel"
    area_field = "area"
    max_span = 0.1  # ~10 km: larger than any land parcel

    unit_number = models.CharField(
        _("real-estate unit number"), max_length=28, unique=True, validators=[validate_unit_number]
    )
    land_use_class = models.CharField(
        _("land use (first level)"), max_length=2, choices=LAND_USE_FIRST_CHOICES
    )
    land_use = models.CharField(_("land use (second level)"), max_length=4, validators=[validate_land_use])
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    right_type = models.CharField(_("right type"), max_length=32, choices=RightType.choices)
    area = models.FloatField(_("area (m²)"))

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["unit_number"]
        indexes = [*bbox_indexes("geoparcel"), models.Index(fields=["land_use"], name="geoparcel_land_use")]

    def __str__(self):
        return self.unit_number

    @classmethod
    def normalize_key(cls, value):
        return ascii_upper(value)

    @classmethod
    def cross_field_errors(cls, values):
        """First-level class matches the second-level code; ownership matches the unit number."""
        errors = super().cross_field_errors(values)
        land_use, first = str(values.get("land_use") or ""), values.get("land_use_class")
        if land_use and first and land_use[:2] != first:
            errors.setdefault("land_use_class", []).append(
                _("Land use %(code)s belongs to class %(expected)s, not %(first)s.")
                % {"code": land_use, "expected": land_use[:2], "first": first}
            )
        number = str(values.get("unit_number") or "")
        ownership = values.get("ownership")
        if len(number) == 28 and ownership:
            implied = OWNERSHIP_LETTERS.get(number[12])
            if implied and implied != ownership:
                errors.setdefault("ownership", []).append(
                    _("Unit number letter %(letter)s means %(implied)s ownership, not %(ownership)s.")
                    % {
                        "letter": number[12],
                        "implied": ownership_word(implied),
                        "ownership": ownership_word(ownership),
                    }
                )
        return errors


class ResourceUnit(SpatialRecord):
    """A natural resource unit (自然资源登记单元): water, forest, grassland, wetland or red-line zone."""

    dataset_code = "geodata.resource_unit"
    area_field = "area"
    max_span = 1.5  # Taihu, the largest unit in the province, spans ~0.7°

    unit_code = models.CharField(_("resource unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    resource_type = models.CharField(_("resource type"), max_length=16, choices=ResourceType.choices)
    division_code = models.CharField(
        _("division code"), max_length=12, db_index=True, validators=[validate_division_reference]
    )
    area = models.FloatField(_("area (m²)"))

    class Meta:
        verbose_name = _("natural resource unit")
        verbose_name_plural = _("natural resource units")
        ordering = ["unit_code"]
        indexes = bbox_indexes("georesource")

    def __str__(self):
        return f"{self.name} ({self.unit_code})"
