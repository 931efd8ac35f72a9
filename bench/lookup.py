"""Governed lookup and search vs bare DRF views over the same table, under gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench .venv/bin/python bench/lookup.py \
        [--persons 20000] [--seconds 8] [--rounds 3] [--clients 8] [--workers 2] [--page-size 20]

Both kinds of endpoint are served by the same gunicorn process, started with
the production configuration (``hub/gunicorn.conf.py``: gthread workers from
the CPU count; ``HUB_DEBUG=0``, as ``bench/load.py`` runs it); the governed
ones authenticate an API key, resolve grants, mask, and append a hash-chained
audit row in the read's transaction. Three comparisons, each governed vs bare:

- lookup: ``/api/v1/population/persons/<id>/`` vs a ``RetrieveAPIView``;
- search, first page: ``/api/v1/population/persons/?ordering=name&page_size=N``
  (keyset pagination, sealed AES-SIV cursors) vs a ``ListAPIView`` with DRF's
  ``CursorPagination`` ordered by (name, id), same fields and page size;
- search, tenth page: the URL reached on each side by following ``next`` links
  from the first page nine times, then requested over and over.

The search pages are walked once before timing; a governed response other
than 200 stops the bench and is printed. Rounds alternate bare and governed
load (lookup, first page, tenth page in each round) so drift in the machine's
speed hits both; the medians and the governed/bare ratios are printed.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


# Search-mode grants of the search run: the bare list's fields; the address shown masked, as in the
# lookup run (masked items are for display only, so the ordering is on an unmasked one).
SEARCH_GRANTS = [
    ("id_number", False),
    ("name", False),
    ("gender", False),
    ("birth_date", False),
    ("household_division", False),
    ("household_address", True),
]


def setup(persons):
    import django

    django.setup()
    from django.core.management import call_command

    from hub.access.models import ApiKey, AuditEntry, ConsumerSystem, Grant
    from hub.catalogue.models import DataItem, Department
    from population.models import Person

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))
    if Person.objects.count() < persons:
        from population.demo import seed

        class Quiet:
            stdout = open(os.devnull, "w")

        seed(Quiet(), persons=persons)
    system, _ = ConsumerSystem.objects.get_or_create(
        name="bench-consumer", defaults={"department": Department.objects.get(code="dsj")}
    )
    for field, masked in [
        ("id_number", False),
        ("name", False),
        ("gender", False),
        ("birth_date", False),
        ("household_division", False),
        ("household_address", True),
    ]:
        Grant.objects.get_or_create(
            system=system,
            item=DataItem.objects.get(code=f"population.person.{field}"),
            defaults={"mode": 2, "masked": masked},
        )
    _key, raw = ApiKey.issue(system, name="bench")
    # The search run's own system: the same items in search mode (a search grant implies lookup),
    # so the lookup system's grants, and with them the lookup comparison, stay as they were.
    searcher, _ = ConsumerSystem.objects.get_or_create(
        name="bench-search-consumer", defaults={"department": Department.objects.get(code="dsj")}
    )
    for field, masked in SEARCH_GRANTS:
        Grant.objects.update_or_create(
            system=searcher,
            item=DataItem.objects.get(code=f"population.person.{field}"),
            defaults={"mode": 3, "masked": masked},
        )
    _key, raw_search = ApiKey.issue(searcher, name="bench-search")
    keys = list(Person.objects.values_list("id_number", flat=True)[:5000])
    return raw, raw_search, keys, AuditEntry.objects.count


def cpu_seconds(server_pid):
    """CPU seconds used so far by the gunicorn tree and by PostgreSQL's processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0.0
    children = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        pid, ppid = int(entry), int(fields[1])
        stats[pid] = (comm, (int(fields[11]) + int(fields[12])) / tick)
        children.setdefault(ppid, []).append(pid)
    todo = [server_pid]
    while todo:
        pid = todo.pop()
        server += stats[pid][1] if pid in stats else 0.0
        todo.extend(children.get(pid, []))
    postgres = sum(cpu for comm, cpu in stats.values() if comm.startswith("postgres"))
    return server, postgres


def load(port, path_for, headers, seconds, clients):
    latencies = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        rng = random.Random()
        mine = []
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            started = time.perf_counter()
            try:
                conn.request("GET", path_for(rng), headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    with lock:
                        errors[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "requests": len(latencies),
        "errors": errors[0],
    }


def fetch(port, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def walk(port, first, headers, pages, label):
    """The path of page ``pages`` (following ``next`` from ``first``) and each page's records' keys.

    Any response but a 200 with a ``next`` link stops the bench and is printed whole.
    """
    path, seen = first, []
    for number in range(1, pages + 1):
        status, response_headers, body = fetch(port, path, headers)
        payload = json.loads(body) if status == 200 else None
        if payload is None or (number < pages and not payload.get("next")):
            sys.exit(
                f"{label}: page {number} ({path}) answered {status}\n"
                + "".join(f"{name}: {value}\n" for name, value in response_headers.items())
                + "\n"
                + body.decode("utf-8", "replace")
            )
        seen.append([row.get("id_number") for row in payload["results"]])
        if number < pages:
            link = urllib.parse.urlsplit(payload["next"])
            path = f"{link.path}?{link.query}"
    return path, seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="default: the production config's")
    parser.add_argument("--threads", type=int, default=None, help="default: the production config's")
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--page-size", type=int, default=20, help="search run: records per page")
    parser.add_argument("--page", type=int, default=10, help="search run: the deeper page timed")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it will be migrated and seeded).")

    import socket

    from bench.load import ensure_database

    with socket.socket() as probe:  # a server left on the port would answer instead of ours
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"Port {args.port} is already served (a server left from an earlier run?); use --port.")
    ensure_database(os.environ["DATABASE_URL"])
    raw_key, raw_search_key, keys, audit_count = setup(args.persons)
    from bench.urls import SEARCH_ORDERING

    assert SEARCH_ORDERING[1:] == ("id",), SEARCH_ORDERING  # the governed keyset adds the id itself
    ordering = SEARCH_ORDERING[0]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.wsgi", "--config", "hub/gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            # as production runs: no debug (Django would keep every query's SQL for the toolbar)
            "HUB_DEBUG": "0",
            "HUB_SECRET_KEY": secrets.token_urlsafe(64),
            "HUB_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HUB_SSL_REDIRECT": "0",
            "HUB_CONN_MAX_AGE": "600",
            "HUB_BIND": f"127.0.0.1:{args.port}",
            "HUB_LOG_LEVEL": "warning",
            **({"HUB_WORKERS": str(args.workers)} if args.workers else {}),
            **({"HUB_THREADS": str(args.threads)} if args.threads else {}),
        },
    )
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        governed_headers = {"Authorization": f"Api-Key {raw_key}"}
        search_headers = {"Authorization": f"Api-Key {raw_search_key}"}
        query = f"ordering={ordering}&page_size={args.page_size}"
        bare_deep, bare_pages = walk(
            args.port, f"/bare/persons/?page_size={args.page_size}", {}, args.page, "bare list"
        )
        governed_deep, governed_pages = walk(
            args.port, f"/api/v1/population/persons/?{query}", search_headers, args.page, "governed search"
        )
        same_pages = bare_pages == governed_pages
        benches = {
            "lookup": {
                "bare": (lambda rng: f"/bare/persons/{rng.choice(keys)}/", {}),
                "governed": (lambda rng: f"/api/v1/population/persons/{rng.choice(keys)}/", governed_headers),
            },
            "search_first": {
                "bare": (lambda rng: f"/bare/persons/?page_size={args.page_size}", {}),
                "governed": (lambda rng: f"/api/v1/population/persons/?{query}", search_headers),
            },
            f"search_page{args.page}": {
                "bare": (lambda rng: bare_deep, {}),
                "governed": (lambda rng: governed_deep, search_headers),
            },
        }
        results = {bench: {"bare": [], "governed": []} for bench in benches}
        audited = dict.fromkeys(benches, 0)
        for _round in range(args.rounds):
            for bench, targets in benches.items():
                for name, (path_for, headers) in targets.items():
                    audit_before = audit_count()
                    before = cpu_seconds(server.pid)
                    result = load(args.port, path_for, headers, args.seconds, args.clients)
                    after = cpu_seconds(server.pid)
                    if name == "governed":
                        audited[bench] += audit_count() - audit_before
                    done = max(result["requests"], 1)
                    result["server_cpu_ms"] = (after[0] - before[0]) / done * 1000
                    result["postgres_cpu_ms"] = (after[1] - before[1]) / done * 1000
                    results[bench][name].append(result)
    finally:
        server.terminate()
        server.wait()

    summary = {}
    for bench, sides in results.items():
        summary[bench] = {}
        for name, runs in sides.items():
            summary[bench][name] = {
                "rps_median": statistics.median(r["rps"] for r in runs),
                "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "requests": sum(r["requests"] for r in runs),
                "server_cpu_ms": statistics.median(r["server_cpu_ms"] for r in runs),
                "postgres_cpu_ms": statistics.median(r["postgres_cpu_ms"] for r in runs),
            }
    ratios = {
        bench: summary[bench]["governed"]["rps_median"] / summary[bench]["bare"]["rps_median"]
        for bench in summary
    }
    print(
        f"persons={args.persons} clients={args.clients} workers={args.workers or 'config'} "
        f"threads={args.threads or 'config'} rounds={args.rounds} x {args.seconds}s "
        f"search: ordering={ordering} page_size={args.page_size} deep page={args.page}"
    )
    for bench in summary:
        for name in ("bare", "governed"):
            s = summary[bench][name]
            print(
                f"{bench:13s} {name:9s} {s['rps_median']:8.1f} req/s  p50 {s['p50_ms_median']:6.2f} ms  "
                f"p99 {s['p99_ms_median']:6.2f} ms  errors {s['errors']}  "
                f"CPU per call: gunicorn {s['server_cpu_ms']:.2f} ms, "
                f"PostgreSQL {s['postgres_cpu_ms']:.2f} ms"
            )
    for bench, ratio in ratios.items():
        print(f"{bench:13s} governed/bare throughput ratio (median): {ratio:.2f}")
    print(f"search pages 1-{args.page}: governed and bare list the same records in order: {same_pages}")
    for bench in summary:
        print(
            f"{bench:13s} audit rows written: {audited[bench]} for "
            f"{summary[bench]['governed']['requests']} governed calls"
        )
    print(
        json.dumps(
            {
                "summary": summary,
                "ratio": ratios["lookup"],
                "ratios": ratios,
                "same_pages": same_pages,
                "audited": audited,
            }
        )
    )


if __name__ == "__main__":
    main()
