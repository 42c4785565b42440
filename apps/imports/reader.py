"""Reading an uploaded spreadsheet without trusting it.

Every check runs while streaming, before the expensive part, and the first limit reached stops
the read with a clear message (``FileRefused``):

1. size of the upload (``IMPORT_UPLOAD_MAX_SIZE``);
2. type sniffed from the first bytes, never from the name: a zip (.xlsx), an OLE2 container
   (a password-protected workbook, or an old .xls), or text (CSV, UTF-8 with or without BOM,
   else GBK/GB18030);
3. for .xlsx, the zip directory is inspected before any XML is parsed: the uncompressed size
   of each member and of all of them, the compression ratio, the shared-strings table (which
   openpyxl loads whole) (``IMPORT_MAX_UNCOMPRESSED``, ``IMPORT_MAX_SHARED_STRINGS``);
4. the worksheet XML is then streamed row by row (openpyxl's own cell parser, so numbers,
   dates and shared strings are read as Excel means them); the declared dimension is ignored,
   the row number of each row read is checked against ``IMPORT_MAX_ROWS`` (a cell on row
   1,048,576 stops the read there, without producing the empty rows before it), and cells
   beyond ``IMPORT_MAX_COLUMNS`` are refused.

What is read comes back as a :class:`Sheet`: the header, the data rows with their sheet row
numbers, formula cells (never evaluated), merged ranges and notes about other sheets.
"""

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_RATIO = 200  # uncompressed / compressed, for members above 1 MB


class FileRefused(Exception):
    """The file is not read at all; the message says why, in the user's language."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def limit_rows() -> int:
    return _limit("IMPORT_MAX_ROWS", 100_000)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the sheet, values by column)
    formulas: list[tuple[str, str]] = field(default_factory=list)  # (cell, formula)
    merged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_upload(handle: IO[bytes], *, size: int | None = None, max_rows: int | None = None) -> Sheet:
    """Read ``handle`` (an .xlsx or .csv, sniffed); raise ``FileRefused`` on the first limit.

    ``max_rows`` lowers the row limit below ``IMPORT_MAX_ROWS`` for a page that takes fewer.
    """
    row_limit = min(max_rows or limit_rows(), limit_rows())
    max_size = _limit("IMPORT_UPLOAD_MAX_SIZE", 20 * 1024 * 1024)
    if size is None:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
    handle.seek(0)
    if size > max_size:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(max_size / 1048576, 1)}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(handle, row_limit)
    if head.startswith(OLE2_MAGIC):
        raise FileRefused(
            _(
                "This is a password-protected workbook or an old .xls file: remove the password, "
                "or save it as .xlsx, and upload it again."
            )
        )
    return _read_csv(handle, row_limit)


# --- .xlsx ------------------------------------------------------------------------------------


def _inspect_zip(archive: zipfile.ZipFile) -> None:
    total_limit = _limit("IMPORT_MAX_UNCOMPRESSED", 256 * 1024 * 1024)
    strings_limit = _limit("IMPORT_MAX_SHARED_STRINGS", 32 * 1024 * 1024)
    names = set()
    total = 0
    for info in archive.infolist():
        names.add(info.filename)
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(
                _("The workbook part %(part)s expands %(ratio)d times: it is refused as a zip bomb.")
                % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
            )
        if info.filename.lower() == "xl/sharedstrings.xml" and info.file_size > strings_limit:
            raise FileRefused(
                _("The workbook's text table is %(size)d MB uncompressed; the limit is %(limit)d MB.")
                % {"size": info.file_size // 1048576, "limit": strings_limit // 1048576}
            )
    if total > total_limit:
        raise FileRefused(
            _("The workbook is %(size)d MB uncompressed; the limit is %(limit)d MB.")
            % {"size": total // 1048576, "limit": total_limit // 1048576}
        )
    if "EncryptedPackage" in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("The file is not a readable .xlsx workbook (it may be damaged or encrypted)."))


@dataclass
class _Book:
    """The parts of a workbook a sheet needs: its text table, its date formats, its sheets.

    Read with openpyxl's ``ExcelReader`` steps up to the worksheets, which it would open as
    read-only sheets: each one without a declared dimension (as openpyxl itself writes them)
    would be parsed whole just to size it.
    """

    reader: ExcelReader
    sheets: list[tuple[str, str, str]]  # (title, state, part) in the workbook's order

    def parser(self, part: str) -> WorkSheetParser:
        wb = self.reader.wb
        return _SheetParser(
            self.reader.archive.open(part),
            self.reader.shared_strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )

    def declared_empty(self, part: str) -> bool:
        """The sheet declares the dimension A1 (nothing, or one cell), or has no dimension and no
        cell before the end of its data; otherwise it may hold data."""
        with self.reader.archive.open(part) as source:
            head = source.read(64 * 1024)
        match = _DIMENSION.search(head)
        if match is not None:
            return match.group(1) in (b"A1", b"A1:A1")
        return _DATA_END.search(head) is not None and _CELL.search(head) is None


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([^\"]+)\"")
_DATA_END = re.compile(rb"<(?:\w+:)?sheetData\s*/>|</(?:\w+:)?sheetData>")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")


class _SheetParser(WorkSheetParser):
    """openpyxl's cell parser, with inline strings read directly (the text of ``<t>`` and of each
    run's ``<t>``, as openpyxl's ``Text.content``) instead of through its object tree, which
    took most of the time on files written by openpyxl and other exporters."""

    def parse_cell(self, element):
        coordinate = element.get("r")
        if element.get("t") != "inlineStr" or not coordinate or element.find(FORMULA_TAG) is not None:
            return super().parse_cell(element)
        row, column = coordinate_to_tuple(coordinate)
        self.col_counter = column
        inline = element.find(INLINE_STRING)
        if inline is None:
            return {"row": row, "column": column, "value": None, "data_type": "inlineStr", "style_id": 0}
        parts = []
        for node in inline:
            if node.tag == _T_TAG:
                parts.append(node.text or "")
            elif node.tag == _RUN_TAG:
                text = node.find(_T_TAG)
                if text is not None:
                    parts.append(text.text or "")
        return {"row": row, "column": column, "value": "".join(parts), "data_type": "s", "style_id": 0}


_T_TAG = f"{{{SHEET_MAIN_NS}}}t"
_RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"


def _open_book(handle: IO[bytes]) -> _Book:
    reader = ExcelReader(handle, read_only=True, keep_vba=False, data_only=False, keep_links=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [
        (sheet.name, sheet.state or "visible", rel.target)
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    return _Book(reader, sheets)


def _read_xlsx(handle: IO[bytes], row_limit: int) -> Sheet:
    try:
        archive = zipfile.ZipFile(handle)
        _inspect_zip(archive)
        book = _open_book(handle)
    except FileRefused:
        raise
    except Exception as error:  # zipfile, XML and openpyxl raise many kinds on a damaged file
        raise FileRefused(
            _("The file is not a readable .xlsx workbook (it may be damaged): %(error)s") % {"error": str(error)[:200]}
        ) from error
    try:
        return _read_first_visible_sheet(book, row_limit)
    except FileRefused:
        raise
    except Exception as error:
        raise FileRefused(
            _("The workbook could not be read (it may be damaged): %(error)s") % {"error": str(error)[:200]}
        ) from error
    finally:
        book.reader.archive.close()


def _read_first_visible_sheet(book: _Book, row_limit: int) -> Sheet:
    visible = [entry for entry in book.sheets if entry[1] == "visible"]
    if not visible:
        raise FileRefused(_("The workbook has no visible sheet."))
    first_title, _state, first_part = visible[0]
    sheet = _parse_sheet(book, first_title, first_part, row_limit)
    for title, state, part in book.sheets:
        if part == first_part or book.declared_empty(part):
            continue
        if state != "visible":
            sheet.notes.append(
                _("The hidden sheet “%(sheet)s” is not imported; only “%(first)s” is.")
                % {"sheet": title, "first": first_title}
            )
        else:
            sheet.notes.append(
                _("The sheet “%(sheet)s” is not imported; only the first sheet “%(first)s” is.")
                % {"sheet": title, "first": first_title}
            )
    if not sheet.header and not sheet.rows and sheet.notes:
        raise FileRefused(
            _("The first sheet “%(first)s” is empty; put the data on the first sheet.") % {"first": first_title}
        )
    return sheet


def _parse_sheet(book: _Book, title: str, part: str, row_limit: int) -> Sheet:
    limit = row_limit + 1  # plus the header
    max_columns = _limit("IMPORT_MAX_COLUMNS", 60)
    parser = book.parser(part)
    sheet = Sheet(name=title, header=[], rows=[])
    first_row: int | None = None
    for row_number, cells in parser.parse():
        if (
            first_row is not None
            and row_number - first_row >= limit
            and any(c["value"] not in (None, "") for c in cells)
        ):
            raise FileRefused(
                _("The sheet has data on row %(row)d; at most %(limit)d rows can be imported at once.")
                % {"row": row_number, "limit": limit - 1}
            )
        values: dict[int, Any] = {}
        for cell in cells:
            value = cell["value"]
            if value is None or value == "":
                continue
            column = cell["column"]
            if column > max_columns:
                raise FileRefused(
                    _("Cell %(cell)s is beyond the last allowed column %(column)s.")
                    % {"cell": f"{get_column_letter(column)}{row_number}", "column": get_column_letter(max_columns)}
                )
            if cell["data_type"] == "f":
                sheet.formulas.append((f"{get_column_letter(column)}{row_number}", str(value)[:100]))
            values[column] = value
        if not values:
            continue
        if first_row is None:
            first_row = row_number
        width = max(values)
        row = [values.get(column) for column in range(1, width + 1)]
        if not sheet.header and row_number == first_row:
            sheet.header = [("" if value is None else str(value)).strip() for value in row]
        else:
            sheet.rows.append((row_number, row))
    merged = getattr(parser, "merged_cells", None)
    if merged is not None:
        sheet.merged = [str(ref) for ref in getattr(merged, "mergeCell", [])]
    return sheet


# --- .csv -------------------------------------------------------------------------------------


def _decoded_lines(handle: IO[bytes]) -> Iterator[str]:
    """Text lines of ``handle``: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    sample = handle.read(64 * 1024)
    handle.seek(0)
    if b"\x00" in sample:
        raise FileRefused(_("The file is neither an .xlsx workbook nor a CSV text file."))
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    try:
        yield from io.TextIOWrapper(handle, encoding=encoding, newline="")
    except UnicodeDecodeError as error:
        raise FileRefused(
            _("The CSV file is neither UTF-8 nor GBK text (byte %(position)d).") % {"position": error.start}
        ) from error


def _read_csv(handle: IO[bytes], row_limit: int) -> Sheet:
    limit = row_limit + 1
    max_columns = _limit("IMPORT_MAX_COLUMNS", 60)
    sheet = Sheet(name="CSV", header=[], rows=[])
    reader = csv.reader(_decoded_lines(handle))
    try:
        for row_number, row in enumerate(reader, start=1):
            if row_number > limit:
                raise FileRefused(
                    _("The file has more than %(limit)d rows; at most %(limit)d rows can be imported at once.")
                    % {"limit": limit - 1}
                )
            values = [value if value.strip() else None for value in row]
            while values and values[-1] is None:
                values.pop()
            if not values:
                continue
            if len(values) > max_columns:
                raise FileRefused(
                    _("Row %(row)d has %(count)d columns; at most %(limit)d are allowed.")
                    % {"row": row_number, "count": len(values), "limit": max_columns}
                )
            if not sheet.header:
                sheet.header = [("" if value is None else value).strip() for value in values]
            else:
                sheet.rows.append((row_number, values))
    except csv.Error as error:
        raise FileRefused(_("The CSV file is malformed: %(error)s") % {"error": str(error)[:200]}) from error
    return sheet


# --- the read sheet, kept between the check and the import ---------------------------------------

_TYPES = {
    "datetime": (datetime.datetime, datetime.datetime.fromisoformat),
    "date": (datetime.date, datetime.date.fromisoformat),
    "time": (datetime.time, datetime.time.fromisoformat),
}


def _encode(value: Any) -> Any:
    for tag, (kind, _parse) in _TYPES.items():
        if isinstance(value, kind):
            return {"$": tag, "v": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$": "timedelta", "v": value.total_seconds()}
    raise TypeError(f"cannot keep a cell of type {type(value).__name__}")


def _decode(obj: dict) -> Any:
    tag = obj.get("$")
    if tag == "timedelta":
        return datetime.timedelta(seconds=obj["v"])
    if tag in _TYPES:
        return _TYPES[tag][1](obj["v"])
    return obj


def sheet_dump(sheet: Sheet, handle: IO[bytes]) -> None:
    """Write ``sheet`` as JSON (cells keep their types), for ``sheet_load`` to read back exactly.

    Reading the workbook again costs seconds per 10,000 rows (XML parsing); this costs a tenth.
    """
    data = {
        "name": sheet.name,
        "header": sheet.header,
        "rows": sheet.rows,
        "formulas": sheet.formulas,
        "merged": sheet.merged,
        "notes": sheet.notes,
    }
    handle.write(json.dumps(data, default=_encode, ensure_ascii=False, separators=(",", ":")).encode())


def sheet_load(handle: IO[bytes]) -> Sheet:
    data = json.loads(handle.read(), object_hook=_decode)
    return Sheet(
        name=data["name"],
        header=data["header"],
        rows=[(number, values) for number, values in data["rows"]],
        formulas=[tuple(item) for item in data["formulas"]],
        merged=data["merged"],
        notes=data["notes"],
    )
