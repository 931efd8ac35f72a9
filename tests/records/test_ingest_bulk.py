"""A first load into empty tables builds the indexes after the rows, and changes nothing else.

The PostgreSQL fast path, given a large batch and a dataset with no records
and no history, locks both tables, drops their secondary indexes and
constraints, inserts, and builds them again. Here the threshold is lowered
so that small batches take that path: outcomes must equal the ORM loader's,
the tables' indexes and constraints must come back exactly, a failure
midway must leave everything as it was, and a table in use must be merged
the ordinary way rather than waited for.
"""

import io

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from hub.records.ingest import ingest, postgres
from hub.records.ingest.parsing import IngestInputError
from population.models import Person

from .ingest_helpers import as_csv, as_json, gat_rows, snapshot
from .test_ingest_direct_csv import BODIES

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk merge is PostgreSQL's"),
    pytest.mark.django_db,
    pytest.mark.usefixtures("english_messages"),
]

TABLES = ("population_person", "population_historicalperson")


@pytest.fixture
def bulk(monkeypatch):
    """Lower the threshold to one row and record whether each merge took the bulk path."""
    monkeypatch.setattr(postgres, "BULK_ROWS", 1)
    taken = []
    original = postgres.CopyLoader._bulk_merge

    def spy(self, deferred, progress):
        taken.append(True)
        return original(self, deferred, progress)

    monkeypatch.setattr(postgres.CopyLoader, "_bulk_merge", spy)
    return taken


def schema():
    """Every index and constraint of the two tables, as PostgreSQL would recreate them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, "
            "condeferred FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        return indexes, cursor.fetchall()


def _reset():
    Person.objects.all().delete()
    Person.history.all().delete()
    # the deletions wrote (and removed) "-" versions whose deferred user check is still pending in
    # this test's transaction, which PostgreSQL would not let the bulk path alter the table over
    # (it would merge the ordinary way: see the last test); run the checks now
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def outcome(data, engine, fmt="csv"):
    try:
        report = ingest(
            "population.person", io.BytesIO(data), fmt=fmt, department="gat", engine=engine
        ).report
        result = {k: v for k, v in report.items() if k != "batch"}
    except IngestInputError as refusal:
        result = refusal.as_dict()
    return result, snapshot(Person)


@pytest.mark.parametrize("name", list(BODIES))
def test_a_first_load_in_bulk_gives_what_the_orm_loader_gives(name, bulk):
    data, _direct = BODIES[name]
    expected = outcome(data, "orm")
    _reset()
    before = schema()
    assert outcome(data, "copy") == expected
    assert schema() == before
    created = expected[0].get("created", 0)
    assert bulk == ([True] if created else [])


def test_the_bulk_path_restores_every_index_and_constraint_and_they_work(bulk):
    before = schema()
    assert len(before[0]) >= 10  # the person table's and its history's indexes, primary keys included
    rows = gat_rows(30, seed=3)
    report = ingest("population.person", io.BytesIO(as_csv(rows)), fmt="csv", department="gat").report
    assert bulk == [True] and report["created"] == 30
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM population_historicalperson WHERE history_type = '+'")
        assert cursor.fetchone()[0] == 30
    # the unique key is enforced again: a second load of the same keys updates, never duplicates
    rows[0]["residence_address"] += "东"
    again = ingest("population.person", io.BytesIO(as_csv(rows)), fmt="csv", department="gat").report
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 29)
    assert bulk == [True]  # not empty any more: the ordinary merge
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE population_person SET id_number = (SELECT min(id_number) FROM population_person) "
            "WHERE id_number = (SELECT max(id_number) FROM population_person)"
        )


def test_json_bodies_take_the_bulk_path_too_with_python_validating_what_sql_cannot(bulk):
    rows = gat_rows(5, seed=8)
    rows[1]["name"] = f" {rows[1]['name']} "  # valid once stripped: left to Python, still created
    rows[2]["gender"] = 1  # a JSON number: the SQL acceptance stands aside for the whole batch
    expected = outcome(as_json(rows), "orm", fmt="json")
    _reset()
    assert outcome(as_json(rows), "copy", fmt="json") == expected
    assert expected[0]["created"] == 5 and bulk == [True]


def test_a_bulk_load_that_fails_after_dropping_the_indexes_leaves_everything_as_it_was(bulk, monkeypatch):
    before = schema()

    def fail(self, deferred, built=None):
        assert deferred  # the indexes are gone at this point
        raise RuntimeError("disk full")

    monkeypatch.setattr(postgres.CopyLoader, "_build_indexes", fail)
    with pytest.raises(RuntimeError):
        ingest("population.person", io.BytesIO(as_csv(gat_rows(10, seed=4))), fmt="csv", department="gat")
    assert bulk == [True]
    assert schema() == before
    assert not Person.objects.exists() and not Person.history.exists()


def test_pending_constraint_checks_on_the_tables_mean_the_ordinary_merge(bulk):
    # a caller's own transaction wrote and removed a version: its deferred check is pending
    ingest("population.person", io.BytesIO(as_csv(gat_rows(2, seed=6))), fmt="csv", department="gat")
    Person.objects.all().delete()
    Person.history.all().delete()
    report = ingest("population.person", io.BytesIO(as_csv(gat_rows(3, seed=7))), fmt="csv", department="gat")
    assert report.report["created"] == 3
    assert bulk == [True]  # the first load only; the second could not alter the tables
    assert schema()[0] and Person.history.filter(history_type="+").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_table_in_use_is_merged_the_ordinary_way_without_waiting_for_it(bulk, catalogue):
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432, password=db["PASSWORD"]
    )
    try:
        other.execute("SELECT count(*) FROM population_person")  # a reader in an open transaction
        report = ingest(
            "population.person", io.BytesIO(as_csv(gat_rows(6, seed=5))), fmt="csv", department="gat"
        )
    finally:
        other.rollback()
        other.close()
    assert report.report["created"] == 6
    assert bulk == []  # the lock was not granted in time: ordinary merge, indexes untouched
    assert Person.history.filter(history_type="+").count() == 6


def load(rows, **options):
    """Public security's CSV of ``rows``; the report."""
    body = io.BytesIO(as_csv(rows))
    return ingest("population.person", body, fmt="csv", department="gat", **options).report


def test_ids_are_taken_from_the_sequences_as_one_block_and_never_reused(bulk):
    load(gat_rows(4, seed=9))
    earlier = (
        max(Person.objects.values_list("pk", flat=True)),
        max(Person.history.values_list("history_id", flat=True)),
    )
    _reset()  # the tables are empty again, but those ids were handed out
    report = load(gat_rows(25, seed=10))
    assert bulk == [True, True] and report["created"] == 25
    ids = sorted(Person.objects.values_list("pk", flat=True))
    versions = list(Person.history.values_list("history_id", "id", "id_number", "history_date"))
    assert len(set(ids)) == 25 and ids[0] > earlier[0]
    assert len({v[0] for v in versions}) == 25 and min(v[0] for v in versions) > earlier[1]
    # each version belongs to its record, and they share the moment they were written
    assert {(v[1], v[2]) for v in versions} == set(Person.objects.values_list("pk", "id_number"))
    assert len({v[3] for v in versions}) == 1
    # the sequences went past the block: the next records and versions take new ids
    rows = gat_rows(27, seed=10)[25:]
    again = load(rows)
    assert again["created"] == 2 and bulk == [True, True]  # not empty: the ordinary merge
    newer = Person.objects.filter(id_number__in=[r["id_number"] for r in rows])
    assert min(p.pk for p in newer) > ids[-1]
    assert min(Person.history.filter(id__in=newer).values_list("history_id", flat=True)) > max(
        v[0] for v in versions
    )


def test_a_primary_key_another_table_refers_to_stays_while_the_rest_are_rebuilt(bulk):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE person_reference (person_id bigint REFERENCES population_person (id))")
    before = schema()
    report = load(gat_rows(8, seed=11))
    assert bulk == [True] and report["created"] == 8
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO person_reference SELECT id FROM population_person")
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("INSERT INTO person_reference VALUES (-1)")


def _as_sent_tables():
    with connection.cursor() as cursor:
        cursor.execute(r"SELECT count(*) FROM pg_class WHERE relname LIKE 'ingest\_sent\_%%'")
        return cursor.fetchone()[0]


def test_the_table_rows_are_copied_into_as_sent_is_gone_when_the_batch_ends(bulk):
    rows = gat_rows(12, seed=12)
    load(rows)  # bulk
    assert _as_sent_tables() == 0
    rows[3]["name"] = "改名"
    report = load(rows)
    assert report["updated"] == 1 and _as_sent_tables() == 0  # ordinary merge
    with pytest.raises(IngestInputError):
        load(rows + rows[:1])
    assert _as_sent_tables() == 0  # refused: rolled back with the batch
    dry = load(rows, dry_run=True)
    assert dry["unchanged"] == 12 and _as_sent_tables() == 0


def test_a_role_that_may_only_read_and_write_the_tables_loads_the_ordinary_way(bulk):
    # a deployment whose application role owns nothing (the migrations ran as another): it may
    # neither create tables in the schema (the as-sent table is then temporary) nor alter the
    # record tables (no bulk merge), and the batch is loaded all the same
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE hub_writer_only NOLOGIN")
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cursor.execute("GRANT USAGE ON SCHEMA public TO hub_writer_only")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hub_writer_only"
        )
        cursor.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO hub_writer_only")
        cursor.execute("SET LOCAL ROLE hub_writer_only")
    before = schema()
    report = load(gat_rows(9, seed=13))
    assert report["created"] == 9 and bulk == []
    assert schema() == before and Person.history.filter(history_type="+").count() == 9
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "hub_writer_only"
        cursor.execute("RESET ROLE")


def test_the_merge_progress_moves_through_inserts_and_index_builds_to_the_row_count(bulk):
    steps = []
    report = load(gat_rows(40, seed=14), on_merge=steps.append)
    assert bulk == [True] and report["created"] == 40
    assert sum(steps) == 40 and all(step >= 0 for step in steps)
    assert len(steps) >= 2 + len(schema()[0])  # a step for each table and each index built
