"""Lines pasted into a document grid: one request resolves every code, with a message per refused row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.masterdata.tests.factories import (
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

URL = "imports:lines_resolve"


@pytest.fixture
def goods():
    pieces = UnitFactory(code="PCS", name="个")
    box = UnitFactory(code="BOX", name="箱")
    tea = ProductFactory(
        code="TEA-1", name="Green tea", base_unit=pieces, purchase_price=Decimal("3.5"), sale_price=Decimal(15)
    )
    ProductUnitFactory(product=tea, unit=box, ratio=Decimal(12))
    ProductBarcodeFactory(product=tea, barcode="6901234500017")
    ProductBarcodeFactory(product=tea, barcode="6901234500024", unit=box)
    cola = ProductFactory(code="COLA", name="Cola", base_unit=pieces)
    return {"tea": tea, "cola": cola, "pieces": pieces, "box": box}


def paste(client, text):
    return client.post(reverse(URL), {"text": text})


def test_codes_barcodes_units_and_prices_become_lines(client_for, goods):
    client = client_for("buyer")
    text = "tea-1\t3\t4.20\n6901234500024\t2\n6901234500017\t1,5\nCOLA\t10\t\tbox\nCOLA\t4\t2\tpcs\n"

    response = paste(client, text.replace("1,5", "1.5"))

    data = response.json()
    assert response.status_code == 200
    tea, cola = goods["tea"], goods["cola"]
    assert [
        (line["row"], line["product"]["id"], line["unit_id"], line["quantity"], line["unit_price"])
        for line in data["lines"]
    ] == [
        (1, tea.pk, goods["pieces"].pk, "3", "4.2"),
        (2, tea.pk, goods["box"].pk, "2", None),
        (3, tea.pk, goods["pieces"].pk, "1.5", None),
        (5, cola.pk, goods["pieces"].pk, "4", "2"),
    ]
    assert data["lines"][0]["product"]["purchase_price"] == "3.5000"
    assert data["errors"] == [{"row": 4, "message": "Row 4: product COLA has no unit “box”."}]


def test_unknown_codes_and_bad_numbers_are_named_by_row_and_not_added(client_for, goods):
    client = client_for("buyer")
    text = (
        "Item code\tQuantity\tUnit price\n"
        "NOPE\t1\nTEA-1\tabc\nTEA-1\t0\nTEA-1\t-2\nTEA-1\tNaN\nTEA-1\t1\t-1\n\t5\nTEA-1\t2\n"
    )

    data = paste(client, text).json()

    assert [line["row"] for line in data["lines"]] == [9]
    assert data["errors"] == [
        {"row": 2, "message": "Row 2: no product has the code or barcode “NOPE”."},
        {"row": 3, "message": "Row 3, quantity: “abc” is not a number."},
        {"row": 4, "message": "Row 4, quantity: enter a quantity above zero."},
        {"row": 5, "message": "Row 5, quantity: -2 is negative; enter zero or more."},
        {"row": 6, "message": "Row 6, quantity: “NaN” is not a number."},
        {"row": 7, "message": "Row 7, unit price: -1 is negative; enter zero or more."},
        {"row": 8, "message": "Row 8: the item code or barcode is missing."},
    ]


def test_a_first_row_naming_a_product_is_a_line_even_with_a_bad_quantity(client_for, goods):
    data = paste(client_for("buyer"), "TEA-1\tthree\nCOLA\t1\n").json()

    assert [line["row"] for line in data["lines"]] == [2]
    assert data["errors"] == [{"row": 1, "message": "Row 1, quantity: “three” is not a number."}]


def test_codes_typed_with_spaces_and_full_width_digits(client_for, goods):
    data = paste(client_for("buyer"), "TEA-1 ３\r\nCOLA, 2\r\n").json()

    assert [(line["product"]["code"], line["quantity"]) for line in data["lines"]] == [("TEA-1", "3"), ("COLA", "2")]
    assert data["errors"] == []


def test_inactive_products_are_unknown(client_for, goods):
    goods["cola"].is_active = False
    goods["cola"].save()

    data = paste(client_for("buyer"), "COLA\t1").json()

    assert data["lines"] == []
    assert data["errors"][0]["row"] == 1


def test_purchase_prices_are_hidden_from_a_role_that_may_not_see_them(client_for, goods):
    data = paste(client_for("sales"), "TEA-1\t1").json()

    product = data["lines"][0]["product"]
    assert "purchase_price" not in product
    assert product["sale_price"] == "15.0000"


def test_a_user_without_product_access_is_refused(client_for, goods):
    response = paste(client_for(None), "TEA-1\t1")

    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, goods):
    response = paste(client, "TEA-1\t1")

    assert response.status_code == 302


def test_get_is_not_allowed(client_for):
    assert client_for("buyer").get(reverse(URL)).status_code == 405


def test_more_than_the_line_limit_is_refused(client_for, goods, settings):
    settings.IMPORT_MAX_ORDER_LINES = 3

    response = paste(client_for("buyer"), "TEA-1\t1\n" * 4)

    assert response.status_code == 400
    assert response.json() == {"refused": "At most 3 lines can be added at once; this has 4."}


@pytest.mark.parametrize("count", [5, 50])
def test_queries_do_not_grow_with_the_codes(client_for, goods, django_assert_num_queries, count):
    client = client_for("buyer")
    pieces = goods["pieces"]
    products = ProductFactory.create_batch(count, base_unit=pieces)
    for product in products:
        ProductUnitFactory(product=product, unit=goods["box"], ratio=Decimal(6))
    text = "\n".join(f"{product.code}\t2\t\tBOX" for product in products) + "\nNOPE\t1"

    # session, user, permissions (2), barcodes, products, units
    with django_assert_num_queries(7):
        data = paste(client, text).json()

    assert len(data["lines"]) == count
    assert len(data["errors"]) == 1
