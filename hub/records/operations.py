"""Migration operations of the records app, for the apps that hold base records."""

from django.db import migrations


class DropPatternIndexes(migrations.operations.base.Operation):
    """Drop the ``varchar_pattern_ops`` index Django's PostgreSQL backend adds to indexed text fields.

    Django gives every indexed ``CharField`` a second index for ``LIKE
    'prefix%'`` queries (``…_like``). For the columns named here the hub only
    ever matches whole values: ingest batch ids, and citizen ID numbers,
    which no API offers to search by prefix (that would let a caller
    enumerate people). The second index would only slow every write and
    double the index work of a first load. Other backends have no such index:
    there the operation does nothing. Model state is unchanged.

    A later ``AlterField`` that changes such a column's type would let
    Django add the index back; drop it again in that migration.
    """

    reversible = True

    def __init__(self, model_name, fields):
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "fields": self.fields}

    def state_forwards(self, app_label, state):
        pass

    def _columns(self, app_label, schema_editor, state):
        model = state.apps.get_model(app_label, self.model_name)
        return model, [model._meta.get_field(name) for name in self.fields]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model, fields = self._columns(app_label, schema_editor, to_state)
        for field in fields:
            name = schema_editor._create_index_name(model._meta.db_table, [field.column], suffix="_like")
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model, fields = self._columns(app_label, schema_editor, to_state)
        for field in fields:
            statement = schema_editor._create_like_index_sql(model, field)
            if statement is not None:
                schema_editor.execute(statement)

    def describe(self):
        return f"Drop the pattern-matching indexes of {self.model_name}.{', '.join(self.fields)}"

    @property
    def migration_name_fragment(self):
        return f"drop_pattern_indexes_{self.model_name.lower()}"
