"""The dashboard's tables, declared once for the pages, the XLSX and the CSV exports."""

import csv
import io

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

# (key in the figures, column heading, kind) — kind picks the formatting.
FIGURE_COLUMNS = [
    ("items_planned", _("Items planned"), "int"),
    ("items_delivered", _("Items delivered"), "int"),
    ("delivery_rate", _("Delivery rate"), "rate"),
    ("catalogue_items", _("Catalogue items"), "int"),
    ("items_attached", _("Items with data"), "int"),
    ("mount_rate", _("Mount rate"), "rate"),
    ("records", pgettext_lazy("progress", "Records"), "int"),
    ("target_records", _("Target records"), "int"),
    ("records_rate", _("Records vs target"), "rate"),
    ("timeliness", pgettext_lazy("progress", "Timeliness"), "rate"),
    ("quality_score", _("Quality score"), "score"),
    ("calls", _("Calls"), "int"),
    ("systems", _("Consuming systems"), "int"),
    ("issues_open", _("Open issues"), "int"),
    ("issues_overdue", _("Overdue issues"), "int"),
    ("deadlines_missed", _("Deadlines missed"), "int"),
]
DEPARTMENT_COLUMNS = [("rank", _("Rank"), "int"), ("assessment", _("Assessment score"), "score")]
BATCH_COLUMNS = [
    ("items_planned", _("Items planned"), "int"),
    ("items_delivered", _("Items delivered"), "int"),
    ("delivery_rate", _("Delivery rate"), "rate"),
    ("deadlines_missed", _("Deadlines missed"), "int"),
]
ENTRY_COLUMNS = [
    ("batch", _("Batch"), "text"),
    ("library", _("Library"), "text"),
    ("dataset", _("Dataset"), "text"),
    ("item", _("Item"), "text"),
    ("department_name", _("Responsible department"), "text"),
    ("target_records", _("Target records"), "int"),
    ("records", pgettext_lazy("progress", "Records"), "int"),
    ("deadline", pgettext_lazy("progress", "Deadline"), "text"),
    ("delivered", _("Delivered"), "bool"),
    ("deadline_missed", _("Deadline missed"), "bool"),
    ("notes", _("Notes"), "text"),
]

TABLES = ("libraries", "departments", "batches", "entries")


def table(summary, entries, name):
    """``(title, columns, rows)`` of one of the dashboard's tables."""
    code = ("code", _("Code"), "text")
    label = ("name", _("Name"), "text")
    if name == "libraries":
        return _("Libraries"), [code, label, *FIGURE_COLUMNS], summary["libraries"]
    if name == "departments":
        rows = sorted(summary["departments"], key=lambda row: row["rank"])
        return _("Departments"), [*DEPARTMENT_COLUMNS, code, label, *FIGURE_COLUMNS], rows
    if name == "batches":
        return _("Plan batches"), [code, label, *BATCH_COLUMNS], summary["batches"]
    if name == "entries":
        return _("Plan entries"), ENTRY_COLUMNS, [state.as_dict() for state in entries]
    raise KeyError(name)


def cell(value, kind):
    """A value as written to a file: rates as fractions rounded to 4 places, booleans as 1/0."""
    if value is None:
        return ""
    if kind == "bool":
        return 1 if value else 0
    return value


def to_csv(title, columns, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow([str(heading) for _key, heading, _kind in columns])
    for row in rows:
        writer.writerow([cell(row.get(key), kind) for key, _heading, kind in columns])
    return buffer.getvalue()


def to_xlsx(tables):
    """An XLSX workbook (bytes) with one sheet per ``(title, columns, rows)``."""
    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in tables:
        sheet = book.create_sheet(str(title)[:31])
        sheet.append([str(heading) for _key, heading, _kind in columns])
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in rows:
            sheet.append([cell(row.get(key), kind) for key, _heading, kind in columns])
        for index, (_key, _heading, kind) in enumerate(columns, 1):
            if kind == "rate":
                for (c,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    c.number_format = "0.0%"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
