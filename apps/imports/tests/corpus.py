"""The hostile-file corpus: each file is built here, so the suite keeps every case reproducible.

``build(name)`` returns the bytes of one case; ``CASES`` lists them. Built on demand (a few are
crafted zips whose declared sizes lie or whose text table expands to tens of megabytes).
"""

import io
import zipfile

from openpyxl import Workbook

PRODUCT_HEADER = ["code", "name", "category", "base_unit", "purchase_price", "sale_price", "barcodes"]


def xlsx(rows, *, sheets=None, hook=None) -> bytes:
    """A workbook whose first sheet holds ``rows``; ``sheets`` adds ``{title: (state, rows)}``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for title, (state, other_rows) in (sheets or {}).items():
        other = workbook.create_sheet(title)
        other.sheet_state = state
        for row in other_rows:
            other.append(row)
    if hook:
        hook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, replacements: dict[str, bytes]) -> bytes:
    """The same zip with some members' contents replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replacements.pop(info.filename, None)
            target.writestr(info.filename, data if data is not None else source.read(info.filename))
        for name, data in replacements.items():
            target.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows_xml: str, dimension: str = "A1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    ).encode()


def dimension_bomb() -> bytes:
    """5 KB: dimension A1:XFD1048576, a header, one row, and one cell on row 1,048,576."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>boom</t></is></c></row>'
    )
    return rewrite(xlsx([["placeholder"]]), {"xl/worksheets/sheet1.xml": sheet_xml(rows, "A1:XFD1048576")})


def shared_strings_bomb(megabytes: int = 40) -> bytes:
    """A few hundred KB that expand to ``megabytes`` MB of shared strings."""
    text = "A" * (megabytes * 1024 * 1024)
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    ).encode()
    return rewrite(xlsx([["code", "name"], ["A1", "x"]]), {"xl/sharedStrings.xml": strings})


def many_rows(count: int) -> bytes:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, count + 1))
    return rewrite(xlsx([["placeholder"]]), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})


def wide_cell() -> bytes:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="ZZ1"><v>1</v></c></row>'
    return rewrite(xlsx([["placeholder"]]), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})


def corrupted() -> bytes:
    return xlsx([PRODUCT_HEADER, ["A1", "x", "DRINK", "PCS", 1, 2, ""]])[:-200]


def password_protected() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def not_a_spreadsheet() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500


def formulas() -> bytes:
    return xlsx([PRODUCT_HEADER, ["A1", "x", "DRINK", "PCS", "=1+1", 2, ""], ["A2", "=B2", "DRINK", "PCS", 1, 2, ""]])


def merged() -> bytes:
    def merge(workbook):
        workbook.active.merge_cells("C2:C3")

    return xlsx([PRODUCT_HEADER, ["A1", "x", "DRINK", "PCS", 1, 2, ""], ["A2", "y", None, "PCS", 1, 2, ""]], hook=merge)


def hidden_sheet() -> bytes:
    return xlsx(
        [PRODUCT_HEADER, ["A1", "x", "DRINK", "PCS", 1, 2, ""]],
        sheets={"secret": ("hidden", [PRODUCT_HEADER, ["B1", "y", "DRINK", "PCS", 1, 2, ""]])},
    )


def data_on_second_sheet() -> bytes:
    return xlsx([], sheets={"Data": ("visible", [PRODUCT_HEADER, ["B1", "y", "DRINK", "PCS", 1, 2, ""]])})


def csv_bytes(rows, encoding: str) -> bytes:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in rows) + "\r\n"
    return text.encode(encoding)
