"""The purchase-order grid: totals that never add boxes and pieces, numbered rows, stock shown for information."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import (
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.e2e


def scan(page, code: str) -> None:
    box = page.locator("[data-line-grid-scan]")
    box.fill(code)
    box.press("Enter")
    expect(box).to_have_value("")


def test_quantity_total_only_for_lines_in_one_unit(page, live_server, login):
    pieces = UnitFactory(code="PCS", name="pcs")
    first = ProductFactory(code="G-1", base_unit=pieces)
    second = ProductFactory(code="G-2", base_unit=pieces)
    ProductUnitFactory(product=second, unit=UnitFactory(code="BOX", name="box"), ratio=Decimal(12))
    ProductBarcodeFactory(product=first, barcode="6901234500017")
    ProductBarcodeFactory(product=second, barcode="6901234500024")
    supplier, warehouse = SupplierFactory(), WarehouseFactory()
    login(page, live_server, "buyer")
    page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    total = page.locator('[data-grid-total="quantity"]')

    scan(page, "6901234500017")
    scan(page, "6901234500017")
    scan(page, "6901234500024")
    expect(total).to_have_text("3 pcs")

    page.locator("tr.line-row").nth(1).locator('[data-field="unit"]').select_option(label="box")
    expect(total).to_have_text("—")
    expect(total).to_have_attribute("title", "The lines are in different units, so their quantities are not added up.")


def test_added_rows_are_numbered_and_short_stock_is_not_a_warning_on_a_purchase(page, live_server, login):
    product = ProductFactory(code="G-3", base_unit=UnitFactory(code="PCS", name="pcs"))
    ProductBarcodeFactory(product=product, barcode="6901234500031")
    supplier, warehouse = SupplierFactory(), WarehouseFactory()
    post_stock(product, warehouse, 100)
    login(page, live_server, "buyer")
    page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    rows = page.locator("tr.line-row")
    initial = rows.count()

    page.locator("[data-grid-add]").click()
    expect(rows.nth(initial).locator('[data-field="row-no"]')).to_have_text(str(initial + 1))

    scan(page, "6901234500031")
    line = rows.first
    available = line.locator('[data-field="available"]')
    expect(available).to_have_text("100")
    line.locator('[data-field="quantity"]').fill("200")  # more than is on hand: normal when buying
    expect(line.locator('[data-field="amount"]')).not_to_have_text("")
    expect(available).not_to_have_class(re.compile("text-danger"))
