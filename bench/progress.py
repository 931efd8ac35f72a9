"""Time the joint-meeting dashboard with 100,000 and with 1,000,000 persons.

The dashboard reads only the maintained aggregates, so its time and query
count should not grow with the number of records: the printed ratio
(median at the largest size ÷ median at the smallest) should be about 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub python bench/progress.py
    python bench/progress.py --sizes 10000 100000 --repeat 10      # quicker

It creates and drops its own database (``test_<name>``); persons are inserted
set-based with SQL (not through the ingest path, which has its own bench) and
the aggregates are built once with ``refresh_progress``, whose time is shown
for information: it is the one step that scans the base table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = ["/dashboard/", "/dashboard/libraries/population/", "/api/v1/progress/"]
COLUMNS = (
    "id_number, name, gender, ethnicity, birth_date, birthplace_division, household_division, "
    "household_address, residence_address, photo_digest, marital_status, education_level, death_date, "
    "social_insurance_status, created_at, updated_at, source_stamps"
)


def insert_persons(start, stop):
    """Persons ``start`` ≤ n < ``stop``, every third without a marital status (a gap to count)."""
    table = "population_person"
    if connection.vendor == "postgresql":
        sql = f"""
            INSERT INTO {table} ({COLUMNS})
            SELECT lpad(g::text, 18, '0'), '张' || g, CASE WHEN g %% 2 = 0 THEN '1' ELSE '2' END, '01',
                   date '1950-01-01' + (g %% 20000), '320102', '320102', '江苏省中山路' || (g %% 999) || '号',
                   '', '', CASE WHEN g %% 3 = 0 THEN '' ELSE '20' END, '', NULL, 'insured', now(), now(),
                   jsonb_build_object('gat', %s, 'mzt', %s, 'rst', %s)
            FROM generate_series(%s, %s) AS g"""
    else:
        sql = f"""
            WITH RECURSIVE s(g) AS (SELECT %s UNION ALL SELECT g + 1 FROM s WHERE g < %s)
            INSERT INTO {table} ({COLUMNS})
            SELECT printf('%%018d', g), '张' || g, CASE WHEN g %% 2 = 0 THEN '1' ELSE '2' END, '01',
                   date('1950-01-01', '+' || (g %% 20000) || ' days'), '320102', '320102',
                   '江苏省中山路' || (g %% 999) || '号', '', '',
                   CASE WHEN g %% 3 = 0 THEN '' ELSE '20' END, '',
                   NULL, 'insured', datetime('now'), datetime('now'),
                   json_object('gat', %s, 'mzt', %s, 'rst', %s)
            FROM s"""
    from django.utils import timezone

    stamp = timezone.now().isoformat()
    with connection.cursor() as cursor:
        params = [stamp, stamp, stamp, start, stop - 1]
        if connection.vendor != "postgresql":
            params = [start, stop - 1, stamp, stamp, stamp]
        cursor.execute(sql, params)


def delete_persons_above(size):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM population_person WHERE id_number > %s", [f"{size:018d}"])


def time_pages(client, repeat):
    """``{url: (samples in ms, query count)}``."""
    result = {}
    for url in PAGES:
        client.get(url)
        connection.queries_log.clear()  # a full log (DEBUG) would hide what is captured
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        result[url] = (samples, len(queries))
    return result


def merge(results, size, timed):
    for url, (samples, queries) in timed.items():
        known = results.setdefault(size, {}).setdefault(url, ([], queries))
        known[0].extend(samples)
        assert known[1] == queries, f"{url}: {known[1]} queries before, {queries} now"


def use_database(name):
    """Point the default connection at ``name`` (the next query reconnects)."""
    connection.close()
    connection.settings_dict["NAME"] = name


def build(size, keepdb):
    """A database holding ``size`` persons, the catalogue, the plans and a member; returns its name."""
    from django.contrib.auth import get_user_model

    from hub.progress.signals import ensure_joint_meeting_group

    if connection.vendor == "sqlite":
        name = str(Path(connection.settings_dict["NAME"]).with_name(f"bench-progress-{size}.sqlite3"))
    else:
        name = f"test_{connection.settings_dict['NAME']}_{size}"
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": name}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_catalogue", stdout=devnull)
    call_command("load_plans", stdout=devnull)
    delete_persons_above(0)
    get_user_model().objects.filter(username="bench-member").delete()
    member = get_user_model().objects.create_user("bench-member", password="bench-pw-2026")
    member.groups.add(ensure_joint_meeting_group())
    started = time.perf_counter()
    insert_persons(1, size + 1)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    call_command("refresh_progress", stdout=devnull)
    refreshed = time.perf_counter() - started
    print(f"{size:>9,} persons in {name}  (insert {inserted:.1f}s, refresh_progress {refreshed:.2f}s)")
    client = Client()
    client.force_login(member)
    return name, client


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--keepdb", action="store_true", help="reuse the bench databases and keep them")
    args = parser.parse_args()

    setup_test_environment()
    original = connection.settings_dict["NAME"]
    sizes = sorted(args.sizes)
    databases = {}
    try:
        for size in sizes:
            use_database(original)
            databases[size] = build(size, args.keepdb)
        print(f"{connection.vendor}: {args.rounds} rounds × {args.repeat} requests per page and size")
        # The sizes take turns round by round, so a slow spell of the shared
        # machine falls on all of them alike.
        results = {}
        for _round in range(args.rounds):
            for size in sizes:
                name, client = databases[size]
                use_database(name)
                merge(results, size, time_pages(client, args.repeat))
        for size in sizes:
            print(f"\n{size:>9,} persons")
            for url, (samples, queries) in results[size].items():
                print(f"  {url:<36} median {statistics.median(samples):7.1f} ms  {queries:3d} queries")
        small, large = sizes[0], sizes[-1]
        print(f"\nratio {large:,} ÷ {small:,} persons (median time; queries):")
        for url in PAGES:
            (s_small, q_small), (s_large, q_large) = results[small][url], results[large][url]
            m_small, m_large = statistics.median(s_small), statistics.median(s_large)
            print(
                f"  {url:<36} {m_small:6.1f} ms → {m_large:6.1f} ms  ratio {m_large / m_small:5.2f}"
                f"   queries {q_small} → {q_large}"
            )
    finally:
        for name, _client in databases.values():
            use_database(name)
            if args.keepdb:
                delete_persons_above(0)
            connection.creation.destroy_test_db(original, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
