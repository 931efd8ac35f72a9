"""Reading a provider's body as rows: JSON array, NDJSON, CSV or XLSX, streamed.

Every reader yields ``(row number, [raw values])`` aligned with a header it
returns first, so the rest of ingestion never cares about the format. Text is
decoded strictly: UTF-8 (with or without BOM) or GB18030, declared by the
caller or detected from the first bytes; a byte that does not decode stops
the batch with the row it is in.
"""

import codecs
import csv
import io
import json

from django.utils.translation import gettext as _

from hub.records.text import forbidden_in

SAMPLE_BYTES = 64 * 1024
READ_CHARS = 256 * 1024
MAX_JSON_ROW_CHARS = 4 * 1024 * 1024

FORMATS = ("json", "ndjson", "csv", "xlsx")
CONTENT_TYPES = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonlines": "ndjson",
    "application/x-jsonlines": "ndjson",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
SUFFIXES = {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".xlsx": "xlsx"}


class IngestInputError(ValueError):
    """The body cannot be read as rows; the whole batch is refused (400), nothing written."""

    def __init__(self, detail, code="invalid_body", *, row=None, column=None):
        self.detail = detail
        self.code = code
        self.row = row
        self.column = column
        super().__init__(detail)

    def as_dict(self):
        body = {"detail": self.detail, "code": self.code}
        if self.row is not None:
            body["row"] = self.row
        if self.column is not None:
            body["column"] = self.column
        return body


class BodyTooLarge(IngestInputError):
    """More bytes than the configured limit (413)."""


class CountingReader(io.RawIOBase):
    """Wraps a binary stream: counts bytes (progress), enforces a limit, replays a peeked prefix."""

    def __init__(self, stream, limit=None, on_read=None):
        self.stream = stream
        self.limit = limit
        self.on_read = on_read
        self.count = 0
        self.prefix = b""

    def readable(self):
        return True

    def peek_sample(self, size=SAMPLE_BYTES):
        data = b""
        while len(data) < size:
            chunk = self._read_raw(size - len(data))
            if not chunk:
                break
            data += chunk
        self.prefix = data + self.prefix
        return data

    def _read_raw(self, size):
        chunk = self.stream.read(size)
        if chunk:
            self.count += len(chunk)
            if self.limit is not None and self.count > self.limit:
                raise BodyTooLarge(
                    _("The body is larger than %(limit)d bytes; load large files with `manage.py ingest`.")
                    % {"limit": self.limit},
                    code="too_large",
                )
            if self.on_read:
                self.on_read(len(chunk))
        return chunk

    def readinto(self, buffer):
        size = len(buffer)
        if self.prefix:
            data, self.prefix = self.prefix[:size], self.prefix[size:]
        else:
            data = self._read_raw(size)
        buffer[: len(data)] = data
        return len(data)


def detect_format(content_type="", filename=""):
    """The format named by a content type or a file name, or None."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    for suffix, fmt in SUFFIXES.items():
        if filename.lower().endswith(suffix):
            return fmt
    return None


def charset_of(content_type):
    for part in (content_type or "").split(";")[1:]:
        name, _sep, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip().strip('"')
    return None


def detect_encoding(sample):
    """UTF-8 (BOM or not) if the sample decodes as UTF-8, else GB18030 if it decodes so."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise IngestInputError(
        _("The body is neither UTF-8 nor GB18030; declare its encoding (charset)."), code="encoding"
    )


def _text(reader, encoding):
    if encoding is None:
        encoding = detect_encoding(reader.peek_sample())
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise IngestInputError(
                _("Unknown encoding %(encoding)s.") % {"encoding": encoding[:40]}, code="encoding"
            ) from None
        if encoding == "utf-8":
            encoding = "utf-8-sig"  # tolerate a BOM on declared UTF-8
    return io.TextIOWrapper(io.BufferedReader(reader, 1 << 16), encoding=encoding, newline=""), encoding


def read_rows(stream, fmt, *, encoding=None, limit=None, on_read=None):
    """``(header, rows)``: the header names as sent and an iterator of ``(row number, values)``."""
    if fmt not in FORMATS:
        raise IngestInputError(
            _(
                "Unsupported format; send JSON (application/json), NDJSON (application/x-ndjson) "
                "or CSV (text/csv)."
            ),
            code="unsupported_format",
        )
    reader = CountingReader(stream, limit=limit, on_read=on_read)
    if fmt == "xlsx":
        return _xlsx_rows(reader)
    text, encoding = _text(reader, encoding)
    rows = {"csv": _csv_rows, "ndjson": _ndjson_rows, "json": _json_rows}[fmt](text)
    return _decoding_guard(rows, encoding)


def _decoding_guard(rows, encoding):
    """Start the reader (so the header is known) and turn decode errors into row errors."""
    state = {"row": 0}

    def guarded():
        try:
            for item in rows:
                state["row"] = item[0]
                yield item
        except UnicodeDecodeError:
            raise IngestInputError(
                _("Row %(row)d is not valid %(encoding)s text; declare the body's encoding.")
                % {"row": state["row"] + 1, "encoding": encoding},
                code="encoding",
                row=state["row"] + 1,
            ) from None

    iterator = guarded()
    try:
        _number, header = next(iterator)
    except StopIteration:
        raise IngestInputError(_("The body is empty."), code="empty") from None
    return header, iterator


def _csv_rows(text):
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise IngestInputError(_("Malformed CSV header: %(error)s") % {"error": exc}, row=0) from None
    header = [name.strip() for name in header]
    yield 0, header
    width = len(header)
    number = 0
    try:
        for values in reader:
            if not values or values == [""]:
                continue  # blank line
            number += 1
            if len(values) != width:
                raise IngestInputError(
                    _("Row %(row)d has %(got)d columns; the header has %(width)d.")
                    % {"row": number, "got": len(values), "width": width},
                    code="malformed_row",
                    row=number,
                )
            yield number, values
    except csv.Error as exc:
        raise IngestInputError(
            _("Row %(row)d is malformed CSV: %(error)s") % {"row": number + 1, "error": exc},
            code="malformed_row",
            row=number + 1,
        ) from None


def objects_as_rows(objects):
    """Rows given as dicts (JSON objects, or Python callers): every row must carry the same items."""
    header = None
    for number, obj in objects:
        if not isinstance(obj, dict):
            raise IngestInputError(
                _("Row %(row)d is not a JSON object.") % {"row": number}, code="malformed_row", row=number
            )
        if header is None:
            header = list(obj)
            yield 0, header
            names = set(header)
        if obj.keys() != names:
            missing = sorted(names - obj.keys())
            extra = sorted(obj.keys() - names)
            raise IngestInputError(
                _("Row %(row)d carries different items from row 1 (missing %(missing)s, extra %(extra)s).")
                % {"row": number, "missing": missing or "-", "extra": extra or "-"},
                code="malformed_row",
                row=number,
            )
        found = forbidden_in(obj)
        if found:  # JSON escapes can spell text no database holds (NUL, a lone surrogate)
            raise IngestInputError(
                _("Row %(row)d, %(field)s: the character %(char)s is not allowed in text.")
                % {"row": number, "field": found[0][:64], "char": found[1]},
                code="malformed_row",
                row=number,
            )
        yield number, [obj[name] for name in header]


def _ndjson_rows(text):
    def objects():
        number = 0
        for line in text:
            if not line.strip():
                continue
            number += 1
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                raise IngestInputError(
                    _("Row %(row)d is not valid JSON: %(error)s") % {"row": number, "error": exc},
                    code="malformed_row",
                    row=number,
                ) from None

    return objects_as_rows(objects())


def _json_rows(text):
    """A JSON array of objects, decoded one element at a time so memory stays flat."""
    decoder = json.JSONDecoder()

    def objects():
        buffer = text.read(READ_CHARS)
        pos = 0
        eof = not buffer

        def skip_ws():
            nonlocal buffer, pos, eof
            while True:
                while pos < len(buffer) and buffer[pos] in " \t\r\n\ufeff":
                    pos += 1
                if pos < len(buffer) or eof:
                    return
                more = text.read(READ_CHARS)
                eof = not more
                buffer, pos = buffer[pos:] + more, 0

        skip_ws()
        if pos >= len(buffer):
            return
        if buffer[pos] != "[":
            raise IngestInputError(_("The body is not a JSON array of rows."), code="malformed_body")
        pos += 1
        number = 0
        while True:
            skip_ws()
            if pos >= len(buffer):
                raise IngestInputError(_("The JSON array is not closed."), code="malformed_body")
            if buffer[pos] == "]" and number == 0:
                pos += 1
                break
            number += 1
            while True:
                try:
                    obj, end = decoder.raw_decode(buffer, pos)
                    break
                except ValueError as exc:
                    if eof or len(buffer) - pos > MAX_JSON_ROW_CHARS:
                        raise IngestInputError(
                            _("Row %(row)d is not valid JSON: %(error)s") % {"row": number, "error": exc.msg},
                            code="malformed_row",
                            row=number,
                        ) from None
                    more = text.read(READ_CHARS)
                    eof = not more
                    buffer, pos = buffer[pos:] + more, 0
            pos = end
            yield number, obj
            skip_ws()
            if pos < len(buffer) and buffer[pos] == ",":
                pos += 1
                continue
            if pos < len(buffer) and buffer[pos] == "]":
                pos += 1
                break
            raise IngestInputError(
                _("Row %(row)d is not followed by ',' or ']'.") % {"row": number},
                code="malformed_row",
                row=number,
            )
        skip_ws()
        if pos < len(buffer):
            raise IngestInputError(_("Unexpected data after the JSON array."), code="malformed_body")

    return objects_as_rows(objects())


def _xlsx_rows(reader):
    from openpyxl import load_workbook

    data = io.BytesIO(reader.read())
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise IngestInputError(
            _("The file is not a readable XLSX workbook."), code="malformed_body"
        ) from None

    def rows():
        sheet = workbook.worksheets[0]
        width = None
        number = 0
        for values in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else _cell(v) for v in values]
            if width is None:
                while cells and cells[-1] == "":
                    cells.pop()
                if not cells:
                    continue
                width = len(cells)
                yield 0, [c.strip() for c in cells]
                continue
            cells = (cells + [""] * width)[:width] if len(cells) < width else cells
            if all(c == "" for c in cells):
                continue
            if any(c != "" for c in cells[width:]):
                raise IngestInputError(
                    _("Row %(row)d has values beyond the header.") % {"row": number + 1},
                    code="malformed_row",
                    row=number + 1,
                )
            number += 1
            yield number, cells[:width]
        workbook.close()

    iterator = rows()
    try:
        _number, header = next(iterator)
    except StopIteration:
        raise IngestInputError(_("The workbook is empty."), code="empty") from None
    return header, iterator


def _cell(value):
    import datetime

    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Plain CSV straight to COPY ---------------------------------------------------------------
#
# A CSV body without quotes is split the same way by Python's csv module and
# by PostgreSQL's COPY (FORMAT csv): fields at commas, records at line ends.
# Such a body can go to COPY as bytes, without a Python object per row. Every
# construct on which the two readers could part — a quote, COPY's "\." end
# marker, a blank line (skipped by the reader, a row to COPY), a line longer
# than the reader's field limit — sends the batch back to the reader, which
# then reads the whole body again (``replay``) and gives the same results and
# errors as if the direct path had never been tried. Anything COPY itself
# refuses (a wrong column count, a byte that is not UTF-8, a NUL) does too.

DIRECT_READ_BYTES = 1 << 20
SPOOL_MEMORY_BYTES = 8 << 20


class NotDirect(Exception):
    """The body holds a construct only the CSV reader handles: read it again with the reader."""


class Rewindable(io.RawIOBase):
    """A binary stream read once but replayable from its start.

    A seekable source is simply sought back; anything else (a request body)
    is kept, as read, in a spooled temporary file — in memory up to 8 MB,
    on disk beyond — so memory stays flat whatever the body's size.
    """

    def __init__(self, stream):
        self.stream = stream
        self.count = 0
        self.start = None
        self.spool = None
        try:
            if stream.seekable():
                self.start = stream.tell()
        except (AttributeError, OSError, ValueError):
            pass  # not seekable after all (a request body): spooled below
        if self.start is None:
            import tempfile

            self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        if not data:
            return 0
        if self.spool is not None:
            self.spool.write(data)
        self.count += len(data)
        buffer[: len(data)] = data
        return len(data)

    def replay(self):
        """The body from its first byte again, as a readable binary stream."""
        if self.spool is None:
            self.stream.seek(self.start)
            return self.stream
        self.spool.seek(0)
        return _Chain(self.spool, self.stream)

    def close(self):
        if self.spool is not None:
            self.spool.close()
        super().close()


class _Chain(io.RawIOBase):
    """The spooled prefix, then the rest of the original stream."""

    def __init__(self, first, rest):
        self.parts = [first, rest]

    def readable(self):
        return True

    def readinto(self, buffer):
        while self.parts:
            data = self.parts[0].read(len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
            self.parts.pop(0)
        return 0


class DirectCsv:
    """A plain UTF-8 CSV body whose data lines can be handed to COPY as they are."""

    FIELD_LIMIT = csv.field_size_limit()

    def __init__(self, reader, header, rest):
        self.reader = reader  # the CountingReader: limit and progress apply to every byte
        self.header = header
        self.rest = rest  # bytes of the sample after the header line

    def chunks(self):
        """The data bytes, checked as they pass; raises :class:`NotDirect` at the first doubt."""
        carry = b"\n"  # the header line's end: a blank first line shows as "\n\n"
        line = 0  # length of the line still open at the end of the previous chunk
        data = self.rest
        while data:
            window = carry + data
            if (
                b'"' in data
                or b"\\." in window
                or b"\n\n" in window
                or b"\n\r\n" in window
                or b"\r\r" in window
            ):
                raise NotDirect
            head, *rest = data.split(b"\n")
            if rest:  # the open line ends in this chunk; the last piece is the next open line
                longest = max([line + len(head), *map(len, rest)])
                line = len(rest[-1])
            else:
                longest = line = line + len(head)
            if longest > self.FIELD_LIMIT:
                raise NotDirect
            carry = window[-2:]
            yield data
            data = self.reader.read(DIRECT_READ_BYTES)


def direct_csv(stream, *, encoding=None, limit=None, on_read=None):
    """A :class:`DirectCsv` for a plain UTF-8 CSV body, or None when the reader must read it.

    Reads the first bytes only (the header line); the caller replays the
    stream for the reader when this returns None.
    """
    if encoding is not None:
        try:
            if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
                return None
        except LookupError:
            return None
    reader = CountingReader(stream, limit=limit, on_read=on_read)
    sample = reader.peek_sample()
    reader.prefix = b""
    if sample.startswith(codecs.BOM_UTF8):
        sample = sample[len(codecs.BOM_UTF8) :]
    end = sample.find(b"\n")
    if end < 0:
        return None
    line = sample[:end].rstrip(b"\r")
    if b"\r" in line or line.count(b'"') % 2:
        return None  # CR-only line ends, or a quoted header spanning lines: the reader's job
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        header = next(csv.reader([text]), [])
    except csv.Error:
        return None
    header = [name.strip() for name in header]
    if not header or header == [""]:
        return None
    return DirectCsv(reader, header, sample[end + 1 :])
