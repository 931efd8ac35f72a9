"""A full quality scan of N persons vs COPYing the same rows into a bare table, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench_quality .venv/bin/python bench/quality.py \
        [--persons 1000000] [--rate 0.001] [--rounds 3] [--seed 2026]

Persons are synthetic and valid except for a seeded set: for every person rule
a known random sample of rows (``--rate`` of the rows, disjoint samples) gets
exactly one defect of that rule's kind; suspected duplicates are seeded as
pairs. Each round times ``COPY`` of the rows into a bare table (same columns,
no index or constraint) and a full ``scan("population.person")`` with all
person rules, starting with no issues, so the scan opens every issue. The
scan must find exactly the seeded (rule, record) pairs. Medians and their
ratio (goal: scan ≤ 3 × COPY) are printed.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

P = "population.person"
COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "source_stamps",
    "id_number",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "birthplace_division",
    "household_division",
    "household_address",
    "residence_address",
    "photo_digest",
    "marital_status",
    "education_level",
    "death_date",
    "social_insurance_status",
]
# rule code suffix -> how a clean row is spoiled (returns the row); "uniqueness" is seeded in pairs.
DEFECTS = [
    "name.required",
    "gender.required",
    "household_division.required",
    "id_number.checksum",
    "name.format",
    "gender.codetable",
    "ethnicity.codetable",
    "marital_status.codetable",
    "education_level.codetable",
    "birth_date.range",
    "birth_date.id_consistency",
    "gender.id_consistency",
    "death_date.order",
    "household_division.reference",
    "name.uniqueness.suspected_duplicate",
    "social_insurance_status.freshness",
]


def spoil(kind, row, previous, make_id_number, id_check_char):
    """Give ``row`` exactly one defect of ``kind``; ``previous`` is the row generated before it."""
    if kind == "name.required":
        row["name"] = ""
    elif kind == "gender.required":
        row["gender"] = ""
    elif kind == "household_division.required":
        row["household_division"] = ""
    elif kind == "id_number.checksum":
        first17 = row["id_number"][:17]
        right = id_check_char(first17)
        row["id_number"] = first17 + ("0" if right != "0" else "1")
    elif kind == "name.format":
        row["name"] = row["name"][:1] + "A1"
    elif kind == "gender.codetable":
        row["gender"] = "7"
    elif kind == "ethnicity.codetable":
        row["ethnicity"] = "77"
    elif kind == "marital_status.codetable":
        row["marital_status"] = "99"
    elif kind == "education_level.codetable":
        row["education_level"] = "99"
    elif kind == "birth_date.range":
        old = datetime.date(1870, 1, 1) + datetime.timedelta(days=row["birth_date"].toordinal() % 3000)
        row["birth_date"] = old
        row["id_number"] = make_id_number(
            row["id_number"][:6], old, int(row["id_number"][14:16]), row["gender"] == "1"
        )
    elif kind == "birth_date.id_consistency":
        row["birth_date"] = row["birth_date"] + datetime.timedelta(days=1)
    elif kind == "gender.id_consistency":
        row["gender"] = "2" if row["gender"] == "1" else "1"
    elif kind == "death_date.order":
        row["death_date"] = row["birth_date"] - datetime.timedelta(days=10)
    elif kind == "household_division.reference":
        row["household_division"] = "329999"
    elif kind == "name.uniqueness.suspected_duplicate":
        # The same name and birth date as the previous person, under another ID number.
        row["name"], row["birth_date"] = previous["name"], previous["birth_date"]
        male = row["gender"] == "1"
        row["id_number"] = make_id_number(
            row["id_number"][:6], row["birth_date"], 499 - int(row["id_number"][14:16]), male
        )
    elif kind == "social_insurance_status.freshness":
        row["stale"] = True
    return row


def generate(path, persons, rate, seed):
    """Write the rows as COPY text to ``path``; returns the expected {(rule code, key)}."""
    from population.demo import GIVEN, generate_persons, make_id_number
    from population.validators import id_check_char

    rng = random.Random(seed)
    per_kind = max(1, int(persons * rate))
    candidates = rng.sample(range(1, persons), per_kind * len(DEFECTS) * 2)
    plan, used = {}, set()
    pool = iter(candidates)
    for kind in DEFECTS:
        placed = 0
        while placed < per_kind:
            n = next(pool)
            # Keep defect rows apart so a duplicate's partner (the row before) stays clean.
            if n in used or n - 1 in used or n + 1 in used:
                continue
            plan[n] = kind
            used.add(n)
            placed += 1
    now = datetime.datetime.now(datetime.UTC)
    fresh = now.isoformat()
    stale = (now - datetime.timedelta(days=60)).isoformat()
    stamp_now = now.strftime("%Y-%m-%d %H:%M:%S.%f+00")
    expected = set()
    seen_ids, seen_pairs = set(), set()
    previous = None
    with open(path, "w", encoding="utf-8") as out:
        for n, row in enumerate(generate_persons(persons * 2, seed=seed)):
            if len(seen_ids) >= persons:
                break
            if row["id_number"] in seen_ids:
                continue
            kind = plan.get(len(seen_ids))
            if kind:
                row = spoil(kind, row, previous, make_id_number, id_check_char)
                if row["id_number"] in seen_ids:
                    continue  # the spoiled number happens to exist; try the next person for this slot
            pair = hash((row["name"], row["birth_date"]))
            if kind != "name.uniqueness.suspected_duplicate":
                while pair in seen_pairs and row["name"]:
                    row["name"] += GIVEN[n % len(GIVEN)]  # keep clean persons' name and birth date unique
                    pair = hash((row["name"], row["birth_date"]))
            seen_pairs.add(pair)
            seen_ids.add(row["id_number"])
            if kind == "name.uniqueness.suspected_duplicate":
                expected.add((f"{P}.{kind}", previous["id_number"]))
            if kind:
                expected.add((f"{P}.{kind}", row["id_number"]))
            rst = stale if row.pop("stale", False) else fresh
            stamps = f'{{"gat": "{fresh}", "mzt": "{fresh}", "jyt": "{fresh}", "rst": "{rst}"}}'
            values = [
                str(len(seen_ids)),
                stamp_now,
                stamp_now,
                stamps,
                row["id_number"],
                row["name"],
                row["gender"],
                row["ethnicity"],
                row["birth_date"].isoformat(),
                row["birthplace_division"],
                row["household_division"],
                row["household_address"],
                row["residence_address"],
                "",
                row["marital_status"],
                row["education_level"],
                row["death_date"].isoformat() if row["death_date"] else "\\N",
                row["social_insurance_status"],
            ]
            out.write("\t".join(values) + "\n")
            previous = row
    return expected


def copy_into(cursor, table, path):
    started = time.perf_counter()
    with open(path, "rb") as data, cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        while chunk := data.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0.001, help="share of rows spoiled per rule")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/quality.py needs PostgreSQL: set DATABASE_URL.")
    from hub.quality.loader import load_quality_rules
    from hub.quality.models import IssueEvent, QualityIssue, RuleResult, Scan
    from hub.quality.scans import scan

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))
    load_quality_rules()

    path = Path(tempfile.mkstemp(suffix=".tsv", prefix="quality-bench-")[1])
    try:
        started = time.perf_counter()
        expected = generate(path, args.persons, args.rate, args.seed)
        print(
            f"generated {args.persons} persons, {len(expected)} seeded defects "
            f"in {time.perf_counter() - started:.1f}s"
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute("TRUNCATE population_person, population_historicalperson RESTART IDENTITY")
            copy_into(raw, "population_person", path)
            raw.execute("ANALYZE population_person")
            raw.execute("DROP TABLE IF EXISTS bench_bare_person")
            raw.execute(
                "CREATE TABLE bench_bare_person (LIKE population_person INCLUDING DEFAULTS EXCLUDING INDEXES)"
            )
        copies, scans = [], []
        for round_ in range(1, args.rounds + 1):
            with connection.cursor() as cursor:
                cursor.cursor.execute("TRUNCATE bench_bare_person")
                copies.append(copy_into(cursor.cursor, "bench_bare_person", path))
            IssueEvent.objects.all().delete()
            QualityIssue.objects.all().delete()
            RuleResult.objects.all().delete()
            Scan.objects.all().delete()
            started = time.perf_counter()
            result = scan(P)
            scans.append(time.perf_counter() - started)
            found = set(
                QualityIssue.objects.filter(origin="scan").values_list("rule__code", "record_key").iterator()
            )
            exact = found == expected
            print(
                f"round {round_}: COPY {copies[-1]:.2f}s, scan {scans[-1]:.2f}s "
                f"({result.rows} rows, {result.opened} issues opened), exact: {exact}"
            )
            if not exact:
                print(f"  missed: {sorted(expected - found)[:10]} ({len(expected - found)})")
                print(f"  extra: {sorted(found - expected)[:10]} ({len(found - expected)})")
        per_rule = {
            r.rule.code: r.failed for r in RuleResult.objects.filter(scan=result).select_related("rule")
        }
        for code in sorted(per_rule):
            print(f"  {code:60s} {per_rule[code]:8d}")
        copy_median, scan_median = statistics.median(copies), statistics.median(scans)
        print(
            f"persons {args.persons}; COPY median {copy_median:.2f}s; scan median {scan_median:.2f}s; "
            f"ratio scan/COPY {scan_median / copy_median:.2f} (goal ≤ 3); "
            f"defects found exactly: {exact}"
        )
    finally:
        path.unlink(missing_ok=True)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_bare_person")


if __name__ == "__main__":
    main()
