"""Order lines uploaded into a document grid: read by the hostile-file reader, answered like a paste."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.imports.tests import corpus
from apps.masterdata.tests.factories import ProductBarcodeFactory, ProductFactory, ProductUnitFactory, UnitFactory

pytestmark = pytest.mark.django_db

URL = "imports:lines_upload"


@pytest.fixture
def goods():
    pieces, box = UnitFactory(code="PCS", name="个"), UnitFactory(code="BOX", name="箱")
    tea = ProductFactory(code="TEA-1", base_unit=pieces, purchase_price=Decimal("3.5"))
    ProductUnitFactory(product=tea, unit=box, ratio=Decimal(12))
    ProductBarcodeFactory(product=tea, barcode="6901234500017")
    return {"tea": tea, "pieces": pieces, "box": box}


def upload(client, content: bytes, name: str = "lines.xlsx"):
    return client.post(reverse(URL), {"file": SimpleUploadedFile(name, content)})


def summary(data):
    return [
        (line["row"], line["product"]["code"], line["unit_id"], line["quantity"], line["unit_price"])
        for line in data["lines"]
    ]


def test_a_workbook_with_a_chinese_header_becomes_lines(client_for, goods):
    content = corpus.xlsx(
        [["商品编码", "数量", "单价", "单位"], ["TEA-1", 2, 4.5, "箱"], [6901234500017, "３", None, None], ["NOPE", 1]]
    )

    response = upload(client_for("buyer"), content)

    assert response.status_code == 200
    data = response.json()
    assert summary(data) == [(2, "TEA-1", goods["box"].pk, "2", "4.5"), (3, "TEA-1", goods["pieces"].pk, "3", None)]
    assert data["errors"] == [{"row": 4, "message": "Row 4: no product has the code or barcode “NOPE”."}]


def test_a_gbk_csv_without_a_header_becomes_lines(client_for, goods):
    content = corpus.csv_bytes([["TEA-1", "5", "", "BOX"], ["TEA-1", "1"]], "gbk")

    data = upload(client_for("buyer"), content, "lines.csv").json()

    assert summary(data) == [(1, "TEA-1", goods["box"].pk, "5", None), (2, "TEA-1", goods["pieces"].pk, "1", None)]
    assert data["errors"] == []


def test_purchase_prices_are_hidden_from_a_role_that_may_not_see_them(client_for, goods):
    data = upload(client_for("sales"), corpus.xlsx([["TEA-1", 1]])).json()

    assert "purchase_price" not in data["lines"][0]["product"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (corpus.dimension_bomb, "The sheet has data on row 1048576; at most 1000 rows can be imported at once."),
        (corpus.shared_strings_bomb, "xl/sharedStrings.xml expands 1025 times: it is refused as a zip bomb."),
        (corpus.corrupted, "The file is not a readable .xlsx workbook"),
        (corpus.password_protected, "This is a password-protected workbook or an old .xls file"),
        (corpus.not_a_spreadsheet, "The file is neither an .xlsx workbook nor a CSV text file."),
        (corpus.wide_cell, "Cell ZZ1 is beyond the last allowed column"),
        (corpus.formulas, "Cell E2 holds a formula; paste values only"),
    ],
)
def test_hostile_files_are_refused_with_a_message(client_for, goods, build, message):
    response = upload(client_for("buyer"), build())

    assert response.status_code == 400
    assert message in response.json()["refused"]
    assert "lines" not in response.json()


def test_more_rows_than_an_order_takes_are_refused_while_reading(client_for, goods):
    response = upload(client_for("buyer"), corpus.many_rows(5000))

    assert response.status_code == 400
    assert response.json() == {"refused": "The sheet has data on row 1002; at most 1000 rows can be imported at once."}


def test_one_line_over_the_limit_without_a_header_is_refused(client_for, goods):
    content = corpus.csv_bytes([["TEA-1", "1"]] * 1001, "utf-8")

    response = upload(client_for("buyer"), content, "lines.csv")

    assert response.status_code == 400
    assert response.json() == {"refused": "At most 1000 lines can be added at once; this has 1001."}


def test_a_file_above_the_order_line_size_is_refused(client_for, goods, settings):
    settings.IMPORT_ORDER_LINES_MAX_SIZE = 1024 * 1024

    response = upload(client_for("buyer"), b"TEA-1,1\r\n" * 130_000, "lines.csv")

    assert response.status_code == 400
    assert response.json() == {"refused": "The file is 1.1 MB; the limit for order lines is 1.0 MB."}


def test_no_file_is_refused(client_for):
    response = client_for("buyer").post(reverse(URL))

    assert response.status_code == 400
    assert response.json() == {"refused": "Choose an .xlsx or .csv file."}


def test_a_user_without_product_access_is_refused(client_for, goods):
    assert upload(client_for(None), corpus.xlsx([["TEA-1", 1]])).status_code == 403
