"""Plain CSV goes straight to COPY; everything else the CSV reader reads — with the same outcome.

Each body below is loaded twice on PostgreSQL: through the fast path (which
hands a plain body to COPY as bytes, or falls back to the reader) and through
the ORM loader (which always uses Python's CSV reader). Reports, refusals,
records and history must be the same; the path taken must be the expected one.
"""

import io

import pytest
from django.db import connection

from hub.records.ingest import ingest, postgres
from hub.records.ingest.parsing import IngestInputError
from population.models import Person

from .ingest_helpers import as_csv, gat_rows, snapshot

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
    pytest.mark.django_db,
    pytest.mark.usefixtures("english_messages"),
]

ROWS = gat_rows(4, seed=41)
PLAIN = as_csv(ROWS)
HEADER, *LINES = PLAIN.decode().splitlines()


def body(*lines, end="\n"):
    return end.join([HEADER, *lines]).encode() + end.encode()


def with_address(line, address):
    cells = line.split(",")
    return ",".join([*cells[:-1], address])


class Unseekable(io.RawIOBase):
    """A request body: read once, no seek."""

    def __init__(self, data):
        self.inner = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# name -> (body, does the fast path take it straight to COPY?)
BODIES = {
    "plain": (PLAIN, True),  # csv.writer's CRLF line ends
    "LF line ends": (body(*LINES), True),
    "no final line end": (PLAIN.rstrip(b"\r\n"), True),
    "byte order mark": (b"\xef\xbb\xbf" + PLAIN, True),
    "spaces around values": (body(*(line.replace(",", " , ") for line in LINES)), True),
    "rows without a key": (body(",".join(["", *LINES[0].split(",")[1:]]), *LINES[1:]), True),
    "duplicate keys": (body(*LINES, LINES[0]), True),
    "invalid value": (body(LINES[0].replace(",1,", ",7,", 1).replace(",2,", ",7,", 1), *LINES[1:]), True),
    "header only": (body(), True),
    "quoted address with a comma": (body(with_address(LINES[0], '"江苏省,南京市"'), *LINES[1:]), False),
    "quote inside a value": (body(with_address(LINES[0], 'ab"c'), *LINES[1:]), False),
    "blank line between rows": (body(LINES[0], "", *LINES[1:]), False),
    "blank line at the end": (body(*LINES) + b"\n", False),
    "copy's end marker": (body(LINES[0], "\\.", *LINES[1:]), False),
    "backslash-dot in a value": (body(with_address(LINES[0], "A\\.B"), *LINES[1:]), False),
    "extra column": (body(LINES[0] + ",x", *LINES[1:]), False),
    "missing column": (body(LINES[0].rsplit(",", 1)[0], *LINES[1:]), False),
    "NUL byte": (body(with_address(LINES[0], "A\x00B"), *LINES[1:]), False),
    "not UTF-8 after the header": (as_csv(ROWS, encoding="gb18030"), False),
    "field over the reader's limit": (body(with_address(LINES[0], "长" * 140_000), *LINES[1:]), False),
}


def outcome(data, engine, stream=io.BytesIO):
    try:
        report = ingest("population.person", stream(data), fmt="csv", department="gat", engine=engine).report
        result = {k: v for k, v in report.items() if k != "batch"}
    except IngestInputError as refusal:
        result = refusal.as_dict()
    return result, snapshot(Person)


@pytest.fixture
def direct_taken(monkeypatch):
    taken = []
    original = postgres.CopyLoader.stage_csv

    def spy(self, direct, header_columns):
        staged = original(self, direct, header_columns)
        taken.append(staged)
        return staged

    monkeypatch.setattr(postgres.CopyLoader, "stage_csv", spy)
    return taken


def _reset():
    Person.objects.all().delete()
    Person.history.all().delete()  # after: deleting the records writes "-" versions


@pytest.mark.parametrize("stream", [io.BytesIO, Unseekable], ids=["file", "request body"])
@pytest.mark.parametrize("name", list(BODIES))
def test_fast_path_and_reader_agree(name, stream, direct_taken):
    data, direct = BODIES[name]
    expected = outcome(data, "orm")
    _reset()
    got = outcome(data, "copy", stream)
    assert got == expected
    # a body refused before staging (an encoding the header cannot show) never reaches COPY
    assert direct_taken in ([direct], []) and (direct_taken == [direct] or not direct)


def test_the_outcomes_are_what_a_provider_expects(direct_taken):
    """Not only equal: right. (Two readers agreeing on a wrong answer would pass the test above.)"""
    assert outcome(PLAIN, "copy")[0]["created"] == 4
    _reset()
    quoted = outcome(BODIES["quoted address with a comma"][0], "copy")
    assert quoted[0]["created"] == 4
    assert Person.objects.get(id_number=ROWS[0]["id_number"]).residence_address == "江苏省,南京市"
    _reset()
    assert outcome(BODIES["extra column"][0], "copy")[0]["code"] == "malformed_row"
    _reset()
    refused = outcome(BODIES["duplicate keys"][0], "copy")[0]
    assert refused["code"] == "duplicate_key" and "rows 1, 5" in refused["detail"]
    _reset()
    rejected = outcome(BODIES["invalid value"][0], "copy")[0]
    assert (rejected["created"], [r["row"] for r in rejected["rejected"]]) == (3, [1])
    _reset()
    refused = outcome(BODIES["NUL byte"][0], "copy")[0]
    assert (refused["code"], refused["row"]) == ("malformed_row", 1) and "NUL" in refused["detail"]
    assert direct_taken == [True, False, False, True, True, False]


def test_progress_counts_each_byte_once_when_the_reader_reads_again():
    data = BODIES["quoted address with a comma"][0]  # falls back after the direct path read it
    seen = []
    ingest(
        "population.person",
        Unseekable(data),
        fmt="csv",
        department="gat",
        engine="copy",
        on_read=seen.append,
    )
    assert sum(seen) == len(data)


def test_an_oversized_body_is_refused_on_the_fast_path(direct_taken):
    from hub.records.ingest.parsing import BodyTooLarge

    data = as_csv(gat_rows(200, seed=42))
    with pytest.raises(BodyTooLarge):
        ingest("population.person", Unseekable(data), fmt="csv", department="gat", limit=len(data) - 10)
    assert Person.objects.count() == 0
