"""Hostile files are refused while streaming, quickly, with a clear message."""

import io
import time

import pytest

from apps.imports.reader import FileRefused, read_upload
from apps.imports.tests import corpus


def read(content: bytes):
    return read_upload(io.BytesIO(content))


def refused(content: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        read(content)
    return str(caught.value)


def test_plain_workbook_is_read_with_row_numbers():
    sheet = read(corpus.xlsx([["code", "name"], ["A1", "x"], [None, None], ["A2", "y"]]))

    assert sheet.header == ["code", "name"]
    assert sheet.rows == [(2, ["A1", "x"]), (4, ["A2", "y"])]  # the empty row is skipped


def test_dimension_bomb_stops_at_the_row_limit_without_walking_a_million_rows(settings):
    started = time.monotonic()

    message = refused(corpus.dimension_bomb())

    assert time.monotonic() - started < 2
    assert message == "The sheet has data on row 1048576; at most 100000 rows can be imported at once."


def test_shared_strings_bomb_is_refused_before_parsing():
    content = corpus.shared_strings_bomb(40)
    started = time.monotonic()

    message = refused(content)

    assert len(content) < 1024 * 1024
    assert time.monotonic() - started < 2
    assert "expands" in message or "text table" in message


def test_row_limit_is_checked_while_reading(settings):
    settings.IMPORT_MAX_ROWS = 50

    assert refused(corpus.many_rows(60)) == "The sheet has data on row 52; at most 50 rows can be imported at once."


def test_csv_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 2

    message = refused(corpus.csv_bytes([["code"], ["a"], ["b"], ["c"]], "utf-8"))

    assert message == "The file has more than 2 rows; at most 2 rows can be imported at once."


def test_cell_beyond_the_last_column_is_refused():
    assert refused(corpus.wide_cell()) == "Cell ZZ1 is beyond the last allowed column BH."


def test_size_limit(settings):
    settings.IMPORT_UPLOAD_MAX_SIZE = 1000

    assert refused(corpus.xlsx([["code"]] * 10)).startswith("The file is ")


@pytest.mark.parametrize(
    ("builder", "start"),
    [
        (corpus.corrupted, "The file is not a readable .xlsx workbook"),
        (corpus.password_protected, "This is a password-protected workbook or an old .xls file"),
        (corpus.not_a_spreadsheet, "The file is neither an .xlsx workbook nor a CSV text file."),
        (lambda: b"", "The file is empty."),
    ],
)
def test_unreadable_files_are_refused(builder, start):
    assert refused(builder()).startswith(start)


def test_formulas_are_reported_with_their_cell_not_evaluated():
    sheet = read(corpus.formulas())

    assert sheet.formulas == [("E2", "=1+1"), ("B3", "=B2")]


def test_merged_cells_are_reported():
    assert read(corpus.merged()).merged == ["C2:C3"]


def test_hidden_sheet_is_not_imported_and_says_so():
    sheet = read(corpus.hidden_sheet())

    assert [row[1][0] for row in sheet.rows] == ["A1"]
    assert sheet.notes == ["The hidden sheet “secret” is not imported; only “Sheet1” is."]


def test_data_only_on_a_second_sheet_is_refused():
    assert (
        refused(corpus.data_on_second_sheet()) == "The first sheet “Sheet1” is empty; put the data on the first sheet."
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(encoding):
    sheet = read(corpus.csv_bytes([["编码", "名称"], ["A1", "农夫山泉"]], encoding))

    assert sheet.header == ["编码", "名称"]
    assert sheet.rows == [(2, ["A1", "农夫山泉"])]


def test_inline_strings_read_as_their_text_with_every_run():
    """openpyxl and many exporters write inline strings; rich text keeps every run's text."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = Workbook(write_only=True)
    first = book.create_sheet("货品")
    first.append(["code", "名称"])
    first.append(["A1", CellRichText("可口", TextBlock(InlineFont(b=True), "可乐"), " 330ml")])
    book.create_sheet("空表")
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden.append(["x"])
    content = io.BytesIO()
    book.save(content)

    sheet = read(content.getvalue())

    assert sheet.rows == [(2, ["A1", "可口可乐 330ml"])]
    assert sheet.notes == ["The hidden sheet “隐藏” is not imported; only “货品” is."]
