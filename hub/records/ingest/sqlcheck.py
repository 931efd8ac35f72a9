"""Rows the database may accept without Python: a conservative SQL twin of :mod:`.validation`.

Validating row by row in Python is the largest cost of a first load on the
PostgreSQL fast path. For a dataset whose every rule has an SQL form,
:func:`acceptance` builds one boolean expression over the as-sent text that
is true only for a row the row validator would accept *exactly as sent*:
every cell already in its canonical form (no surrounding whitespace, the key
already normalised), inside its field's length, choices and validators, and
the cross-field rules met, every code (a natural key, a field with a coded
validator) ASCII. Those rows are cast and staged by the database.
Every other row (invalid, or merely one the expression cannot vouch for: a
stray space, a township code, a birth date of today) goes through Python as
before, which gives the exact reasons. The expression may turn away a valid
row, never accept an invalid one; ``tests/records/test_ingest_sql_acceptance.py``
checks that against the row validator on rows built to sit on every edge.

A rule gets an SQL form by registration next to its Python form (true only
for values the validator accepts *and* that carry no surrounding whitespace)::

    @sql_form(validate_division_code)
    def division_code_sql(column):
        return f"{column} = ANY(...)"

and a model whose ``normalize_key`` or ``cross_field_errors`` does more than
the base class's states the SQL counterpart in ``normalized_key_sql`` and
``cross_field_sql``. Without them the dataset keeps validating in Python.
"""

import datetime
import functools
import sys

from django.core import validators as core

from hub.records.codes import ascii_sql

# validator -> builder(column SQL) -> SQL boolean, true only when the validator accepts the value
SQL_FORMS = {}


@functools.cache
def whitespace():
    """Every character ``str.strip()`` removes: a cell starting or ending with one is left to Python."""
    return "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())


def sql_form(validator):
    """Register the decorated builder as the SQL form of ``validator``."""

    def register(builder):
        SQL_FORMS[validator] = builder
        return builder

    return register


def literal(text):
    """An SQL string literal for trusted text (codes, choices), as the quality rules write them."""
    from hub.quality.sql import sql_literal

    return sql_literal(text)


def text_array(values):
    """A constant ``text[]`` literal of plain values (digits, letters, dashes).

    One literal rather than ``ARRAY[...]``: it is parsed once, and PostgreSQL
    hashes ``= ANY`` over a constant array, so a lookup costs one probe.
    """
    values = sorted(values)
    if not all(v and v.replace("-", "").isalnum() and v.isascii() for v in values):
        raise ValueError("text_array takes plain codes only")
    return "'{" + ",".join(values) + "}'::text[]"


@functools.lru_cache(maxsize=8)
def dates(first, last, fmt="%Y-%m-%d"):
    """Every date from ``first`` to ``last`` written with ``fmt``, as a :func:`text_array`."""
    days = (last - first).days
    return text_array((first + datetime.timedelta(days=n)).strftime(fmt) for n in range(days + 1))


# A date cell is accepted in SQL when it is one of these, written YYYY-MM-DD; any other date,
# valid or not, goes to Python (a set lookup is cheaper in SQL than parsing the text).
FIRST_DATE = datetime.date(1800, 1, 1)
LAST_DATE = datetime.date(2199, 12, 31)


def iso_date(column):
    """``column`` is a date YYYY-MM-DD (as ``DateField.to_python`` reads it) in FIRST_DATE..LAST_DATE."""
    return f"{column} = ANY({dates(FIRST_DATE, LAST_DATE)})"


def _trimmed(column):
    """A non-empty cell whose first and last characters are not whitespace.

    In a UTF-8 database ``ascii()`` reads the first character's code point,
    and a hashed list of integers answers in one probe: a few times cheaper
    than searching the whitespace string, which other encodings still do.
    """
    if _server_encoding() == "UTF8":
        codes = ", ".join(str(ord(char)) for char in whitespace())
        return f"(ascii({column}) NOT IN ({codes}) AND ascii(right({column}, 1)) NOT IN ({codes}))"
    ws = literal(whitespace())
    return f"(strpos({ws}, left({column}, 1)) = 0 AND strpos({ws}, right({column}, 1)) = 0)"


def _server_encoding():
    """The database's encoding, as the server announced it when the connection opened."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding")


def _column(field, column):
    """(acceptance, typed value) for one column, or None when the field has no SQL form."""
    kind = field.get_internal_type()
    if kind not in ("CharField", "DateField"):
        return None
    checks = []
    for validator in field.validators:
        if isinstance(validator, core.MaxLengthValidator) and validator.limit_value == field.max_length:
            continue  # stated below
        builder = SQL_FORMS.get(validator)
        if builder is None:
            return None
        checks.append(builder(column))
    # a cell that must be a choice, a date or pass a registered SQL form is checked against
    # values without surrounding whitespace already; free text needs the check of its own
    present = []
    free_text = kind == "CharField" and not checks and not field.choices
    if free_text or any(str(v) != str(v).strip() for v, _label in field.flatchoices):
        present.append(_trimmed(column))
    if kind == "CharField":
        if field.max_length:
            present.append(f"char_length({column}) <= {int(field.max_length)}")
        value = column
        empty_ok = field.blank and not field.null  # '' stays ''
    else:
        present.append(iso_date(column))
        value = f"NULLIF({column}, '')::date"
        empty_ok = field.blank and field.null  # '' becomes NULL
    if field.choices:
        present.append(f"{column} IN ({', '.join(literal(v) for v, _label in field.flatchoices)})")
    if any(getattr(v, "coded_identifier", False) for v in field.validators):
        present.append(ascii_sql(column))  # a code is ASCII, whatever its own SQL form admits
    present += checks
    accepted = " AND ".join(present)
    if empty_ok:
        accepted = f"({column} = '' OR ({accepted}))"
    else:
        accepted = f"({column} <> '' AND {accepted})"
    return f"({column} IS NOT NULL AND {accepted})", value


def acceptance(model, columns, column_sql):
    """``(predicate, values)`` for the batch's ``columns`` (natural key first), or None.

    ``column_sql(field)`` spells a field's as-sent text column. ``predicate``
    is true only for rows the row validator accepts unchanged; ``values`` are
    the SQL expressions giving each column's typed value for such rows.
    """
    fields = [model._meta.get_field(name) for name in columns]
    spelled = {field.name: column_sql(field) for field in fields}
    predicates, values = [], []
    for field in fields:
        compiled = _column(field, spelled[field.name])
        if compiled is None:
            return None
        predicates.append(compiled[0])
        values.append(compiled[1])
    key = model.normalized_key_sql(spelled[fields[0].name])
    if key is not None:  # every natural key is a code (as the row validator says)
        key = f"({key} AND {ascii_sql(spelled[fields[0].name])})"
    cross = model.cross_field_sql(spelled)
    if key is None or cross is None:
        return None
    return " AND ".join([*predicates, key, cross]), values
