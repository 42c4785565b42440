"""Safe, streamed spreadsheet exports: one place that writes .xlsx and .csv for every list.

- Text that a spreadsheet would evaluate (beginning with ``= + - @``, tab or carriage return)
  is prefixed with an apostrophe, so ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` stays text.
- Control characters stored in names (``\\x07``, ESC, NUL …) are dropped: they would make
  openpyxl refuse the workbook and break the export for everyone.
- Numbers stay numbers (``Decimal`` and ``int`` are written as numbers; NaN and infinities
  become empty cells) and dates stay dates (aware datetimes in the local time zone).
- .xlsx is written by openpyxl in write-only mode to a temporary file, row by row; .csv (UTF-8
  with a BOM, so Excel reads Chinese) is streamed as it is produced. Memory stays flat.

Views call :func:`export_response`; :mod:`apps.jobs.exports` wraps it to run large exports as
background jobs.
"""

import csv
import datetime
import io
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook

from apps.core.prices import visible_columns

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
CHUNK_SIZE = 2000

# Characters XML 1.0 (and so .xlsx) cannot hold, plus DEL and the C1 controls; tab, LF and CR
# are kept (CR/tab only matter at the start of a cell, handled by the prefix below).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """``value`` without control characters, neutralised when a spreadsheet would evaluate it."""
    text = _CONTROL.sub("", value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def clean_cell(value: Any) -> Any:
    """A value safe to write into a cell: numbers and dates as such, everything else as text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value
    return clean_text(str(value))


@dataclass
class Table:
    """What an export writes: a sheet title, a file name without extension, headers and rows."""

    title: str | Promise
    filename: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    count: int | None = None  # rows, when known cheaply: large exports become jobs


def priced_table(
    user: Any,
    title: str | Promise,
    filename: str,
    columns: Sequence[tuple[str, Any]],
    rows: Iterable[Sequence[Any]],
    count: int | None = None,
) -> Table:
    """A table of ``columns`` (``(name, header)`` pairs) without the columns ``user`` may not see.

    A column's name says whether it carries a protected price (``apps.core.prices.FIELD_KINDS``,
    价格屏蔽, ADR 0007); ``rows`` hold a value for every column, in the same order, and lose the
    hidden ones here, so the export writes neither header nor value.
    """
    names = [name for name, _header in columns]
    shown = set(visible_columns(user, names))
    keep = [index for index, name in enumerate(names) if name in shown]
    if len(keep) < len(names):
        rows = ([row[index] for index in keep] for row in rows)
    return Table(title, filename, [columns[index][1] for index in keep], rows, count=count)


def _clean_rows(table: Table) -> Iterator[list[Any]]:
    yield [clean_cell(header) for header in table.headers]
    for row in table.rows:
        yield [clean_cell(value) for value in row]


def write_xlsx(table: Table, handle: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(str(table.title)))
    for row in _clean_rows(table):
        sheet.append(row)
    workbook.save(handle)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", " ", _CONTROL.sub("", title))[:31] or "Sheet1"


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a BOM, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for number, row in enumerate(_clean_rows(table), start=1):
        writer.writerow([_csv_value(value) for value in row])
        if number % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(table: Table, handle: IO[bytes]) -> None:
    for chunk in csv_chunks(table):
        handle.write(chunk)


def requested_format(request: HttpRequest) -> str:
    """``csv`` when the query string asks for it (``?format=csv``), else ``xlsx``."""
    value = request.GET.get("format", "xlsx")
    return value if value in FORMATS else "xlsx"


def export_response(table: Table, fmt: str = "xlsx") -> FileResponse | StreamingHttpResponse:
    """Stream ``table`` as an attachment in ``fmt`` (``xlsx`` or ``csv``)."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when the response ends)
    write_xlsx(table, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{table.filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
