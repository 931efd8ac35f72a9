"""The database accepts a row only when the row validator would accept it as sent.

``hub.records.ingest.sqlcheck`` lets PostgreSQL validate well-formed rows of
a load instead of Python. Here rows built to sit on every edge of every rule
(whitespace of all kinds, dates that almost exist, checksums one off, codes
that are retired, township-level or unknown, lengths at and past the limit,
cross-field disagreements) are judged by both: every row the SQL accepts must
be valid for :class:`RowValidator` with the very values the SQL casts, and
the plain valid rows must be accepted (or the fast path would do nothing).
"""

import datetime
import random

import pytest
from django.db import connection

from hub.records.ingest import sqlcheck
from hub.records.ingest.sqlcheck import acceptance, whitespace
from hub.records.ingest.validation import RowValidator
from population.demo import SOURCE_ITEMS, generate_persons
from population.models import Person
from population.validators import id_check_char

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL acceptance is PostgreSQL's"),
    pytest.mark.django_db,
]

# public security's items, and one item of the model that no CSV of theirs carries
COLUMNS = ("id_number", *SOURCE_ITEMS["gat"], "death_date")


def with_checksum(first17):
    return first17 + id_check_char(first17)


def id_variants(number):
    """The same person's ID number, mangled in every way that matters to one rule or another."""
    body = number[:17]
    wrong = "X" if number[17] != "X" else "0"
    today = datetime.date.today()
    return [
        number,
        number.lower(),
        f" {number}",
        f"{number}\u3000",
        number[:17] + wrong,  # checksum
        with_checksum("999999" + body[6:]),  # unknown area
        with_checksum("320100" + body[6:]),  # a city code: known
        with_checksum("320102" + body[6:]),  # a retired district code: still known
        with_checksum(body[:6] + "20000229" + body[14:]),  # leap day
        with_checksum(body[:6] + "19000229" + body[14:]),  # not a leap year
        with_checksum(body[:6] + "19990431" + body[14:]),
        with_checksum(body[:6] + "19991301" + body[14:]),
        with_checksum(body[:6] + "19990100" + body[14:]),
        with_checksum(body[:6] + "18791231" + body[14:]),
        with_checksum(body[:6] + "18800101" + body[14:]),
        with_checksum(body[:6] + today.strftime("%Y%m%d") + body[14:]),
        with_checksum(body[:6] + (today + datetime.timedelta(days=1)).strftime("%Y%m%d") + body[14:]),
        with_checksum(body[:6] + "00000101" + body[14:]),
        number[:17],
        number + "0",
        *non_ascii_spellings(number),
        "",
    ]


SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# zeros of other scripts' decimal digits: full-width, Arabic-Indic, Devanagari, Thai, mathematical bold
OTHER_ZEROS = ["\uff10", "\u0660", "\u0966", "\u0e50", "\U0001d7ce"]


def non_ascii_spellings(code):
    """``code`` with some or all digits in other scripts, as superscripts, or with an invisible mark."""

    def spelled(zero, only=None):
        return "".join(
            chr(ord(zero) + int(c)) if c.isdigit() and (only is None or n in only) else c
            for n, c in enumerate(code)
        )

    out = [spelled(zero) for zero in OTHER_ZEROS] + [spelled(zero, {len(code) - 3}) for zero in OTHER_ZEROS]
    out.append("".join(SUPERSCRIPTS[int(c)] if c.isdigit() else c for c in code))
    out.append(code[:-2] + SUPERSCRIPTS[int(code[-2])] + code[-1] if code[-2].isdigit() else code + "²")
    out += [code[:4] + mark + code[4:] for mark in ("\u200b", "\u200f", "\ufeff")]
    return out


def birth_variants(number, birth):
    implied = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    return [
        birth,
        implied,
        "2000-02-29",
        "1900-02-29",
        "2001-02-29",
        "1999-04-31",
        "1999-13-01",
        "1999-00-10",
        "1999-1-5",
        "19990105",
        "0000-01-01",
        f" {implied}",
        f"{implied}\n",
        "",
        "1999-01-05T00:00",
    ]


EDGES = ["", " ", "\u3000", "\u00a0", "\t", "\x1c", "\u2028", "\u200b"]


def text_variants(value, limit):
    return [
        value,
        "",
        *(edge + value for edge in EDGES[1:]),
        *(value + edge for edge in EDGES[1:]),
        "中" * limit,
        "中" * (limit + 1),
        "a b",
    ]


def rows():
    """Valid persons, then each column of each varied on its own and a few at once."""
    rng = random.Random(7)
    people = list(generate_persons(40, seed=99))
    out = []
    for person in people:
        base = {c: "" if person.get(c) is None else str(person[c]) for c in COLUMNS}
        out.append(dict(base))
        number = base["id_number"]
        variants = {
            "id_number": id_variants(number),
            "name": text_variants(base["name"], 64),
            "gender": ["1", "2", "0", "9", "3", "", " 1", "１", "12"],
            "ethnicity": ["", "01", "56", "57", "1", " 01", "xx"],
            "birth_date": birth_variants(number, base["birth_date"]),
            "birthplace_division": [
                "",
                "320102",
                "320100",
                "999999",
                "320102001",
                " 320102",
                "32010",
                *non_ascii_spellings("320102"),
            ],
            "household_division": [
                "",
                "320583",
                "110101",
                "3205830",
                "320583\u00a0",
                "３２０５８３",
                "32058³",
            ],
            "household_address": text_variants(base["household_address"], 200),
            "residence_address": text_variants(base["residence_address"], 200),
            "death_date": ["", base["birth_date"], "1880-01-01", "2099-12-31", "2001-02-29", " 2001-01-01"],
        }
        for column, values in variants.items():
            for value in rng.sample(values, min(len(values), 6)):
                out.append({**base, column: value})
        # two rules at once: a mangled ID number with the birth date it implies
        for mangled in rng.sample(variants["id_number"], 4):
            implied = f"{mangled[6:10]}-{mangled[10:12]}-{mangled[12:14]}"
            out.append({**base, "id_number": mangled, "birth_date": implied})
    return out


def judged_by_sql(batch, columns):
    q = connection.ops.quote_name
    fields = {name: Person._meta.get_field(name) for name in columns}
    predicate, values = acceptance(Person, columns, lambda field: f"s.{q(field.column)}")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE sent (rn integer, "
            + ", ".join(f"{q(fields[n].column)} text" for n in columns)
            + ")"
        )
        with cursor.copy(
            f"COPY sent (rn, {', '.join(q(fields[n].column) for n in columns)}) FROM STDIN"
        ) as copy:
            for number, row in enumerate(batch):
                copy.write_row((number, *(row[n] for n in columns)))
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        cursor.execute("SELECT rn FROM sent s ORDER BY rn", [])
        result = {rn: (False, None) for (rn,) in cursor.fetchall()}
        # cast only what is accepted, as the loader does (a cast of an invalid date would fail)
        cursor.execute(f"SELECT rn, {', '.join(values)} FROM sent s WHERE {predicate}", [])
        result.update({rn: (True, tuple(typed)) for rn, *typed in cursor.fetchall()})
        cursor.execute("DROP TABLE sent")
    return result


@pytest.fixture(params=["UTF8", "EUC_CN"])
def server_encoding(request, monkeypatch):
    """Both spellings of the whitespace check: code points (UTF-8 databases) and string search."""
    monkeypatch.setattr(sqlcheck, "_server_encoding", lambda: request.param)
    return request.param


@pytest.mark.parametrize("columns", [COLUMNS, COLUMNS[:-1], ("id_number", "name", "gender", "death_date")])
def test_every_row_the_database_accepts_is_valid_with_the_same_values(columns, server_encoding):
    batch = rows()
    validate = RowValidator(Person, columns)
    judged = judged_by_sql(batch, columns)
    accepted = invalid = turned_away = 0
    for number, row in enumerate(batch):
        sql_accepts, typed = judged[number]
        values, errors = validate(tuple(row[c] for c in columns))
        if errors:
            invalid += 1
        elif not sql_accepts:
            turned_away += 1  # valid, but left to Python
        if sql_accepts:
            accepted += 1
            assert errors is None, (row, errors)
            assert typed == values, row
    assert invalid > len(batch) // 10  # the edges do reach the rules
    # most valid rows are accepted; those left to Python carry whitespace Python strips,
    # a lower-case x or a township code (a third of the variants here)
    assert accepted > turned_away, (accepted, turned_away)


def test_the_plain_valid_persons_are_all_accepted(server_encoding):
    people = [
        {c: "" if p.get(c) is None else str(p[c]) for c in COLUMNS} for p in generate_persons(500, seed=5)
    ]
    judged = judged_by_sql(people, COLUMNS)
    assert [n for n, (ok, _values) in judged.items() if not ok] == []


def test_whitespace_is_every_character_python_strips():
    assert set(whitespace()) == {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert "\u3000" in whitespace() and "\u200b" not in whitespace()


def test_a_dataset_whose_rules_have_no_sql_form_is_left_to_python():
    from credit.models import LegalEntity as Entity

    columns = [f.name for f in Entity.item_fields()]
    columns.remove(Entity.catalogue_spec().natural_key)
    columns.insert(0, Entity.catalogue_spec().natural_key)
    assert acceptance(Entity, columns, lambda field: field.column) is None
    # the person dataset has every form it needs
    assert acceptance(Person, COLUMNS, lambda field: field.column) is not None


def test_python_and_sql_both_refuse_every_non_ascii_spelling_of_a_code(server_encoding):
    """The equivalence above only says SQL accepts nothing Python refuses; here both refuse these."""
    people = [
        {c: "" if p.get(c) is None else str(p[c]) for c in COLUMNS} for p in generate_persons(5, seed=3)
    ]
    batch = []
    for person in people:
        batch += [{**person, "id_number": v} for v in non_ascii_spellings(person["id_number"])]
        batch += [
            {**person, "household_division": v} for v in non_ascii_spellings(person["household_division"])
        ]
    judged = judged_by_sql(batch, COLUMNS)
    validate = RowValidator(Person, COLUMNS)
    for number, row in enumerate(batch):
        _values, errors = validate(tuple(row[c] for c in COLUMNS))
        assert errors, ascii(row)
        assert judged[number][0] is False, ascii(row)


def test_a_code_is_refused_in_sql_as_non_ascii_whatever_its_own_sql_form_admits(monkeypatch, server_encoding):
    """The ASCII rule is the framework's: an SQL form that vouched for anything still meets it."""
    from population.validators import validate_division_code, validate_id_number

    for validator in (validate_id_number, validate_division_code):
        monkeypatch.setitem(sqlcheck.SQL_FORMS, validator, lambda column: "true")
    monkeypatch.setattr(Person, "cross_field_sql", classmethod(lambda cls, columns: "true"))
    generated = next(generate_persons(1, seed=11))
    person = {c: "" if generated.get(c) is None else str(generated[c]) for c in COLUMNS}
    batch = [{**person, "id_number": v} for v in non_ascii_spellings(person["id_number"])]
    batch += [{**person, "household_division": v} for v in non_ascii_spellings(person["household_division"])]
    judged = judged_by_sql([person, *batch], COLUMNS)
    assert judged[0][0] is True  # the lenient forms do accept the plain row
    assert [ascii(batch[n - 1]) for n, (ok, _typed) in judged.items() if ok and n > 0] == []
