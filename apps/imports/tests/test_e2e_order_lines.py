"""Order lines pasted and uploaded into the line grid in a real browser, then saved."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.imports.tests import corpus
from apps.masterdata.tests.factories import (
    CustomerFactory,
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)
from apps.procurement.models import PurchaseOrder
from apps.sales.models import SalesOrder

pytestmark = pytest.mark.e2e

PASTE_INTO_CELL = """(element, text) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  element.dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
  );
}"""


def test_buyer_pastes_three_lines_into_a_purchase_order_and_saves_it(page, live_server, login):
    pieces, box = UnitFactory(code="PCS", name="pcs"), UnitFactory(code="BOX", name="box")
    first = ProductFactory(code="E-1", base_unit=pieces)
    second = ProductFactory(code="E-2", base_unit=pieces)
    ProductUnitFactory(product=second, unit=box, ratio=Decimal(12))
    third = ProductFactory(code="E-3", base_unit=pieces)
    ProductBarcodeFactory(product=first, barcode="6901234500017")
    ProductBarcodeFactory(product=third, barcode="6901234500031")
    supplier, warehouse = SupplierFactory(), WarehouseFactory()
    login(page, live_server, "buyer")
    page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))

    page.get_by_role("button", name="Paste lines").click()
    page.get_by_label("Copy the rows in Excel and paste them here").fill(
        "Item code\tQuantity\tUnit price\tUnit\nE-1\t3\t4.5\nE-2\t2\t\tBOX\nNOPE\t1\n6901234500031\t1\t7\n"
    )
    page.get_by_role("button", name="Add lines").click()

    feedback = page.locator("[data-line-import-feedback]")
    expect(feedback).to_contain_text("Lines added: 3.")
    expect(feedback).to_contain_text("Row 4: no product has the code or barcode “NOPE”.")
    rows = page.locator("tr.line-row:not([hidden])")
    filled = rows.filter(has=page.locator('[data-field="product"]:not([value=""])'))
    expect(filled).to_have_count(3)
    expect(rows.nth(1).locator('[data-field="unit"]')).to_have_value(str(box.pk))

    # a barcode and a quantity copied from a sheet, pasted into an empty product box, add up on E-1 (as scans do)
    page.locator("[data-grid-add]").click()
    empty = page.locator("tr.line-row").last.locator('[data-field="product-search"]')
    empty.evaluate(PASTE_INTO_CELL, "6901234500017\t2\n")
    expect(feedback).to_contain_text("Lines added: 1.")
    expect(rows.first.locator('[data-field="quantity"]')).to_have_value("5")

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    order = PurchaseOrder.objects.get()
    expect(page).to_have_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    lines = [(line.product.code, line.unit_id, line.quantity) for line in order.lines.order_by("line_no")]
    assert lines == [("E-1", pieces.pk, Decimal(5)), ("E-2", box.pk, Decimal(2)), ("E-3", pieces.pk, Decimal(1))]
    assert order.lines.get(product=first).unit_price == Decimal("4.5")
    assert order.lines.get(product=third).unit_price == Decimal(7)


def test_clerk_uploads_a_small_workbook_into_a_sales_order(page, live_server, login, tmp_path):
    pieces = UnitFactory(code="PCS", name="pcs")
    ProductFactory(code="S-1", base_unit=pieces, sale_price=Decimal(20))
    ProductFactory(code="S-2", base_unit=pieces, sale_price=Decimal(30))
    customer, warehouse = CustomerFactory(), WarehouseFactory()
    path = tmp_path / "lines.xlsx"
    path.write_bytes(corpus.xlsx([["商品编码", "数量", "单价"], ["S-1", 2, None], ["S-2", 1, 28]]))
    login(page, live_server, "sales")
    page.goto(live_server.url + reverse("sales:order_create"))
    page.locator("#id_customer").select_option(str(customer.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))

    refused = tmp_path / "photo.csv"
    refused.write_bytes(corpus.not_a_spreadsheet())
    page.locator("[data-line-import-file]").set_input_files(str(refused))
    feedback = page.locator("[data-line-import-feedback]")
    expect(feedback).to_have_text("The file is neither an .xlsx workbook nor a CSV text file.")
    expect(page.locator('tr.line-row [data-field="product"][value]:not([value=""])')).to_have_count(0)

    page.locator("[data-line-import-file]").set_input_files(str(path))

    expect(feedback).to_contain_text("Lines added: 2.")
    expect(page.locator("input[name='lines-1-unit_price']")).to_have_value("28")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()

    order = SalesOrder.objects.get()
    expect(page).to_have_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    assert [(line.product.code, line.quantity, line.unit_price) for line in order.lines.order_by("line_no")] == [
        ("S-1", Decimal(2), Decimal(20)),
        ("S-2", Decimal(1), Decimal(28)),
    ]
