"""A price the buyer typed on the purchase-order grid is never replaced by a late price lookup."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.tests.factories import ProductBarcodeFactory, ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement.models import PurchaseOrder
from apps.procurement.tests.factories import SupplierPriceFactory

pytestmark = pytest.mark.e2e

BARCODE = "6901234500024"


def test_a_typed_price_survives_a_supplier_price_lookup_that_answers_late(page, live_server, login):
    product = ProductFactory(code="E2E-PRICE", purchase_price=Decimal("20"))
    ProductBarcodeFactory(product=product, barcode=BARCODE)
    supplier, warehouse = SupplierFactory(), WarehouseFactory()
    SupplierPriceFactory(supplier=supplier, product=product, price=Decimal("27.25"), lead_time_days=5)
    held = []
    page.route(re.compile(re.escape(reverse("procurement:supplier_price"))), lambda route: held.append(route))

    login(page, live_server, "buyer")
    page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    scan = page.locator("[data-line-grid-scan]")
    scan.fill(BARCODE)
    scan.press("Enter")
    row = page.locator("tr.line-row").first
    expect(row.locator('[data-field="quantity"]')).to_have_value("1")
    for _ in range(50):  # the lookup is held back: it answers when the test lets it
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the grid asked for the supplier's price"

    # the buyer types the agreed price while the lookup is still on its way
    price = row.locator('[data-field="unit-price"]')
    price.click()
    price.press("Control+a")
    price.press_sequentially("26.50")
    for route in held:
        route.continue_()
    expected = page.locator("#id_expected_date")
    expect(expected).not_to_have_value("")  # the late answer has arrived and been applied

    expect(price).to_have_value("26.50")
    with page.expect_navigation():
        row.locator('[data-field="quantity"]').press("Control+s")
    line = PurchaseOrder.objects.get().lines.get()
    assert line.unit_price == Decimal("26.50")
