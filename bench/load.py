"""Load test: the production server (gunicorn, PostgreSQL) under a realistic call mix.

    python bench/load.py [--persons 1000000] [--duration 60] [--clients 16] [--systems 12]

It prepares a separate database (``hub_bench_load`` by default: migrations,
catalogue, ``--persons`` synthetic persons loaded with COPY), registers
``--systems`` consumer systems with different grants (some items masked,
some not granted at all), starts gunicorn exactly as ``make serve`` does
(``hub/gunicorn.conf.py``, ``HUB_DEBUG=0``) and lets ``--clients`` threads
call it for ``--duration`` seconds with the mix

    70% lookup · 15% verify · 10% search · 5% dossier

(the dossier, ``/api/v1/subjects/{key}/``, is used when the endpoint exists;
until the credit library is merged the 5% go to the record's history).

Every response is checked: the status is the expected one, no item the
calling system was not granted appears, masked grants come back masked,
unmasked names equal the database, and verify answers match the truth.
After the run the audit rows written are compared with the calls made:
they must be equal. Throughput, p50/p95/p99 latencies and error counts are
printed and written to ``bench/out/load-<persons>.json``.
"""

import argparse
import collections
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = (("lookup", 70), ("verify", 15), ("search", 10), ("dossier", 5))
SAMPLE_KEYS = 20_000

# Grant profiles: (item field, mode, masked). Every system can look up, verify and
# search by name; the rest varies, so that each system sees a different cut.
BASE_GRANTS = [("id_number", "search", False), ("name", "search", False), ("gender", "lookup", False)]
OPTIONAL_GRANTS = [
    ("birth_date", "lookup", False),
    ("birth_date", "verify", False),
    ("ethnicity", "lookup", False),
    ("household_division", "search", False),
    ("household_address", "lookup", True),
    ("residence_address", "lookup", False),
    ("marital_status", "lookup", False),
    ("education_level", "verify", False),
    ("social_insurance_status", "lookup", False),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--systems", type=int, default=12, help="consumer systems with different grants")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--threads", type=int, default=None, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hub_bench_load"),
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    return parser.parse_args()


# -- preparing the database -----------------------------------------------------------------


def ensure_database(url):
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed_persons(target, seed):
    """COPY synthetic persons in (all items, every source stamped), one creation history row each.

    Rows are staged and merged with ``ON CONFLICT DO NOTHING`` (a generated ID
    number may already exist), repeated until ``target`` persons are present.
    """
    from django.db import connection
    from django.utils import timezone

    from population.demo import SOURCE_ITEMS, generate_persons
    from population.models import Person

    item_fields = [f.column for f in Person.item_fields()]
    columns = ", ".join(["created_at", "updated_at", "source_stamps", *item_fields])
    table = Person._meta.db_table
    history = Person.history.model._meta.db_table
    started = time.perf_counter()
    round_ = 0
    while (existing := Person.objects.count()) < target:
        missing = target - existing
        print(f"persons: {existing} present, loading {missing} with COPY ...", flush=True)
        now = timezone.now()
        stamps = json.dumps({department: now.isoformat() for department in SOURCE_ITEMS})
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            before = cursor.fetchone()[0]
            cursor.execute(f"CREATE TEMP TABLE bench_stage AS SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY bench_stage ({columns}) FROM STDIN") as copy:
                rows = generate_persons(missing, seed=seed + 7919 * round_ + existing, start=existing)
                for row in rows:
                    copy.write_row([now, now, stamps, *(row.get(name, "") for name in item_fields)])
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bench_stage"
                " ON CONFLICT (id_number) DO NOTHING"
            )
            cursor.execute("DROP TABLE bench_stage")
            history_columns = ", ".join(["id", *item_fields])
            cursor.execute(
                f"INSERT INTO {history} ({history_columns}, history_date, history_change_reason,"
                " history_type, source_department, acting_system, batch)"
                f" SELECT {history_columns}, created_at, 'bench seed', '+', 'gat', '', 'bench-seed'"
                f" FROM {table} WHERE id > %s",
                [before],
            )
        round_ += 1
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    print(f"persons: {Person.objects.count()} present ({time.perf_counter() - started:.0f} s)", flush=True)


def register_systems(count, rng):
    """``count`` systems, each with the base grants plus a random few others; returns their profiles."""
    from hub.access.choices import Mode
    from hub.access.models import ApiKey, ConsumerSystem, Grant
    from hub.catalogue.models import DataItem, Department

    department = Department.objects.order_by("code").first()
    items = {item.code: item for item in DataItem.objects.filter(dataset__code="population.person")}
    profiles = []
    for index in range(count):
        system = ConsumerSystem.objects.create(
            name=f"bench-{secrets.token_hex(4)}-{index}", department=department
        )
        grants = BASE_GRANTS + rng.sample(OPTIONAL_GRANTS, rng.randint(0, 4))
        if index % 3 == 0:  # a third of the systems see names masked only
            grants = [(f, m, True if f == "name" else masked) for f, m, masked in grants]
        for field, mode, masked in grants:
            Grant.objects.create(
                system=system,
                item=items[f"population.person.{field}"],
                mode=Mode.from_name(mode),
                masked=masked,
            )
        _key, raw = ApiKey.issue(system)
        profiles.append(Profile(system.name, raw, grants))
    return profiles


class Profile:
    """What a system may see, mode by mode (search ⊇ lookup ⊇ verify), and what is masked."""

    RANK = {"verify": 1, "lookup": 2, "search": 3}

    def __init__(self, name, key, grants):
        self.name = name
        self.key = key
        self.best = {}
        self.clear = {}
        for field, mode, masked in grants:
            rank = self.RANK[mode]
            self.best[field] = max(self.best.get(field, 0), rank)
            if not masked:
                self.clear[field] = max(self.clear.get(field, 0), rank)

    def fields(self, mode):
        return {f for f, rank in self.best.items() if rank >= self.RANK[mode]}

    def masked(self, field, mode):
        return self.clear.get(field, 0) < self.RANK[mode]


# -- the load -------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.status = collections.Counter()
        self.errors = collections.Counter()
        self.leaks = 0
        self.wrong = 0
        self.examples = []

    def record(self, op, seconds, status, problems):
        with self.lock:
            self.latency[op].append(seconds)
            self.status[(op, status)] += 1
            for kind, detail in problems:
                if kind == "leak":
                    self.leaks += 1
                elif kind == "wrong":
                    self.wrong += 1
                else:
                    self.errors[kind] += 1
                if len(self.examples) < 20:
                    self.examples.append({"op": op, "kind": kind, "detail": detail[:300]})


def check_record(record, profile, mode, truth, key):
    """Problems in one returned record: ungranted items, unmasked masked ones, wrong values."""
    problems = []
    allowed = profile.fields(mode)
    extra = set(record) - allowed
    if extra:
        problems.append(("leak", f"{mode} returned ungranted {sorted(extra)}"))
    name = record.get("name")
    if name is not None:
        if profile.masked("name", mode):
            if "*" not in name:
                problems.append(("leak", f"{mode} name not masked: {name}"))
        elif key in truth and name != truth[key]:
            problems.append(("wrong", f"{mode} name {name!r} != {truth[key]!r}"))
    return problems


def client_loop(base, profile, keys, truth, stats, deadline, seed, dossier_path):
    rng = random.Random(seed)
    ops = [op for op, weight in MIX for _ in range(weight)]
    conn = http.client.HTTPConnection(base[0], base[1], timeout=30)
    headers = {"Authorization": f"Api-Key {profile.key}", "Accept": "application/json"}
    while time.monotonic() < deadline:
        op = rng.choice(ops)
        key = rng.choice(keys)
        body = None
        if op == "lookup":
            method, path, expected = "GET", f"/api/v1/population/persons/{key}/", 200
        elif op == "verify":
            claimed = truth[key] if rng.random() < 0.8 else truth[key] + "伪"
            body = json.dumps({"id_number": key, "name": claimed})
            method, path, expected = "POST", "/api/v1/population/persons/verify/", 200
        elif op == "search":
            method, path, expected = (
                "GET",
                "/api/v1/population/persons/?"
                + urllib.parse.urlencode({"name": truth[key], "page_size": 20}),
                200,
            )
        else:
            method, path, expected = "GET", dossier_path.format(key=key), 200
        send = dict(headers, **({"Content-Type": "application/json"} if body else {}))
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body.encode() if body else None, headers=send)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            stats.record(op, time.perf_counter() - started, 0, [("connection", repr(exc))])
            conn.close()
            conn = http.client.HTTPConnection(base[0], base[1], timeout=30)
            continue
        elapsed = time.perf_counter() - started
        problems = []
        if status != expected:
            problems.append((f"status {status}", raw.decode(errors="replace")))
        else:
            try:
                payload = json.loads(raw)
            except ValueError:
                problems.append(("not json", raw[:200].decode(errors="replace")))
                payload = None
            if payload is not None:
                problems += check_response(op, payload, profile, truth, key, body)
        if response.getheader("X-Request-ID") is None:
            problems.append(("no request id", path))
        stats.record(op, elapsed, status, problems)
    conn.close()


def check_response(op, payload, profile, truth, key, body):
    if op == "lookup":
        return check_record(payload, profile, "lookup", truth, key)
    if op == "search":
        problems = []
        for record in payload["results"]:
            problems += check_record(record, profile, "search", truth, record.get("id_number", ""))
            if record.get("name") and not profile.masked("name", "search") and record["name"] != truth[key]:
                problems.append(("wrong", f"search for {truth[key]} returned {record['name']}"))
        if not payload["results"]:
            problems.append(("wrong", f"search for {truth[key]} found nothing"))
        return problems
    if op == "verify":
        sent = json.loads(body)
        problems = []
        if set(payload) != {"match", "items"} or set(payload["items"]) != {"name"}:
            problems.append(("leak", f"verify answered {sorted(payload)}"))
        if payload.get("match") is not (sent["name"] == truth[key]):
            problems.append(("wrong", f"verify {sent} answered {payload}"))
        return problems
    # dossier (or history until the dossier endpoint exists): granted items only.
    problems = []
    text = json.dumps(payload, ensure_ascii=False)
    for field in ("household_address", "residence_address", "education_level", "social_insurance_status"):
        if field not in profile.fields("lookup") and f'"{field}"' in text:
            problems.append(("leak", f"dossier/history shows {field}"))
    return problems


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port, server, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see bench/out/gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not become ready")


def main():
    args = parse_args()
    env = dict(os.environ, DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="hub.settings")
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="hub.settings")
    ensure_database(args.database_url)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_catalogue")

    import django

    django.setup()
    from django.db import connection

    from hub.access.models import AuditEntry
    from population.models import Person

    rng = random.Random(args.seed)
    seed_persons(args.persons, args.seed)
    persons = Person.objects.count()
    profiles = register_systems(args.systems, rng)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, name FROM population_person TABLESAMPLE SYSTEM (%s) LIMIT %s",
            [min(100.0, 100.0 * SAMPLE_KEYS * 3 / max(persons, 1)), SAMPLE_KEYS],
        )
        truth = dict(cursor.fetchall())
    keys = list(truth)

    args.port = args.port or free_port()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server_env = dict(
        env,
        HUB_DEBUG="0",
        HUB_SECRET_KEY=secrets.token_urlsafe(64),
        HUB_ALLOWED_HOSTS="127.0.0.1,localhost",
        HUB_SSL_REDIRECT="0",
        HUB_BIND=f"127.0.0.1:{args.port}",
        HUB_THROTTLE_RATE="100000000/min",
        HUB_LOG_LEVEL="WARNING",
    )
    if args.workers:
        server_env["HUB_WORKERS"] = str(args.workers)
    if args.threads:
        server_env["HUB_THREADS"] = str(args.threads)
    log = open(out / "gunicorn.log", "w")  # noqa: SIM115  (closed after the server stops)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "hub.wsgi", "--config", "hub/gunicorn.conf.py"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(args.port, server)
        probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        probe.request(
            "GET", f"/api/v1/subjects/{keys[0]}/", headers={"Authorization": f"Api-Key {profiles[0].key}"}
        )
        dossier_live = probe.getresponse().status != 404
        dossier_path = (
            "/api/v1/subjects/{key}/" if dossier_live else "/api/v1/population/persons/{key}/history/"
        )

        audit_before = AuditEntry.objects.count()
        stats = Stats()
        deadline = time.monotonic() + args.duration
        started = time.perf_counter()
        threads = [
            threading.Thread(
                target=client_loop,
                args=(
                    ("127.0.0.1", args.port),
                    profiles[i % len(profiles)],
                    keys,
                    truth,
                    stats,
                    deadline,
                    args.seed + i,
                    dossier_path,
                ),
            )
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        time.sleep(0.5)
        audit_rows = AuditEntry.objects.count() - audit_before
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    calls = sum(len(v) for v in stats.latency.values())
    all_latencies = [x for v in stats.latency.values() for x in v]
    errors = sum(stats.errors.values())

    def ms(value):
        return None if value is None else round(value * 1000, 1)

    result = {
        "persons": persons,
        "systems": len(profiles),
        "clients": args.clients,
        "workers": int(server_env.get("HUB_WORKERS", os.cpu_count() * 2 + 1)),
        "threads": int(server_env.get("HUB_THREADS", 4)),
        "duration_s": round(wall, 1),
        "cpus": os.cpu_count(),
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "dossier": "subjects" if dossier_live else "history (dossier endpoint not on this branch)",
        "calls": calls,
        "throughput_rps": round(calls / wall, 1),
        "p50_ms": ms(percentile(all_latencies, 0.50)),
        "p95_ms": ms(percentile(all_latencies, 0.95)),
        "p99_ms": ms(percentile(all_latencies, 0.99)),
        "per_operation": {
            op: {
                "calls": len(values),
                "p50_ms": ms(percentile(values, 0.50)),
                "p95_ms": ms(percentile(values, 0.95)),
                "p99_ms": ms(percentile(values, 0.99)),
                "mean_ms": ms(statistics.fmean(values)) if values else None,
            }
            for op, values in sorted(stats.latency.items())
        },
        "statuses": {f"{op} {status}": n for (op, status), n in sorted(stats.status.items())},
        "errors": errors,
        "error_kinds": dict(stats.errors),
        "ungranted_or_unmasked_items": stats.leaks,
        "wrong_answers": stats.wrong,
        "audit_rows": audit_rows,
        "audit_rows_equal_calls": audit_rows == calls,
        "examples": stats.examples,
    }
    path = out / f"load-{persons}-c{args.clients}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "examples"}, indent=2, ensure_ascii=False))
    if stats.examples:
        print("first problems:", json.dumps(stats.examples[:5], ensure_ascii=False, indent=2))
    print(f"written to {path}")
    ok = errors == 0 and stats.leaks == 0 and stats.wrong == 0 and audit_rows == calls
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
