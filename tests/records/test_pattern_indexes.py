"""Key and batch columns of base records carry no pattern-matching index (PostgreSQL).

Django adds a ``varchar_pattern_ops`` twin to every indexed text column; the
records apps drop it where the hub only ever matches whole values (see
``hub.records.operations.DropPatternIndexes``). The equality indexes stay.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.state import ProjectState

from hub.records.operations import DropPatternIndexes

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL has the pattern indexes"),
    pytest.mark.django_db,
]


def indexes(table, column):
    """Each index on exactly ``column`` of ``table``: its operator class (None for the default)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, o.opcname, o.opcdefault
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            JOIN pg_opclass o ON o.oid = i.indclass[0]
            WHERE i.indrelid = %s::regclass AND i.indnatts = 1 AND a.attname = %s
            """,
            [table, column],
        )
        return {name: None if default else opclass for name, opclass, default in cursor.fetchall()}


def record_histories():
    from hub.records.models import BaseRecord

    return [m.history.model for m in apps.get_models() if issubclass(m, BaseRecord)]


def test_batch_ids_and_citizen_ids_are_indexed_for_equality_only():
    columns = [("population_person", "id_number"), ("population_historicalperson", "id_number")]
    columns += [(history._meta.db_table, "batch") for history in record_histories()]
    assert len(columns) >= 8  # every record dataset's history
    for table, column in columns:
        found = indexes(table, column)
        assert found and set(found.values()) == {None}, (table, column, found)


def test_prefix_filtered_codes_keep_theirs():
    # the geography API filters divisions by code prefix: that index is used, and stays
    assert "varchar_pattern_ops" in indexes("geodata_division", "code").values()


def test_the_operation_gives_the_indexes_back_when_unapplied_and_drops_them_again():
    state = ProjectState.from_apps(apps)
    operation = DropPatternIndexes("historicalperson", ["id_number", "batch"])
    with connection.schema_editor() as editor:
        operation.database_backwards("population", editor, state, state)
    assert "varchar_pattern_ops" in indexes("population_historicalperson", "id_number").values()
    assert "varchar_pattern_ops" in indexes("population_historicalperson", "batch").values()
    with connection.schema_editor() as editor:
        operation.database_forwards("population", editor, state, state)
    assert set(indexes("population_historicalperson", "id_number").values()) == {None}
    assert set(indexes("population_historicalperson", "batch").values()) == {None}
