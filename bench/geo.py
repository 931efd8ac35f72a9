"""Spatial query benchmark: point-in-division and bbox queries over N parcels (not a test).

    python bench/geo.py [--parcels 100000] [--requests 2000] [--database URL]

Loads the reference divisions (synthetic boundaries) and N synthetic parcels
into the database (default: ``var/bench-geo.sqlite3``; pass a PostgreSQL URL
to measure the production engine), then times governed API calls in-process
(authentication, grants, audit row included) and prints requests/s, median
latency and the box prefilter's precision: candidates the database returned
per feature the exact shapely test kept.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database):
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("HUB_THROTTLE_RATE", "10000000/min")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def load(parcels):
    from geodata.demo import generate_parcels, load_divisions
    from geodata.models import Division, Parcel
    from hub.records.services import write

    if not Division.objects.filter(geometry__isnull=False).exists():
        load_divisions()
    have = Parcel.objects.count()
    if have < parcels:
        started = time.perf_counter()
        chunk = 10000
        for start in range(have, parcels, chunk):
            rows = list(generate_parcels(min(chunk, parcels - start), start=start))
            write("geodata.parcel", rows, department="zrzyt", reason="bench")
            print(f"  loaded {start + len(rows)} parcels", file=sys.stderr)
        print(f"  loading took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return Parcel.objects.count()


def client_with_grants():
    from rest_framework.test import APIClient

    from hub.access.choices import Mode
    from hub.access.models import ApiKey, ConsumerSystem, Grant
    from hub.catalogue.models import DataItem, Department

    system, _ = ConsumerSystem.objects.get_or_create(
        name="bench-geo", defaults={"department": Department.objects.get(code="dsj")}
    )
    for code in [
        "geodata.division.code",
        "geodata.division.name",
        "geodata.division.geometry",
        "geodata.parcel.unit_number",
        "geodata.parcel.land_use",
        "geodata.parcel.area",
        "geodata.parcel.geometry",
    ]:
        Grant.objects.get_or_create(
            system=system, item=DataItem.objects.get(code=code), defaults={"mode": Mode.SEARCH}
        )
    _key, raw = ApiKey.issue(system, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def timed(calls):
    """Run the calls; (requests/s, median ms, responses)."""
    durations, responses = [], []
    started = time.perf_counter()
    for call in calls:
        t = time.perf_counter()
        responses.append(call())
        durations.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    return len(durations) / total, statistics.median(durations) * 1000, responses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench-geo.sqlite3'}")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    setup(args.database)
    from django.db import connection

    from geodata.choices import PROVINCE_EXTENT
    from geodata.divisions import division_chain
    from geodata.geometry import parse, parse_bbox
    from geodata.models import Parcel
    from geodata.spatial import Stats, intersecting, locate_divisions

    count = load(args.parcels)
    client = client_with_grants()
    rng = random.Random(42)
    min_lon, min_lat, max_lon, max_lat = PROVINCE_EXTENT
    points = [(rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)) for _ in range(args.requests)]
    print(f"# geodata bench: {count} parcels, {connection.vendor}, {args.requests} requests per row\n")
    print(
        "| query | API requests/s | API median ms | query-only/s | candidates / returned "
        "| exact-tested / returned | features |"
    )
    print("|---|---|---|---|---|---|---|")

    # Point in division: through the API, then the prefilter's precision from the function itself.
    url = "/api/v1/geodata/divisions/locate/"
    client.get(url, {"lon": 118.8, "lat": 32.0, "geometry": "false"})  # warm the boundary cache
    rate, median, responses = timed(
        (lambda p=p: client.get(url, {"lon": f"{p[0]:.6f}", "lat": f"{p[1]:.6f}", "geometry": "false"}))
        for p in points
    )
    assert all(r.status_code == 200 for r in responses), responses[0].content
    stats = Stats()
    started = time.perf_counter()
    for lon, lat in points:
        hits = locate_divisions(lon, lat, stats=stats)
        division_chain(hits[0])
    bare = len(points) / (time.perf_counter() - started)
    print(
        f"| locate (point in county, chain of 3) | {rate:.0f} | {median:.2f} | {bare:.0f} | "
        f"{stats.candidates / stats.returned:.2f} | {stats.exact_tested / stats.returned:.2f} | "
        f"{stats.returned / len(points):.2f} per point |"
    )

    # Bounding boxes of three sizes around random points.
    for size, label in [(0.01, "~1 km"), (0.05, "~5 km"), (0.2, "~20 km")]:
        n = max(args.requests // (4 if size >= 0.2 else 1), 50)
        boxes = []
        for lon, lat in points[:n]:
            lon = min(lon, max_lon - size)
            lat = min(lat, max_lat - size)
            boxes.append(f"{lon:.6f},{lat:.6f},{lon + size:.6f},{lat + size:.6f}")
        rate, median, responses = timed(
            (
                lambda b=b: client.get(
                    "/api/v1/geodata/parcels/", {"bbox": b, "geometry": "false", "page_size": 1000}
                )
            )
            for b in boxes
        )
        assert all(r.status_code == 200 for r in responses), responses[0].content
        payloads = [r.json() for r in responses]
        returned = sum(len(p["features"]) for p in payloads)
        candidates = sum(p["prefilter"]["candidates"] for p in payloads)
        tested = sum(p["prefilter"]["exact_tested"] for p in payloads)
        started = time.perf_counter()
        for b in boxes:
            intersecting(Parcel.objects.all(), parse_bbox(b)[1], limit=1000)
        bare = len(boxes) / (time.perf_counter() - started)
        ratio = f"{candidates / returned:.4f}" if returned else "n/a"
        tested_ratio = f"{tested / returned:.4f}" if returned else "n/a"
        print(
            f"| bbox {size}° ({label}) | {rate:.0f} | {median:.2f} | {bare:.0f} | {ratio} | {tested_ratio} | "
            f"{returned / len(boxes):.1f} per box |"
        )

    # A triangle (half of a 0.05° box): the box prefilter now passes about twice what it keeps.
    n = max(args.requests // 4, 50)
    triangles = []
    for lon, lat in points[:n]:
        lon, lat = min(lon, max_lon - 0.05), min(lat, max_lat - 0.05)
        ring = [[lon, lat], [lon + 0.05, lat], [lon, lat + 0.05], [lon, lat]]
        triangles.append({"type": "Polygon", "coordinates": [ring]})
    rate, median, responses = timed(
        (
            lambda t=t: client.post(
                "/api/v1/geodata/parcels/intersects/?geometry=false&page_size=1000", t, format="json"
            )
        )
        for t in triangles
    )
    assert all(r.status_code == 200 for r in responses), responses[0].content
    payloads = [r.json() for r in responses]
    returned = sum(len(p["features"]) for p in payloads)
    candidates = sum(p["prefilter"]["candidates"] for p in payloads)
    tested = sum(p["prefilter"]["exact_tested"] for p in payloads)
    started = time.perf_counter()
    for t in triangles:
        intersecting(Parcel.objects.all(), parse(t), limit=1000)
    bare = len(triangles) / (time.perf_counter() - started)
    print(
        f"| intersects triangle (half of 0.05°) | {rate:.0f} | {median:.2f} | {bare:.0f} | "
        f"{candidates / returned:.4f} | {tested / returned:.4f} | "
        f"{returned / len(triangles):.1f} per polygon |"
    )


if __name__ == "__main__":
    main()
