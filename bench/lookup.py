"""Governed lookup vs a bare DRF RetrieveAPIView over the same table, under gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench .venv/bin/python bench/lookup.py \
        [--persons 20000] [--seconds 8] [--rounds 3] [--clients 8] [--workers 2]

Both endpoints are served by the same gunicorn process, started with the
production configuration (``hub/gunicorn.conf.py``: gthread workers from the
CPU count; ``HUB_DEBUG=0``, as ``bench/load.py`` runs it); the governed one
authenticates an API key, resolves grants, masks, and appends a hash-chained
audit row in the read's transaction. Rounds alternate bare and governed
load so drift in the machine's speed hits both; the medians and their ratio
are printed.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


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
    keys = list(Person.objects.values_list("id_number", flat=True)[:5000])
    return raw, keys, AuditEntry.objects.count


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="default: the production config's")
    parser.add_argument("--threads", type=int, default=None, help="default: the production config's")
    parser.add_argument("--port", type=int, default=8391)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it will be migrated and seeded).")

    import socket

    from bench.load import ensure_database

    with socket.socket() as probe:  # a server left on the port would answer instead of ours
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"Port {args.port} is already served (a server left from an earlier run?); use --port.")
    ensure_database(os.environ["DATABASE_URL"])
    raw_key, keys, audit_count = setup(args.persons)
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
        results = {"bare": [], "governed": []}
        audit_before = audit_count()
        targets = {
            "bare": (lambda rng: f"/bare/persons/{rng.choice(keys)}/", {}),
            "governed": (lambda rng: f"/api/v1/population/persons/{rng.choice(keys)}/", governed_headers),
        }
        for _round in range(args.rounds):
            for name, (path_for, headers) in targets.items():
                before = cpu_seconds(server.pid)
                result = load(args.port, path_for, headers, args.seconds, args.clients)
                after = cpu_seconds(server.pid)
                done = max(result["requests"], 1)
                result["server_cpu_ms"] = (after[0] - before[0]) / done * 1000
                result["postgres_cpu_ms"] = (after[1] - before[1]) / done * 1000
                results[name].append(result)
        audited = audit_count() - audit_before
    finally:
        server.terminate()
        server.wait()

    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "rps_median": statistics.median(r["rps"] for r in runs),
            "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "requests": sum(r["requests"] for r in runs),
            "server_cpu_ms": statistics.median(r["server_cpu_ms"] for r in runs),
            "postgres_cpu_ms": statistics.median(r["postgres_cpu_ms"] for r in runs),
        }
    ratio = summary["governed"]["rps_median"] / summary["bare"]["rps_median"]
    print(
        f"persons={args.persons} clients={args.clients} workers={args.workers or 'config'} "
        f"threads={args.threads or 'config'} rounds={args.rounds} x {args.seconds}s"
    )
    for name in ("bare", "governed"):
        s = summary[name]
        print(
            f"{name:9s} {s['rps_median']:8.1f} req/s  p50 {s['p50_ms_median']:6.2f} ms  "
            f"p99 {s['p99_ms_median']:6.2f} ms  errors {s['errors']}  "
            f"CPU per call: gunicorn {s['server_cpu_ms']:.2f} ms, PostgreSQL {s['postgres_cpu_ms']:.2f} ms"
        )
    print(f"governed/bare throughput ratio (median): {ratio:.2f}")
    print(f"audit rows written: {audited} for {summary['governed']['requests']} governed calls")
    print(json.dumps({"summary": summary, "ratio": ratio, "audited": audited}))


if __name__ == "__main__":
    main()
