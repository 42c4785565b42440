"""The order grid's quantity total never adds boxes and pieces together."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

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
