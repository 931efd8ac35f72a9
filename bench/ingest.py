"""Ingestion benchmark: the hub's load paths against a raw PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench .venv/bin/python bench/ingest.py [--rows N]

Generates N valid persons (public security's items: the key and the
identity items) into a CSV file, then measures in the same run:

1. raw COPY of the file into a bare table with the same columns and a unique key;
2. the hub's first load of the file (validation, source rule, upsert, history);
3. a reload with 10% of the rows changed;
4. a reload with nothing changed;

and prints rows/s for each, the ratio to raw COPY and the peak resident
memory of the process during each load. The database named in DATABASE_URL
is emptied of persons first (it is a benchmark database, not a real one).
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

COLUMNS = [
    "id_number",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "birthplace_division",
    "household_division",
    "household_address",
    "residence_address",
]


class PeakMemory:
    """Samples this process's resident set size while a block runs (MB)."""

    def __init__(self, interval=0.05):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def peak_mb(self):
        return self.peak / 1024 / 1024


def write_csv(path, rows, change_every=0):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, row in enumerate(rows):
            if change_every and number % change_every == 0:
                row["residence_address"] = row["residence_address"] + "东"
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    import django

    from bench.load import ensure_database

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/ingest.py measures the PostgreSQL fast path; set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))

    from hub.records.ingest import ingest
    from population.demo import generate_persons
    from population.models import Person

    n = args.rows
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    first, changed = workdir / "persons.csv", workdir / "persons-10pct.csv"
    started = time.perf_counter()
    write_csv(first, generate_persons(n, seed=7))
    write_csv(changed, generate_persons(n, seed=7), change_every=10)
    print(
        f"generated {n:,} persons in {time.perf_counter() - started:.1f}s "
        f"({first.stat().st_size / 1e6:.0f} MB CSV)"
    )

    with connection.cursor() as cursor:
        table = Person._meta.db_table
        history = Person.history.model._meta.db_table
        cursor.execute(f"TRUNCATE {table}, {history}")
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        columns = ", ".join(
            f"{Person._meta.get_field(c).column} {Person._meta.get_field(c).db_type(connection)}"
            for c in COLUMNS
        )
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns}, UNIQUE (id_number))")
    connection.commit() if not connection.get_autocommit() else None

    results = []

    def measure(label, run, expect=None):
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
        with PeakMemory() as memory:
            started = time.perf_counter()
            report = run()
            seconds = time.perf_counter() - started
        results.append((label, n / seconds, memory.peak_mb, report))
        print(
            f"{label:<28} {seconds:7.1f}s {n / seconds:>10,.0f} rows/s  "
            f"peak RSS {memory.peak_mb:6.0f} MB  {report or ''}"
        )
        if expect:
            for name, value in expect.items():
                assert report[name] == value, (label, name, report[name], value)

    def raw_copy():
        with connection.cursor() as cursor, open(first, "rb") as data:
            cursor.execute("TRUNCATE bench_raw_copy")
            with cursor.copy("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
        return None

    def schema_floor():
        """Set-based INSERTs of the same rows into copies of the person and history tables.

        No parsing, validation, comparison or checks: just what the two
        tables' 13 indexes cost to write once, the floor under any first load.
        """
        absent = [f for f in Person.item_fields() if f.name not in COLUMNS]
        items = ", ".join(COLUMNS + [f.column for f in absent])
        values = ", ".join(COLUMNS + ["NULL" if f.null else "''" for f in absent])
        tracked = ", ".join(["id", *COLUMNS, *(f.column for f in absent)])
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_person, bench_history")
            cursor.execute(f"CREATE TABLE bench_person (LIKE {table} INCLUDING ALL)")
            cursor.execute(f"CREATE TABLE bench_history (LIKE {history} INCLUDING ALL)")
            cursor.execute(
                f"INSERT INTO bench_person ({items}, created_at, updated_at, source_stamps) "
                f"SELECT {values}, now(), now(), '{{}}' FROM bench_raw_copy"
            )
            cursor.execute(
                f"INSERT INTO bench_history ({tracked}, history_date, history_type, source_department, "
                f"acting_system, batch) SELECT {tracked}, now(), '+', 'gat', '', 'bench' FROM bench_person"
            )
            cursor.execute("DROP TABLE bench_person, bench_history")
        return None

    def load(path):
        def run():
            with open(path, "rb") as data:
                report = ingest(
                    "population.person", data, fmt="csv", department="gat", channel="bench"
                ).report
            return {k: report[k] for k in ("created", "updated", "unchanged", "rejected_count")}

        return run

    # raw COPY is measured before each hub run; ratios use the median, since the machine is shared
    measure("raw COPY", raw_copy)
    measure("hub first load", load(first), {"created": n})
    measure("raw COPY", raw_copy)
    measure("hub reload, 10% changed", load(changed), {"updated": (n + 9) // 10})
    measure("raw COPY", raw_copy)
    measure("hub reload, unchanged", load(changed), {"unchanged": n})
    measure("floor: INSERT into person + history copies", schema_floor)

    raw = statistics.median(rate for label, rate, _peak, _report in results if label == "raw COPY")
    print()
    print(f"| run ({n:,} persons) | rows/s | × raw COPY (median {raw:,.0f} rows/s) | peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    for label, rate, peak, _report in results:
        print(f"| {label} | {rate:,.0f} | {rate / raw:.2f} | {peak:.0f} |")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
    for path in (first, changed):
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
