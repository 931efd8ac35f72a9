"""The PostgreSQL fast path: COPY into temporary staging tables, set-based checks and merge.

See :mod:`.loaders` for the contract both loaders keep.
"""

import contextlib
import json
import uuid

from django.db import OperationalError, ProgrammingError, connection, transaction
from psycopg.types.json import Jsonb

from .loaders import SIGNAL_KEYS_LIMIT, _as_text

MERGE_CHUNK = 100_000
FETCH_ROWS = 20_000
# A batch this large that creates the first records of a dataset builds the tables' indexes
# after writing the rows (one sort each) instead of entry by entry: see CopyLoader.merge.
BULK_ROWS = 50_000
# How long a first load waits for the exclusive lock before merging the ordinary way. Shorter
# than deadlock_timeout (1 s by default), so that its wait never makes another writer's a deadlock.
BULK_LOCK_TIMEOUT = "200ms"


class _NotEmpty(Exception):
    """The dataset already holds records or history: no bulk merge."""


def _not_permitted(error):
    """Whether a database error is PostgreSQL's "insufficient privilege" (the role may not do it)."""
    import psycopg

    return isinstance(error.__cause__, psycopg.errors.InsufficientPrivilege)


class CopyLoader:
    """PostgreSQL: COPY into a temporary staging table, then set-based checks and merge."""

    def __init__(self, target):
        self.target = target
        q = connection.ops.quote_name
        self.q = q
        model = target.model
        self.table = q(model._meta.db_table)
        self.history_table = q(model.history.model._meta.db_table)
        self.stage_table = q(f"ingest_stage_{uuid.uuid4().hex[:12]}")
        self.fields = [model._meta.get_field(name) for name in target.columns]
        self.key = q(self.fields[0].column)
        self.own = [q(f.column) for f in self.fields[1:]]
        self.sent_table = q(f"ingest_sent_{uuid.uuid4().hex[:12]}")
        self.as_sent_columns = [self.key, *self.own]
        # JSON items go to the typed stage as jsonb
        self.json_positions = [i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"]
        self.staged = 0
        self.sent = 0
        self.max_row = 0
        self.unchanged_as_sent = 0
        self.duplicates_as_sent = []
        self.all_text = True  # every value arrived as text (else the SQL acceptance cannot judge it)
        self.accepted = 0  # rows validated by the database (see .sqlcheck)
        self.accepted_partitions = set()
        self.prepared = False

    def _execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    @contextlib.contextmanager
    def _setting(self, name, value):
        """``name`` set to ``value`` for the statements of the block (as SET LOCAL, then restored).

        Not restored when the block raises: the transaction or savepoint
        being rolled back restores it.
        """
        ((previous, _set),) = self._execute(
            "SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value]
        )
        yield
        self._execute("SELECT set_config(%s, %s, true)", [name, previous])

    def _prepare(self):
        if not self.prepared:
            self._execute("SET LOCAL work_mem = '64MB'")
            self._execute("SET LOCAL DateStyle = 'ISO, YMD'")  # stored dates compare as YYYY-MM-DD text
            # the rows that differ are fetched through a cursor, but all of them: plan for the
            # whole result (a hash anti-join), not for the first rows (an index probe per row)
            self._execute("SET LOCAL cursor_tuple_fraction = 1.0")
            self.prepared = True

    def load(self, rows, validate):
        """Stage the rows as sent, set aside those identical to the stored record, validate the rest.

        A row whose text equals what is stored needs no validation (the stored
        values passed it) and no write; on a reload that is most rows, and the
        batch then costs little more than the COPY itself.
        """
        self._prepare()
        self._stage_as_sent(rows)
        self.load_staged(validate)

    def stage_csv(self, direct, header_columns):
        """COPY a plain CSV body (:class:`~.parsing.DirectCsv`) into the as-sent table as it is.

        ``header_columns`` names the field for each header position. Returns
        False, with nothing staged, when the body must go through the CSV
        reader instead (see :mod:`.parsing`); refusals such as an oversized
        body propagate.
        """
        import psycopg

        from .parsing import NotDirect

        self._prepare()
        q = self.q
        names = ", ".join(q(self.target.model._meta.get_field(name).column) for name in header_columns)
        try:
            with transaction.atomic():
                self._create_as_sent(numbered=True)
                with connection.cursor() as cursor:
                    with cursor.copy(
                        f"COPY {self.sent_table} ({names}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({names}))"
                    ) as copy:
                        for chunk in direct.chunks():
                            copy.write(chunk)
                    self.sent = self.max_row = cursor.rowcount  # COPY's own row count
        except (NotDirect, psycopg.errors.DataError):
            self.sent = self.max_row = 0
            return False
        return True

    def sent_values(self, field_name):
        """The distinct values of one column as sent (partitions named by a directly staged body)."""
        column = self.q(self.target.model._meta.get_field(field_name).column)
        return [row[0] for row in self._execute(f"SELECT DISTINCT {column} FROM {self.sent_table}")]

    def load_staged(self, validate):
        self._check_duplicates_as_sent()
        rest = self._accept_in_sql()
        fetched = self.accepted
        if self.accepted == self.sent:
            return  # the database accepted every row: none for Python
        fields = ", ".join(["rn", *(f"s.{c}" for c in self.as_sent_columns)])
        fetch = connection.connection.cursor(name=f"ingest_{uuid.uuid4().hex[:12]}")
        fetch.itersize = FETCH_ROWS
        fetch.execute(f"SELECT {fields} FROM {self.sent_table} s WHERE {rest}")
        try:
            while True:
                chunk = fetch.fetchmany(FETCH_ROWS)
                if not chunk:
                    break
                fetched += len(chunk)
                if self.target.on_validate:
                    self.target.on_validate(len(chunk))
                # validate the whole chunk before the COPY starts: a model's rules may query the
                # database (a holder that must exist), which cannot happen while a COPY holds the line
                self._copy(list(validate((row[0], list(row[1:])) for row in chunk)))
        finally:
            fetch.close()
        self.unchanged_as_sent = self.sent - fetched

    def _accept_in_sql(self):
        """Create the stage with the changed rows the database can vouch for (:mod:`.sqlcheck`).

        Returns the condition on the as-sent rows (``s``) for what Python is sent:
        the changed rows the database did not accept. The stage is created
        by the query that selects them (``CREATE TABLE … AS``), which, unlike
        an ``INSERT … SELECT``, PostgreSQL may run in parallel workers over
        the as-sent table: the predicate is most of the cost of a first load.
        """
        from .sqlcheck import acceptance

        target = self.target
        changed = f"NOT EXISTS ({self._same_as_stored()})"
        compiled = None
        # Only into an empty table: then every row is new and no anti-join is needed to find the
        # changed ones (on a reload, finding them twice would cost more than Python saves).
        # Never when the model derives fields from the row: only Python computes them (prepare_row).
        if (
            self.all_text
            and not target.derived
            and not self._execute(f"SELECT EXISTS (SELECT 1 FROM {self.table})")[0][0]
        ):
            compiled = acceptance(target.model, target.columns, lambda field: f"s.{self.q(field.column)}")
        if compiled is None:
            self._create_stage()
            return changed
        predicate, values = compiled
        typed = ", ".join(
            f"CAST({value} AS {field.db_type(connection)}) AS {self.q(field.column)}"
            for field, value in zip(self.fields, values, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.stage_table} ON COMMIT DROP AS "
                f"SELECT s.rn, {typed} FROM {self.sent_table} s WHERE {predicate}",
                [],
            )
            self.accepted = cursor.rowcount
        self.staged += self.accepted
        if self.accepted and target.on_validate:
            target.on_validate(self.accepted)
        if self.accepted and target.partition_field:
            column = self.q(target.model._meta.get_field(target.partition_field).column)
            self.accepted_partitions = {
                row[0] for row in self._execute(f"SELECT DISTINCT {column}::text FROM {self.stage_table}")
            }
        if not self.accepted:
            return changed
        return f"{changed} AND NOT EXISTS (SELECT 1 FROM {self.stage_table} a WHERE a.rn = s.rn)"

    def _create_as_sent(self, numbered=False):
        """The table the rows are copied into as sent, as text.

        Unlogged rather than temporary: parallel workers cannot read a
        temporary table, and the first load's checks scan this one. Created
        in the batch's transaction, no other session ever sees it; a rollback
        removes it, and :meth:`finish` drops it before the commit. A role
        that may not create tables in the schema gets a temporary table
        (the checks then run in one process).
        """
        columns = ", ".join(f"{c} text" for c in self.as_sent_columns)
        # numbered: COPY leaves rn out and each row takes the next number, in the body's order
        rn = "rn integer GENERATED ALWAYS AS IDENTITY (CACHE 10000)" if numbered else "rn integer NOT NULL"
        try:
            with transaction.atomic():
                self._execute(f"CREATE UNLOGGED TABLE {self.sent_table} ({rn}, {columns})")
        except ProgrammingError as error:
            if not _not_permitted(error):
                raise
            self._execute(f"CREATE TEMPORARY TABLE {self.sent_table} ({rn}, {columns}) ON COMMIT DROP")

    def finish(self):
        """Drop the as-sent table: the last call of a batch that commits."""
        self._execute(f"DROP TABLE IF EXISTS {self.sent_table}")

    def _stage_as_sent(self, rows):
        self._create_as_sent()
        names = ", ".join(["rn", *self.as_sent_columns])
        count = number = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {self.sent_table} ({names}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            text_only = self.target.text_input
            for number, values in rows:
                if not text_only and not all(v is None or type(v) is str for v in values):
                    self.all_text = False
                    values = [_as_text(v) for v in values]
                write((number, *values))
                count += 1
        self.sent = count
        self.max_row = number

    def _check_duplicates_as_sent(self):
        # one hash table in one process: split among parallel workers, every key would be
        # grouped twice (partly in each worker, then all together), which measured slower
        with self._setting("max_parallel_workers_per_gather", "0"):
            found = self._execute(
                f"SELECT {self.key} FROM {self.sent_table} WHERE {self.key} <> '' "  # no key: rejected
                f"GROUP BY {self.key} HAVING count(*) > 1 LIMIT 1"
            )
        if found:
            numbers = self._execute(
                f"SELECT rn FROM {self.sent_table} WHERE {self.key} = %s ORDER BY rn", [found[0][0]]
            )
            self.duplicates_as_sent = [(found[0][0], [row[0] for row in numbers])]

    def _same_as_stored(self):
        """A stored record whose text equals the row as sent (NULL and '' alike: both mean empty)."""
        pairs = [(self.key, self.key)] + list(zip(self.own, self.own, strict=True))
        same = (
            " AND ".join(f"coalesce(t.{a}::text, '') = coalesce(s.{b}, '')" for a, b in pairs[1:]) or "true"
        )
        return f"SELECT 1 FROM {self.table} t WHERE t.{self.key} = s.{self.key} AND {same}"

    def _create_stage(self):
        columns = ", ".join(f"{self.q(f.column)} {f.db_type(connection)}" for f in self.fields)
        self._execute(
            f"CREATE TEMPORARY TABLE {self.stage_table} (rn integer NOT NULL, {columns}) ON COMMIT DROP"
        )

    def _copy(self, rows):
        names = ", ".join(["rn", self.key, *self.own])
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {self.stage_table} ({names}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            json_positions = self.json_positions
            for number, values in rows:
                if json_positions:
                    values = list(values)
                    for i in json_positions:
                        values[i] = None if values[i] is None else Jsonb(values[i])
                write((number, *values))
                self.staged += 1

    def count(self):
        return self.staged

    def duplicates(self, limit=20):
        if self.duplicates_as_sent:
            return self.duplicates_as_sent
        if not self.staged or self.accepted == self.staged:
            return []  # every staged key is as sent (see .sqlcheck): the check as sent was enough
        # keys that differ as sent but agree once normalised (case, spaces)
        rows = self._execute(
            f"SELECT {self.key}, array_agg(rn ORDER BY rn) FROM {self.stage_table} "
            f"GROUP BY {self.key} HAVING count(*) > 1 ORDER BY min(rn) LIMIT %s",
            [limit],
        )
        return [(key, list(numbers)) for key, numbers in rows]

    def _missing(self):
        return f"NOT EXISTS (SELECT 1 FROM {self.table} t WHERE t.{self.key} = s.{self.key})"

    def new_keys(self, limit=5):
        count = self._execute(f"SELECT count(*) FROM {self.stage_table} s WHERE {self._missing()}")[0][0]
        sample = []
        if count:
            sample = [
                row[0]
                for row in self._execute(
                    f"SELECT {self.key} FROM {self.stage_table} s WHERE {self._missing()} "
                    "ORDER BY rn LIMIT %s",
                    [limit],
                )
            ]
        return count, sample

    def existing_partitions(self):
        """Partitions of the stored records the batch names, unchanged rows included."""
        column = self.q(self.target.model._meta.get_field(self.target.partition_field).column)
        rows = self._execute(
            f"SELECT DISTINCT t.{column}::text FROM {self.table} t JOIN {self.sent_table} s "
            f"ON t.{self.key} = s.{self.key}"
        )
        return {row[0] for row in rows}

    def reject_new(self):
        rows = self._execute(
            f"DELETE FROM {self.stage_table} s WHERE {self._missing()} RETURNING rn, {self.key}"
        )
        self.staged -= len(rows)
        return [tuple(row) for row in rows]

    def _insert_parts(self, alias):
        """Columns, SELECT values (staged rows as ``alias``) and defaults for creating records.

        The values take, after ``defaults``, three parameters: created_at, updated_at, stamps.
        """
        absent = self.target.absent_fields()
        columns = [self.key, *self.own, *(self.q(f.column) for f in absent)]
        values = [f"{alias}.{c}" for c in (self.key, *self.own)]
        values += [f"%s::{f.db_type(connection)}" for f in absent]
        defaults = [f.get_db_prep_value(f.get_default(), connection) for f in absent]
        columns += ["created_at", "updated_at", "source_stamps"]
        values += ["%s", "%s", "%s::jsonb"]
        return columns, values, defaults

    def _merge_sql(self):
        target = self.target
        q = self.q
        key, own = self.key, self.own
        insert_columns, select_values, defaults = self._insert_parts("s")
        history = [q(name) for name in target.history_fields()]
        if own:
            stored, sent = ", ".join(f"t.{c}" for c in own), ", ".join(f"st.{c}" for c in own)
            same = f"ROW({stored}) IS NOT DISTINCT FROM ROW({sent})"
            unchanged = f"SELECT 1 FROM {self.table} t WHERE t.{key} = st.{key} AND {same}"
            assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in own)
            changed = (
                f"ROW({', '.join(f't.{c}' for c in own)}) IS DISTINCT FROM "
                f"ROW({', '.join(f'EXCLUDED.{c}' for c in own)})"
            )
            conflict = (
                f"DO UPDATE SET {assignments}, updated_at = EXCLUDED.updated_at, "
                f"source_stamps = t.source_stamps || EXCLUDED.source_stamps WHERE {changed}"
            )
        else:
            unchanged = f"SELECT 1 FROM {self.table} t WHERE t.{key} = st.{key}"
            conflict = "DO NOTHING"
        history_insert = f"""
            h AS (
                INSERT INTO {self.history_table} ({", ".join(history)}, history_date, history_type,
                    history_change_reason, history_user_id, source_department, acting_system, batch)
                SELECT {", ".join(f"up.{c}" for c in history)}, clock_timestamp(),
                    CASE WHEN up.created_now THEN '+' ELSE '~' END, %s, %s, %s, %s, %s
                FROM up
                RETURNING history_type
            )
            SELECT count(*) FILTER (WHERE history_type = '+'), count(*) FILTER (WHERE history_type = '~')
            FROM h
        """
        # Rows reach this stage only if their text differs from the stored record, so the merge
        # itself filters by the typed comparison alone (ON CONFLICT … WHERE / UPDATE … WHERE).
        chunk_rows = f"SELECT st.* FROM {self.stage_table} st WHERE st.rn >= %s AND st.rn < %s"
        changed_rows = f"{chunk_rows} AND NOT EXISTS ({unchanged})"
        if target.update_only:
            # Every staged key exists (new rows were refused or rejected): a plain UPDATE of the
            # batch's own columns, after locking the rows in key order so that concurrent batches
            # on the same records queue instead of deadlocking.
            stored_row, sent_row = ", ".join(f"t.{c}" for c in own), ", ".join(f"s.{c}" for c in own)
            lock = f"""
                SELECT count(*) FROM (
                    SELECT 1 FROM {self.table} t WHERE t.{key} IN (SELECT {key} FROM ({changed_rows}) c)
                    ORDER BY t.{key} FOR UPDATE OF t
                ) locked
            """
            sql = f"""
                WITH s AS ({chunk_rows}), up AS (
                    UPDATE {self.table} AS t SET {", ".join(f"{c} = s.{c}" for c in own)},
                        updated_at = %s, source_stamps = t.source_stamps || %s::jsonb
                    FROM s WHERE t.{key} = s.{key}
                        AND ROW({stored_row}) IS DISTINCT FROM ROW({sent_row})
                    RETURNING t.*, false AS created_now
                ), {history_insert}
            """
            return lock, sql, []
        sql = f"""
            WITH s AS ({chunk_rows} ORDER BY st.{key}), up AS (
                INSERT INTO {self.table} AS t ({", ".join(insert_columns)})
                SELECT {", ".join(select_values)} FROM s
                ON CONFLICT ({key}) {conflict}
                RETURNING t.*, (t.xmax = 0) AS created_now
            ), {history_insert}
        """
        return None, sql, defaults

    def merge(self, progress=None):
        target = self.target
        created = updated = 0
        if not self.staged or (target.update_only and not target.own):
            return 0, 0, []  # nothing differs from what is stored
        deferred = None
        if self.staged >= BULK_ROWS and not target.update_only:
            deferred = self._take_empty_tables()
        if deferred is not None:
            created = self._bulk_merge(deferred, progress)
        else:
            created, updated = self._merge_chunks(progress)
        keys = None
        if self.staged <= SIGNAL_KEYS_LIMIT:
            keys = [
                row[0]
                for row in self._execute(
                    f"SELECT {self.key} FROM {self.history_table} WHERE batch = %s", [target.batch]
                )
            ]
        return created, updated, keys

    def _merge_chunks(self, progress):
        target = self.target
        created = updated = 0
        self._execute(f"CREATE INDEX ON {self.stage_table} (rn)")  # each chunk is a range of rn
        lock, sql, defaults = self._merge_sql()
        stamps = json.dumps(target.stamps)
        for low in range(1, self.max_row + 1, MERGE_CHUNK):
            chunk = [low, low + MERGE_CHUNK]
            if lock:
                self._execute(lock, chunk)
                params = [*chunk, target.now, stamps]
            else:
                params = [*chunk, *defaults, target.now, target.now, stamps]
            params += [
                target.reason,
                target.user_id,
                target.department,
                target.system,
                target.batch,
            ]
            ((made, changed),) = self._execute(sql, params)
            created += made
            updated += changed
            if progress:
                progress(min(MERGE_CHUNK, self.max_row - low + 1))
        return created, updated

    def _bulk_merge(self, deferred, progress):
        """The first records of a dataset, in tables held empty (:meth:`_take_empty_tables`).

        Nothing can conflict, so the rows go in with one plain INSERT and the
        history rows are written from the table afterwards (every row in it is
        this batch's), with the indexes dropped meanwhile and built again at
        the end: a sort per index instead of an entry per row each. Both
        tables' ids are taken from their sequences as one block each rather
        than row by row, and the versions share one timestamp.
        """
        done = 0

        def advance(fraction):
            """Report the merge ``fraction`` done (its time: a fifth each table, the rest indexes)."""
            nonlocal done
            if progress:
                upto = round(self.max_row * fraction)
                progress(upto - done)
                done = upto

        record_ids = self._reserve_ids(self.target.model, self.max_row)
        created = self._insert_records(record_ids)
        advance(0.2)
        self._insert_first_versions(record_ids)
        advance(0.4)
        self._build_indexes(deferred, built=lambda n: advance(0.4 + 0.6 * n / len(deferred)))
        advance(1.0)
        return created

    def _insert_records(self, first_id):
        """Every staged row as a new record; ids from ``first_id`` on in ``rn`` order (or defaults)."""
        target = self.target
        columns, values, defaults = self._insert_parts("st")
        params = [*defaults, target.now, target.now, json.dumps(target.stamps)]
        if first_id is not None:
            columns.insert(0, self.q(target.model._meta.pk.column))
            values.insert(0, "%s + st.rn")
            params.insert(0, first_id - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {self.stage_table} st",
                params,
            )
            return cursor.rowcount

    def _insert_first_versions(self, first_record_id):
        """A "+" version of every record in the table (all of them this batch's), dated now."""
        target = self.target
        model = target.model
        history_model = model.history.model
        tracked = [self.q(name) for name in target.history_fields()]
        columns, values, params = list(tracked), list(tracked), []
        first_id = None
        if first_record_id is not None:
            first_id = self._reserve_ids(history_model, self.max_row)
        if first_id is not None:
            # one version per record: numbered as the records are, from the history's own block
            columns.insert(0, self.q(history_model._meta.pk.column))
            values.insert(0, f"{self.q(model._meta.pk.column)} + %s")
            params.append(first_id - first_record_id)
        ((written_at,),) = self._execute("SELECT clock_timestamp()")
        params += [written_at, target.reason, target.user_id, target.department, target.system, target.batch]
        self._execute(
            f"""
            INSERT INTO {self.history_table} ({", ".join(columns)}, history_date, history_type,
                history_change_reason, history_user_id, source_department, acting_system, batch)
            SELECT {", ".join(values)}, %s, '+', %s, %s, %s, %s, %s FROM {self.table}
            """,
            params,
        )

    def _reserve_ids(self, model, count):
        """The first of ``count`` consecutive ids taken from the sequence of ``model``'s key, or None.

        One ``setval`` instead of a ``nextval`` per row. Only inside
        :meth:`_bulk_merge`: the table is locked, so no insert draws on the
        sequence meanwhile (and were one to, the primary key built at the end
        would refuse the batch rather than let two rows share an id).
        """
        ((sequence,),) = self._execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [self.q(model._meta.db_table), model._meta.pk.column]
        )
        if sequence is None:
            return None
        ((first,),) = self._execute("SELECT nextval(%s)", [sequence])
        if count > 1:
            self._execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def _take_empty_tables(self):
        """Lock the record and history tables if both are empty and drop their indexes.

        Returns the statements that build the indexes again, or None (and no
        lock, nothing dropped) when the tables hold rows, are in use, or cannot
        be altered now (the enclosing transaction has constraint checks still
        pending on them). The lock (ACCESS EXCLUSIVE, until commit) is what
        lets :meth:`merge` write the rows before the indexes: nobody else reads
        or writes the tables meanwhile, and a rollback gives the indexes back.
        It is asked for briefly: a table in use is merged the ordinary way.
        """
        try:
            with transaction.atomic():  # a savepoint: rolling back to it releases the lock
                with self._setting("lock_timeout", BULK_LOCK_TIMEOUT):
                    self._execute(f"LOCK TABLE {self.table}, {self.history_table} IN ACCESS EXCLUSIVE MODE")
                held = " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in (self.table, self.history_table))
                if self._execute(f"SELECT {held}")[0][0]:
                    raise _NotEmpty
                return self._drop_indexes()
        except (_NotEmpty, OperationalError):
            return None
        except ProgrammingError as error:
            if not _not_permitted(error):
                raise
            return None  # a role that may write the tables but not alter them (not their owner)

    def _drop_indexes(self):
        """Drop both tables' indexes, key, unique and foreign-key constraints; their SQL back.

        Any index a foreign key elsewhere depends on stays (a primary key
        other tables refer to, say). A foreign key is checked once when it is
        added back (one join) instead of by a trigger per row.
        """
        deferred, foreign = [], []
        for table in (self.table, self.history_table):
            rows = self._execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname,
                    pg_get_constraintdef(c.oid)
                FROM pg_index i
                LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                    AND c.contype IN ('p', 'u', 'x')
                WHERE i.indrelid = %s::regclass
                    AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
                    )
                ORDER BY c.conname NULLS LAST, 1
                """,
                [table],
            )
            for index, index_sql, constraint, constraint_sql in rows:
                if constraint:
                    name = self.q(constraint)
                    self._execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                    deferred.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_sql}")
                else:
                    self._execute(f"DROP INDEX {index}")
                    deferred.append(index_sql)
            keys = self._execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for constraint, constraint_sql in keys:
                name = self.q(constraint)
                self._execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                foreign.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_sql}")
        return deferred + foreign

    def _build_indexes(self, deferred, built=None):
        """Build the dropped indexes again (a sort each), then gather the records' statistics.

        Building an index records its table's size for the planner; the
        record table's column statistics are gathered now too, since the
        next batch and the API's searches are planned from them. The history's
        are left to autovacuum (a million new rows make it analyse the table
        soon after the commit), as nothing reads history in bulk.
        """
        self._execute("SET LOCAL maintenance_work_mem = '256MB'")
        for number, statement in enumerate(deferred, start=1):
            self._execute(statement.replace("%", "%%"), [])
            if built:
                built(number)  # how many are built
        self._execute(f"ANALYZE {self.table}")
