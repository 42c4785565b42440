"""The one export writer: formulas neutralised, control characters dropped, types kept."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from apps.core.exports import Table, clean_cell, export_response

HOSTILE = [
    '=HYPERLINK("http://evil","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "bell\x07name",
    "esc\x1b[31mred",
    "nul\x00byte",
]


def _xlsx_rows(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active  # full mode: formulas would show as data_type "f"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_cell_never_leaves_a_formula_or_a_control_character(text):
    cleaned = clean_cell(text)

    assert not cleaned.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in cleaned)


def test_xlsx_export_keeps_hostile_text_as_text_and_types_as_types():
    shanghai = ZoneInfo("Asia/Shanghai")
    rows = [[text, Decimal("12.50"), 3, datetime.date(2026, 11, 30)] for text in HOSTILE]
    rows.append(["x", Decimal("NaN"), float("inf"), datetime.datetime(2026, 11, 30, 1, 2, 3, tzinfo=datetime.UTC)])
    table = Table("Sheet=1/[x]", "t", ["=name", "price", "qty", "day"], rows)

    with_tz = pytest.MonkeyPatch.context()
    with with_tz as patch:
        patch.setattr("django.utils.timezone.get_current_timezone", lambda: shanghai)
        written = _xlsx_rows(export_response(table, "xlsx"))

    assert written[0] == ["'=name", "price", "qty", "day"]
    assert written[1] == ['\'=HYPERLINK("http://evil","click")', 12.5, 3, datetime.datetime(2026, 11, 30)]  # noqa: DTZ001  (Excel has no zones)
    assert [row[0] for row in written[1:11]] == [
        '\'=HYPERLINK("http://evil","click")',
        "'=cmd|' /C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\nCR",  # XML reads a carriage return back as a line feed
        "bellname",
        "esc[31mred",
        "nulbyte",
    ]
    assert written[11] == ["x", None, None, datetime.datetime(2026, 11, 30, 9, 2, 3)]  # noqa: DTZ001  (local time)


def test_csv_export_has_a_bom_and_neutralised_cells():
    table = Table("t", "orders", ["name", "amount"], [["=1+2", Decimal("5.00")], ["a\x07b", 7]])

    response = export_response(table, "csv")

    content = b"".join(response.streaming_content)
    assert response["Content-Disposition"] == 'attachment; filename="orders.csv"'
    assert content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [
        ["name", "amount"],
        ["'=1+2", "5.00"],
        ["ab", "7"],
    ]
