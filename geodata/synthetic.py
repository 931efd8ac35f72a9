"""Synthetic demo geometry: county boundaries that tile the province, and parcels inside them.

The real boundaries are natural-resources data the demo does not ship. The
stand-in is a regular grid over the province's bounding box: each cell goes
to the nearest city seat and, within that city, to the nearest of the
city's county seeds (spread by farthest-point sampling). Unions are done in
integer grid units and only then scaled to degrees, so shared edges have
identical coordinates and the counties tile the box with no gap or overlap.
"""

import math

from shapely.geometry import Polygon, box
from shapely.ops import unary_union


class Grid:
    """Integer cell (i, j) ↔ degrees; every cell corner has exactly one float representation."""

    def __init__(self, extent, step):
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = extent
        self.step = step
        self.columns = round((self.max_lon - self.min_lon) / step)
        self.rows = round((self.max_lat - self.min_lat) / step)

    def lon(self, i):
        return round(self.min_lon + i * self.step, 6)

    def lat(self, j):
        return round(self.min_lat + j * self.step, 6)

    def centre(self, i, j):
        return self.min_lon + (i + 0.5) * self.step, self.min_lat + (j + 0.5) * self.step

    def cells(self):
        return [(i, j) for i in range(self.columns) for j in range(self.rows)]

    def to_degrees(self, geometry):
        """Scale a polygon in grid units to a GeoJSON geometry in degrees."""

        def ring(coords):
            return [[self.lon(round(x)), self.lat(round(y))] for x, y in coords]

        polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
        parts = [[ring(p.exterior.coords), *[ring(h.coords) for h in p.interiors]] for p in polygons]
        if len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
        return {"type": "MultiPolygon", "coordinates": parts}


def _distance(a, b):
    # Degrees of longitude shrink with latitude; close enough for assigning demo cells.
    return math.hypot((a[0] - b[0]) * math.cos(math.radians(32.5)), a[1] - b[1])


def county_cells(grid, cities):
    """``{county code: [cells]}`` for ``cities`` = {city code: (seat, [county codes])}."""
    by_city = {code: [] for code in cities}
    for cell in grid.cells():
        centre = grid.centre(*cell)
        nearest = min(cities, key=lambda code: (_distance(centre, cities[code][0]), code))
        by_city[nearest].append(cell)
    result = {}
    for city, (seat, counties) in sorted(cities.items()):
        cells = by_city[city]
        centres = {cell: grid.centre(*cell) for cell in cells}
        seeds = [min(cells, key=lambda c: (_distance(centres[c], seat), c))]
        while len(seeds) < min(len(counties), len(cells)):
            seeds.append(max(cells, key=lambda c: (min(_distance(centres[c], centres[s]) for s in seeds), c)))
        assigned = {county: [] for county in counties}
        for cell in cells:
            index = min(range(len(seeds)), key=lambda k: (_distance(centres[cell], centres[seeds[k]]), k))
            assigned[counties[index]].append(cell)
        result.update(assigned)
    return result


def boundaries(extent, step, cities):
    """``{code: GeoJSON}`` for every county and city, and the province under code ``"province"``."""
    grid = Grid(extent, step)
    shapes = {}
    for county, cells in county_cells(grid, cities).items():
        if cells:
            shapes[county] = unary_union([box(i, j, i + 1, j + 1) for i, j in cells]).simplify(0)
    out = {code: grid.to_degrees(shape) for code, shape in shapes.items()}
    for city, (_seat, counties) in cities.items():
        parts = [shapes[c] for c in counties if c in shapes]
        out[city] = grid.to_degrees(unary_union(parts).simplify(0))
    out["province"] = grid.to_degrees(box(0, 0, grid.columns, grid.rows))
    return out


def jittered_quad(x0, y0, size, rng):
    """A quadrilateral with corners jittered inside the square slot at (x0, y0).

    Parcels each get their own slot, so they never overlap, and their boxes
    are not their shapes (which keeps the exact test honest).
    """

    def jitter(lo, hi):
        return (lo + (hi - lo) * rng.random()) * size

    return Polygon(
        [
            (x0 + jitter(0.05, 0.3), y0 + jitter(0.05, 0.3)),
            (x0 + jitter(0.7, 0.95), y0 + jitter(0.05, 0.3)),
            (x0 + jitter(0.7, 0.95), y0 + jitter(0.7, 0.95)),
            (x0 + jitter(0.05, 0.3), y0 + jitter(0.7, 0.95)),
        ]
    )
