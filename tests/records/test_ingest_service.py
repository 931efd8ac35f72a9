"""The ingestion service itself: both loaders agree, concurrency, a killed connection, the command."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from hub.records.ingest import ingest, postgres
from hub.records.models import IngestBatch
from hub.records.sources import SourceRuleViolation
from population.models import Person

from .ingest_helpers import as_csv, as_json, gat_rows, snapshot

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")


def run(rows, department, engine="auto", **options):
    return ingest(
        "population.person",
        io.BytesIO(as_json(rows)),
        fmt="json",
        department=department,
        engine=engine,
        **options,
    )


def batches(rows):
    """A sequence of batches touching every path: create, reject, update, no-op, other sources."""
    keys = [r["id_number"] for r in rows]
    changed = [
        dict(r, residence_address=r["residence_address"] + "A") if i % 3 == 0 else r
        for i, r in enumerate(rows)
    ]
    invalid = [dict(rows[0], gender="7"), *changed[1:]]
    return [
        ("gat", rows[:6]),
        ("gat", rows),
        ("gat", invalid),
        ("mzt", [{"id_number": k, "marital_status": "20" if i % 2 else "10"} for i, k in enumerate(keys)]),
        ("jyt", [{"id_number": k, "education_level": "21"} for k in keys[:4]]),
        ("mzt", [{"id_number": k, "marital_status": "20"} for k in keys]),
        ("gat", [{"id_number": k, "residence_address": "同一地址"} for k in keys[2:5]]),
        ("wjw", [{"id_number": keys[0], "death_date": "2025-01-02"}]),
        ("wjw", [{"id_number": keys[1], "death_date": "2025-13-01"}]),
    ]


def _plain(report):
    return {k: v for k, v in report.items() if k != "batch"}


@postgres_only
@pytest.mark.django_db
def test_copy_and_orm_loaders_give_the_same_records_history_and_reports():
    rows = gat_rows(12, seed=99)
    outcomes = {}
    for engine in ("orm", "copy"):
        Person.objects.all().delete()
        Person.history.all().delete()
        reports = [_plain(run(part, department, engine=engine).report) for department, part in batches(rows)]
        outcomes[engine] = (reports, *snapshot(Person))
    orm, copy = outcomes["orm"], outcomes["copy"]
    assert orm[0] == copy[0]  # reports
    assert orm[1] == copy[1]  # records
    assert orm[2] == copy[2]  # history
    assert [r["created"] for r in copy[0]][:2] == [6, 6]
    assert copy[0][2]["rejected"][0]["row"] == 1
    assert len(copy[2]) > 20


@pytest.mark.django_db
def test_orm_loader_sequence_counts():
    """The same sequence on any database, with the counts worked out by hand."""
    rows = gat_rows(12, seed=98)
    reports = [run(part, department).report for department, part in batches(rows)]
    counts = [(r["created"], r["updated"], r["unchanged"], r["rejected_count"]) for r in reports]
    assert counts == [
        (6, 0, 0, 0),
        (6, 0, 6, 0),
        (0, 3, 8, 1),  # row 1 has an invalid gender; rows 4, 7, 10 changed their address
        (0, 12, 0, 0),
        (0, 4, 0, 0),
        (0, 6, 6, 0),
        (0, 3, 0, 0),  # a partial batch of public security's own items
        (0, 1, 0, 0),
        (0, 0, 0, 1),  # no such date
    ]
    assert list(reports[2]["rejected"][0]["errors"]) == ["gender"]


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    outcome = run(gat_rows(3), "gat", dry_run=True)
    assert outcome.report["created"] == 3 and outcome.batch is None
    assert Person.objects.count() == 0 and IngestBatch.objects.count() == 0


@pytest.mark.django_db
def test_source_rule_error_from_the_service():
    with pytest.raises(SourceRuleViolation) as refused:
        run([{"id_number": "1", "name": "x"}], "mzt")
    assert refused.value.violations == [{"item": "population.person.name", "source": "gat"}]


@pytest.mark.django_db
def test_ingest_command(tmp_path, capsys):
    rows = gat_rows(5)
    path = tmp_path / "persons.csv"
    path.write_bytes(as_csv(rows, encoding="gb18030"))
    out = io.StringIO()
    call_command("ingest", "population.person", str(path), department="gat", no_progress=True, stdout=out)
    summary = json.loads(out.getvalue().splitlines()[-2])
    assert (summary["created"], summary["rejected_count"]) == (5, 0)
    assert Person.objects.count() == 5
    assert IngestBatch.objects.get().channel == "command"
    from django.core.management.base import CommandError

    path.write_bytes(as_csv([{"id_number": rows[0]["id_number"], "name": "x"}]))
    with pytest.raises(CommandError, match="population.person.name"):
        call_command("ingest", "population.person", str(path), department="mzt", no_progress=True, stdout=out)


@pytest.mark.django_db
def test_seed_writes_each_departments_items():
    from population import demo

    class Command:
        stdout = io.StringIO()

    demo.seed(Command(), persons=20)
    assert Person.objects.count() == 20
    sources = set(Person.history.values_list("source_department", flat=True))
    assert sources == {"gat", "mzt", "jyt", "rst"}
    person = Person.objects.exclude(education_level="").first()
    assert {"gat", "mzt", "jyt", "rst"} == set(person.source_stamps)


# -- transactional: real concurrency and a connection killed midway ---------------------


def _in_thread(fn, results, name):
    def target():
        try:
            results[name] = fn()
        except Exception as exc:  # surfaced by the assertions below
            results[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_departments_loading_the_same_records_at_once_lose_nothing(catalogue):
    rows = gat_rows(3000, seed=5)
    run(rows, "gat")
    keys = [r["id_number"] for r in rows]
    changed = [dict(r, residence_address=r["residence_address"] + "B") for r in rows]
    civil = [{"id_number": k, "marital_status": "40"} for k in keys]
    barrier = threading.Barrier(2)
    results = {}

    def load(part, department):
        barrier.wait()
        return run(part, department).report

    threads = [
        _in_thread(lambda: load(changed, "gat"), results, "gat"),
        _in_thread(lambda: load(civil, "mzt"), results, "mzt"),
    ]
    for thread in threads:
        thread.join()
    assert results["gat"]["updated"] == 3000, results["gat"]
    assert results["mzt"]["updated"] == 3000, results["mzt"]
    assert Person.objects.exclude(marital_status="40").count() == 0
    assert Person.objects.exclude(residence_address__endswith="B").count() == 0
    assert all(
        set(stamps) == {"gat", "mzt"} for stamps in Person.objects.values_list("source_stamps", flat=True)
    )
    # the later of the two history rows of each person shows both changes
    last = (
        Person.history.filter(history_type="~").order_by("id", "-history_date", "-history_id").distinct("id")
    )
    assert all(h.marital_status == "40" and h.residence_address.endswith("B") for h in last)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_connection_is_killed_midway_writes_nothing(catalogue, monkeypatch):
    rows = gat_rows(2500, seed=6)
    monkeypatch.setattr(postgres, "MERGE_CHUNK", 500)
    killed = []

    def kill_after_first_chunk(count):
        if killed:
            return
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.append(cursor.fetchone()[0])
        finally:
            other.close()

    from django.db import DatabaseError

    with pytest.raises(DatabaseError):
        run(rows, "gat", idempotency_key="k-1", on_merge=kill_after_first_chunk)
    assert killed == [True]
    connection.close()
    assert Person.objects.count() == 0
    assert Person.history.count() == 0
    assert not IngestBatch.objects.filter(status="completed").exists()
    report = run(rows, "gat", idempotency_key="k-1").report
    assert (report["created"], report["updated"], report["unchanged"], report["rejected_count"]) == (
        2500,
        0,
        0,
        0,
    )
    assert Person.objects.count() == 2500 and Person.history.count() == 2500


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL variant is above")
@pytest.mark.django_db(transaction=True)
def test_two_departments_loading_at_once_on_sqlite_lose_nothing(catalogue):
    """SQLite admits one writer at a time: the second batch waits (here: retries) and loses nothing."""
    import time

    from django.db import OperationalError

    rows = gat_rows(300, seed=7)
    run(rows, "gat")
    keys = [r["id_number"] for r in rows]
    changed = [dict(r, residence_address=r["residence_address"] + "B") for r in rows]
    civil = [{"id_number": k, "marital_status": "40"} for k in keys]
    barrier = threading.Barrier(2)
    results = {}

    def load(part, department):
        barrier.wait()
        deadline = time.monotonic() + 60  # generous: the machine may be busy
        while time.monotonic() < deadline:
            try:
                return run(part, department).report
            except OperationalError as error:  # "database table is locked": the other batch is writing
                if "locked" not in str(error):
                    raise
                time.sleep(0.02)
        raise AssertionError("never got the write lock")

    threads = [
        _in_thread(lambda: load(changed, "gat"), results, "gat"),
        _in_thread(lambda: load(civil, "mzt"), results, "mzt"),
    ]
    for thread in threads:
        thread.join()
    assert results["gat"]["updated"] == 300, results["gat"]
    assert results["mzt"]["updated"] == 300, results["mzt"]
    assert Person.objects.exclude(marital_status="40").count() == 0
    assert Person.objects.exclude(residence_address__endswith="B").count() == 0
    assert all(set(s) == {"gat", "mzt"} for s in Person.objects.values_list("source_stamps", flat=True))
    assert IngestBatch.objects.filter(status="completed").count() == 3
