"""Tables as CSV or XLSX downloads (issue queues, bulletins)."""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, (int, float)) else str(value)


def render(sheets, fmt="csv"):
    """``sheets`` is ``[(title, header, rows)]``; returns the file's bytes. CSV writes the sheets
    one after another, with a byte-order mark so spreadsheet programs read the Chinese as UTF-8."""
    if fmt == "xlsx":
        book = Workbook()
        book.remove(book.active)
        for title, header, rows in sheets:
            sheet = book.create_sheet(str(title)[:31])
            sheet.append([str(h) for h in header])
            for row in rows:
                sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    for index, (title, header, rows) in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                writer.writerow([])
            writer.writerow([str(title)])
        writer.writerow([str(h) for h in header])
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def download(filename, sheets, fmt="csv"):
    """The sheets as an attachment ``filename.csv`` or ``filename.xlsx``."""
    content_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(render(sheets, fmt), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    )
    return response


ISSUE_HEADER = [
    "id",
    "dataset",
    "item",
    "record_key",
    "rule",
    "department",
    "origin",
    "dimension",
    "severity",
    "status",
    "opened_at",
    "due_at",
    "overdue",
    "detail",
]


def issue_rows(issues):
    for issue in issues.select_related("dataset", "item", "rule", "department"):
        yield [
            issue.pk,
            issue.dataset.code,
            issue.item.code if issue.item_id else "",
            issue.record_key,
            issue.rule.code if issue.rule_id else "",
            issue.department.code,
            issue.origin,
            issue.dimension,
            issue.severity,
            issue.status,
            issue.opened_at,
            issue.due_at,
            issue.overdue,
            issue.detail,
        ]
