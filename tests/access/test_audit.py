"""The audit log: one row per call, append-only, hash-chained, failing closed."""

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from hub.access import audit
from hub.access.models import AuditEntry
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db


def calls(n=3):
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    for _ in range(n):
        assert client.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 200
    return person, client


def as_database_owner(sql, params):
    """Run ``sql`` past the append-only trigger, as the database owner can."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if postgres:
                cursor.execute("SET session_replication_role = origin")


def test_chain_links_each_row_to_the_previous():
    calls(3)
    rows = list(AuditEntry.objects.order_by("id"))
    assert rows[0].prev_hash == audit.GENESIS
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == previous.hash
    assert audit.verify()[1] is None
    call_command("verify_audit", verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_refuses_update_and_delete():
    calls(1)
    entry = AuditEntry.objects.get()
    with pytest.raises(DatabaseError, match="append-only"):
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute("UPDATE access_auditentry SET status = 200 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()


def test_tampering_by_the_database_owner_is_found():
    calls(3)
    victim = AuditEntry.objects.order_by("id")[1]
    # The owner can bypass the trigger; the chain still gives it away.
    as_database_owner("UPDATE access_auditentry SET result_count = 0 WHERE id = %s", [victim.pk])
    checked, broken, why = audit.verify()
    assert broken.pk == victim.pk and checked == 1
    assert "hash" in why
    with translation.override("en"), pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("verify_audit", verbosity=0)


def test_a_failing_audit_insert_fails_the_read_closed():
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    with mock.patch("hub.access.audit._insert", side_effect=DatabaseError("disk full")):
        response = client.get(f"/api/v1/population/persons/{person.id_number}/")
    assert response.status_code == 503
    assert person.name not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_audit_row_records_who_what_and_how():
    person, client = calls(1)
    entry = AuditEntry.objects.get()
    assert entry.system.api_keys.get().prefix == entry.key_prefix
    assert entry.endpoint == f"/api/v1/population/persons/{person.id_number}/"
    assert (entry.method, entry.dataset, entry.mode, entry.status) == (
        "GET",
        "population.person",
        "lookup",
        200,
    )
    assert entry.subject_keys == [person.id_number] and entry.items == ["population.person.name"]
    assert entry.key_prefix and entry.client_ip == "127.0.0.1"


def test_who_used_this_subjects_data():
    from django.test import Client

    from tests.factories import make_steward

    person, _client = calls(2)
    other = make_person()
    operator = make_steward("dsj")
    operator.is_superuser = True
    operator.save()
    web = Client()
    web.force_login(operator)
    report = web.get(f"/api/v1/access/usage/subjects/{person.id_number}/").json()
    assert len(report["results"]) == 2
    assert web.get(f"/api/v1/access/usage/subjects/{other.id_number}/").json()["results"] == []
    usage = web.get("/api/v1/access/usage/").json()
    # the operator's own calls are audited too, under its user name and no system
    assert sum(row["calls"] for row in usage["results"] if row["system"]) == 2
    assert usage["by_item"] == [{"item": "population.person.name", "calls": 2}]
    assert usage["by_department"][0]["calls"] == 2
    assert web.get("/api/v1/access/usage/", {"days": "many"}).status_code == 400
    page = web.get("/admin/access/auditentry/usage/")
    assert page.status_code == 200 and "population.person.name" in page.content.decode()
    report_page = web.get("/admin/access/auditentry/usage/", {"subject": person.id_number}).content.decode()
    assert report_page.count("<td>population.person.name</td>") == 2 + 1  # two calls + the by-item row


def _append_from_threads(threads, rows_each):
    """Append audit rows from several database sessions at once; return each session's backend pid."""
    import threading

    from django.db import connections

    pids = []
    failures = []
    barrier = threading.Barrier(threads)

    def work():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            barrier.wait()
            for n in range(rows_each):
                with transaction.atomic():
                    audit.append(method="GET", endpoint=f"/t/{n}", status=200, dataset="population.person")
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures, failures
    return pids


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are linked by the PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sessions_write_complete_chains_one_lane_each():
    pids = _append_from_threads(threads=6, rows_each=40)
    assert AuditEntry.objects.count() == 6 * 40
    lanes = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    assert len(pids) == 6 and len(lanes) > 1 and lanes <= set(range(16))  # in parallel, not one queue
    for lane in lanes:
        rows = list(AuditEntry.objects.filter(chain=lane).order_by("id"))
        assert rows[0].prev_hash == audit.GENESIS
        for previous, row in zip(rows, rows[1:], strict=False):
            assert row.prev_hash == previous.hash
    assert audit.verify() == (240, None, "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are linked by the PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_a_call_whose_lane_is_busy_takes_the_next_free_one_instead_of_waiting():
    import importlib

    from django.db import connections

    lock_base = importlib.import_module("hub.access.migrations.0005_audit_free_lane").LOCK_BASE
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        home = cursor.fetchone()[0] % 16
        cursor.execute("SET lock_timeout = '3s'")  # waiting for the lane would fail the call
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # another call in flight holds this session's home lane
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_base + home])
        audit.append(method="GET", endpoint="/busy", status=200)
        assert AuditEntry.objects.get(endpoint="/busy").chain == (home + 1) % 16
        other.rollback()  # its transaction ends: the lane is free again
        audit.append(method="GET", endpoint="/free", status=200)
        assert AuditEntry.objects.get(endpoint="/free").chain == home
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert audit.verify() == (2, None, "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are linked by the PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_tampering_in_any_lane_is_found():
    _append_from_threads(threads=4, rows_each=5)
    lane = AuditEntry.objects.order_by("-chain").values_list("chain", flat=True).first()
    victim = AuditEntry.objects.filter(chain=lane).order_by("id")[2]
    as_database_owner("UPDATE access_auditentry SET endpoint = '/elsewhere' WHERE id = %s", [victim.pk])
    _checked, broken, why = audit.verify()
    assert broken.pk == victim.pk and "hash" in why
    with translation.override("en"), pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("verify_audit", verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are linked by the PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_a_deleted_row_inside_a_lane_is_found():
    _append_from_threads(threads=3, rows_each=5)
    lane = AuditEntry.objects.values_list("chain", flat=True).first()
    gone = AuditEntry.objects.filter(chain=lane).order_by("id")[1]
    as_database_owner("DELETE FROM access_auditentry WHERE id = %s", [gone.pk])
    _checked, broken, why = audit.verify()
    assert broken.chain == lane and broken.pk > gone.pk and "prev_hash" in why


def test_after_archiving_the_oldest_rows_each_lane_is_checked_from_its_first_kept_row():
    calls(4)
    rows = list(AuditEntry.objects.order_by("id"))
    archived, kept = rows[:2], rows[2:]
    as_database_owner("DELETE FROM access_auditentry WHERE id IN (%s, %s)", [r.pk for r in archived])
    _checked, broken, _why = audit.verify()
    assert broken.pk == kept[0].pk  # from the genesis hash the cut is visible
    anchors = {}
    assert audit.verify(anchors=anchors) == (2, None, "")
    assert anchors == {kept[0].chain: archived[-1].hash}  # to match against the archive's last row
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_audit", "--after-archive", verbosity=0, stdout=out)
    assert f"follows {archived[-1].hash}" in out.getvalue()
    as_database_owner("UPDATE access_auditentry SET status = 500 WHERE id = %s", [kept[1].pk])
    assert audit.verify(anchors={})[1].pk == kept[1].pk  # tampering after the anchor is still found
