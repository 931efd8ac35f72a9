"""Governed endpoints of the geodata library, with spatial actions returning GeoJSON.

Spatial actions are search-mode calls on the dataset's ``geometry`` item:
without that grant they are refused, and the features they return carry
only the properties the caller holds in search mode (masked as granted).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from hub.access.choices import Mode
from hub.api.exceptions import BadRequest, NoGrant
from hub.records import cursors
from hub.records.filters import refuse_unusable
from hub.records.views import GovernedViewSet

from .. import geometry as geo
from ..filtersets import (
    AddressFilterSet,
    DivisionFilterSet,
    ParcelFilterSet,
    PlaceNameFilterSet,
    ResourceUnitFilterSet,
)
from ..models import Address, Division, Parcel, PlaceName, ResourceUnit
from ..spatial import Stats, intersecting, locate_divisions

# Items a division's point lookup and its tree read besides what they show.
LOCATE_READS = ("geometry", "code", "level", "parent_code", "valid_until")
TREE_READS = ("code", "parent_code")

DEFAULT_FEATURES = 100
MAX_FEATURES = 1000


def _invalid(field, exc):
    return exceptions.ValidationError({field: exc.messages})


class SpatialMixin:
    """GeoJSON FeatureCollections from spatial queries, under the caller's grants."""

    extra_params = ("bbox", "after", "geometry")

    def require_geometry(self):
        """Search mode, and the geometry item itself in search mode (it is its own grant)."""
        self.require(Mode.SEARCH)
        if self.scope.mode_of("geometry") < Mode.SEARCH:
            item = self.dataset.by_field["geometry"].code
            raise NoGrant(
                self.dataset.code,
                "search",
                _("Spatial queries need item %(item)s granted in search mode.") % {"item": item},
            )

    def want_geometry(self):
        return self.request.query_params.get("geometry", "true").lower() not in ("0", "false", "no")

    def feature_collection(self, records, **members):
        """Features whose properties are the granted items; the key is the id if it is granted."""
        data = self.render(records, Mode.SEARCH, many=True)
        with_geometry = self.want_geometry()
        if not with_geometry:
            geometry_code = self.dataset.by_field["geometry"].code
            self.audit.items = [code for code in self.audit.items if code != geometry_code]
        key = self.dataset.natural_key
        features = []
        for properties in data:
            shape = properties.pop("geometry", None)
            feature = {
                "type": "Feature",
                "geometry": shape if with_geometry else None,
                "properties": properties,
            }
            if key in properties:
                feature["id"] = properties[key]
            features.append(feature)
        self.audit.result_count = len(features)
        if key in self.scope.fields(Mode.SEARCH):
            self.audit.subject_keys = [getattr(r, key) for r in records]
        return {"type": "FeatureCollection", "features": features, **members}

    def page_size(self):
        raw = self.request.query_params.get("page_size", DEFAULT_FEATURES)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise BadRequest(_("page_size must be a whole number."), code="invalid_page_size") from None
        if not 1 <= size <= MAX_FEATURES:
            raise BadRequest(
                _("page_size must be between 1 and %(max)d.") % {"max": MAX_FEATURES},
                code="invalid_page_size",
            )
        return size

    def after(self):
        """The sealed keyset cursor: an internal id, encrypted for this caller and this query."""
        raw = self.request.query_params.get("after")
        if not raw:
            return None
        try:
            position = cursors.unseal(raw, self._cursor_binding())["after"]
            if not isinstance(position, int) or isinstance(position, bool):
                raise cursors.InvalidCursor(raw)
            return position
        except (cursors.InvalidCursor, KeyError, TypeError):
            raise BadRequest(
                _("after: not a cursor this API gave you for this query; pass the next link back unchanged."),
                code="invalid_cursor",
            ) from None

    def _cursor_binding(self):
        return cursors.binding(self.request, exclude=("after", "page_size"))

    def spatial_page(self, shape):
        """One page of records intersecting ``shape``, as a FeatureCollection with a ``next`` link."""
        queryset = self.filter_queryset(self.get_queryset()).filter(geometry__isnull=False)
        stats = Stats()
        records, more = intersecting(queryset, shape, stats=stats, limit=self.page_size(), after=self.after())
        next_url = None
        if more and records:
            cursor = cursors.seal({"after": records[-1].pk}, self._cursor_binding())
            params = self.request.query_params.copy()
            params["after"] = cursor
            next_url = self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")
        return self.feature_collection(
            records,
            next=next_url,
            prefilter={"candidates": stats.candidates, "exact_tested": stats.exact_tested},
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="min_lon,min_lat,max_lon,max_lat"),
            OpenApiParameter("geometry", OpenApiTypes.BOOL, description="false: features without geometry."),
            OpenApiParameter("after", OpenApiTypes.STR, description="Cursor from a bbox page's 'next'."),
        ]
    )
    def list(self, request):
        """Search; with ``?bbox=`` the records intersecting the box, as a GeoJSON FeatureCollection."""
        raw = request.query_params.get("bbox")
        if raw is None:
            if "after" in request.query_params:
                raise BadRequest(_("'after' continues a bbox query only."), code="unknown_parameter")
            return super().list(request)
        self.require_geometry()
        try:
            _values, shape = geo.parse_bbox(raw)
        except DjangoValidationError as exc:
            raise _invalid("bbox", exc) from None
        return Response(self.spatial_page(shape))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def intersects(self, request):
        """Records whose geometry intersects a submitted GeoJSON Polygon or MultiPolygon."""
        self.require_geometry()
        body = request.data
        if isinstance(body, dict) and body.get("type") == "Feature":
            body = body.get("geometry")
        try:
            shape = geo.parse(body)
        except DjangoValidationError as exc:
            raise _invalid("geometry", exc) from None
        return Response(self.spatial_page(shape))


class DivisionViewSet(SpatialMixin, GovernedViewSet):
    """Administrative divisions by GB/T 2260 code; locate a point, walk the tree, follow lineage."""

    queryset = Division.objects.all()
    filterset_class = DivisionFilterSet
    search_fields = ("name",)

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.NUMBER, required=True),
            OpenApiParameter("lat", OpenApiTypes.NUMBER, required=True),
            OpenApiParameter("geometry", OpenApiTypes.BOOL, description="false: features without geometry."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def locate(self, request):
        """The chain of divisions in force containing a point (county, city, province) as GeoJSON.

        A point on a border shared by two counties is covered by both: the
        chain follows the lower code and ``matches`` lists all of them.
        """
        self.require_geometry()
        # Finding the divisions in force around a point and walking up to the province reads these
        # items: each needs its search grant in the clear, as the same search by filters would.
        for field in LOCATE_READS:
            refuse_unusable(self.scope, self.dataset, "lon", [field])
        unknown = set(request.query_params) - {"lon", "lat", "geometry", "format"}
        if unknown:
            raise BadRequest(
                _("Unknown query parameter '%(param)s'.") % {"param": sorted(unknown)[0]},
                code="unknown_parameter",
            )
        if "lon" not in request.query_params or "lat" not in request.query_params:
            raise exceptions.ValidationError({"lon": [_("lon and lat are both required.")]})
        try:
            lon, lat = geo.validate_lon_lat(request.query_params["lon"], request.query_params["lat"])
        except DjangoValidationError as exc:
            raise _invalid("lon", exc) from None
        hits = locate_divisions(lon, lat)
        chain = []
        if hits:
            records = {d.code: d for d in Division.objects.filter(code__in=self._ancestors(hits[0]))}
            code = hits[0]
            # Stop at a code seen before: a parent_code that points back down the chain (bad data)
            # must end the walk, not loop.
            while code in records and records[code] not in chain:
                chain.append(records[code])
                code = records[code].parent_code
        visible = "code" in self.scope.fields(Mode.SEARCH)
        return Response(
            self.feature_collection(
                chain, on_border=len(hits) > 1, matches=hits if visible else len(hits), point=[lon, lat]
            )
        )

    @staticmethod
    def _ancestors(code):
        codes = [code]
        if len(code) > 6:
            codes.append(code[:6])
        codes += [code[:4] + "00", code[:2] + "0000"]
        return codes

    @extend_schema(
        parameters=[
            OpenApiParameter("root", OpenApiTypes.STR, description="Start code (320000)."),
            OpenApiParameter("depth", OpenApiTypes.INT, description="Levels below the root (default 3)."),
            OpenApiParameter("include_retired", OpenApiTypes.BOOL),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def tree(self, request):
        """The division tree under ``root``: granted items of each node (no geometry) and ``children``."""
        self.require(Mode.SEARCH)
        fields = [f for f in self.scope.fields(Mode.SEARCH) if f not in ("geometry",)]
        params = request.query_params
        retired = params.get("include_retired", "false").lower() in ("1", "true", "yes")
        # The tree is built from codes and parents (and, without retired divisions, the end dates).
        for field in TREE_READS if retired else (*TREE_READS, "valid_until"):
            refuse_unusable(self.scope, self.dataset, "root", [field])
        root = params.get("root", "320000").strip()
        try:
            depth = int(params.get("depth", 3))
        except ValueError:
            raise BadRequest(_("depth must be a whole number."), code="invalid_depth") from None
        if not 0 <= depth <= 3:
            raise BadRequest(_("depth must be between 0 and 3."), code="invalid_depth")
        queryset = Division.objects.all()
        if not retired:
            queryset = queryset.filter(valid_until__isnull=True)
        records = list(queryset.defer("geometry").order_by("code"))
        by_parent = {}
        for record in records:
            by_parent.setdefault(record.parent_code, []).append(record)
        root_record = next((r for r in records if r.code == root), None)
        if root_record is None:
            raise exceptions.NotFound(_("No division with this code."))
        serializer = self.get_serializer_class()
        context = {"request": request, "fields": fields, "masks": self.scope.masks(Mode.SEARCH)}
        count = 0

        def node(record, level):
            nonlocal count
            count += 1
            data = serializer(record, context=context).data
            if level < depth:
                data["children"] = [node(child, level + 1) for child in by_parent.get(record.code, [])]
            return data

        tree = node(root_record, 0)
        self.audit.subject_keys = [root]
        self.audit.result_count = count
        self.audit.items = [self.dataset.by_field[f].code for f in fields]
        return Response(tree)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def lineage(self, request, key=None):
        """What a code became and what it came from: successors down to the codes in force, predecessors."""
        self.require(Mode.LOOKUP)
        needed = ("code", "name", "valid_until", "successor_codes")
        missing = [f for f in needed if self.scope.mode_of(f) < Mode.LOOKUP]
        if missing:
            raise NoGrant(
                self.dataset.code,
                "lookup",
                _("Lineage needs items %(items)s granted in lookup mode.")
                % {"items": ", ".join(self.dataset.by_field[f].code for f in missing)},
            )
        key = self.clean_key(key)
        self.audit.subject_keys = [key]
        rows = {
            code: (name, until, successors or [])
            for code, name, until, successors in Division.objects.values_list(
                "code", "name", "valid_until", "successor_codes"
            )
        }
        if key not in rows:
            raise exceptions.NotFound(_("No record with this key."))

        def entry(code):
            name, until, _successors = rows.get(code, ("", None, []))
            current = code in rows and until is None
            return {"code": code, "name": name, "valid_until": until, "current": current}

        successors, frontier, seen = [], list(rows[key][2]), {key}
        while frontier:
            code = frontier.pop(0)
            if code in seen:
                continue
            seen.add(code)
            successors.append(entry(code))
            frontier.extend(rows.get(code, ("", None, []))[2])
        predecessors = sorted(code for code, (_n, _u, succ) in rows.items() if key in succ)
        self.audit.result_count = 1
        self.audit.items = [self.dataset.by_field[f].code for f in needed]
        return Response(
            {
                **entry(key),
                "successors": successors,
                "current_successors": sorted(s["code"] for s in successors if s["current"]),
                "predecessors": [entry(code) for code in predecessors],
            }
        )


class AddressViewSet(GovernedViewSet):
    """Standard addresses by address code; ``?q=`` text search within ``?division=``."""

    queryset = Address.objects.all()
    filterset_class = AddressFilterSet
    search_fields = ("full_address",)


class PlaceNameViewSet(GovernedViewSet):
    """Standard place names by place-name code."""

    queryset = PlaceName.objects.all()
    filterset_class = PlaceNameFilterSet
    search_fields = ("name",)


class ParcelViewSet(SpatialMixin, GovernedViewSet):
    """Parcels by real-estate unit number; ``?bbox=`` and ``intersects/`` return GeoJSON."""

    queryset = Parcel.objects.all()
    filterset_class = ParcelFilterSet


class ResourceUnitViewSet(SpatialMixin, GovernedViewSet):
    """Natural resource units by unit code; ``?bbox=`` and ``intersects/`` return GeoJSON."""

    queryset = ResourceUnit.objects.all()
    filterset_class = ResourceUnitFilterSet
    search_fields = ("name",)
