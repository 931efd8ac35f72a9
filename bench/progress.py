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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_catalogue", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("load_plans", stdout=open(os.devnull, "w"))  # noqa: SIM115
        from django.contrib.auth import get_user_model

        from hub.progress.signals import ensure_joint_meeting_group

        member = get_user_model().objects.create_user("bench-member", password="bench-pw-2026")
        member.groups.add(ensure_joint_meeting_group())
        client = Client()
        client.force_login(member)

        print(f"database: {connection.vendor}; pages: {', '.join(PAGES)}; repeat {args.repeat}")
        results = {}
        have = 0
        sizes = sorted(args.sizes)
        # Up through the sizes, then back down (deleting): each size is timed on both
        # legs, so a slow spell of the shared machine does not land on one size only.
        for size in sizes + sizes[-2::-1]:
            started = time.perf_counter()
            if size > have:
                insert_persons(have + 1, size + 1)
            else:
                delete_persons_above(size)
            have = size
            changed = time.perf_counter() - started
            started = time.perf_counter()
            call_command("refresh_progress", stdout=open(os.devnull, "w"))  # noqa: SIM115
            refreshed = time.perf_counter() - started
            timed = time_pages(client, args.repeat)
            merge(results, size, timed)
            print(f"\n{size:>9,} persons  (write {changed:.1f}s, refresh_progress {refreshed:.2f}s)")
            for url, (samples, queries) in timed.items():
                print(f"  {url:<36} median {statistics.median(samples):7.1f} ms  {queries:3d} queries")
        small, large = sizes[0], sizes[-1]
        print(f"\nratio {large:,} ÷ {small:,} persons (median over both legs; queries):")
        for url in PAGES:
            (s_small, q_small), (s_large, q_large) = results[small][url], results[large][url]
            m_small, m_large = statistics.median(s_small), statistics.median(s_large)
            print(
                f"  {url:<36} {m_small:6.1f} ms → {m_large:6.1f} ms  ratio {m_large / m_small:5.2f}"
                f"   queries {q_small} → {q_large}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
