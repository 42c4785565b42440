"""Purchasing in a real browser: a buyer orders by scanning, the warehouse receives with inspection."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.models import StockBalance
from apps.masterdata.tests.factories import (
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)
from apps.procurement.models import GoodsReceipt, PurchaseOrder, PurchaseOrderStatus

pytestmark = pytest.mark.e2e

BARCODE = "6901234500017"


def scan(page, code: str) -> None:
    box = page.locator("[data-line-grid-scan]")
    box.fill(code)
    box.press("Enter")
    expect(box).to_have_value("")


def test_buyer_orders_by_scanning_and_the_warehouse_receives_with_one_rejected(page, live_server, login):
    # given a product sold by the piece and by the box of 12, a supplier and a warehouse
    product = ProductFactory(code="E2E-001", name="Shampoo 400ml", base_unit=UnitFactory(code="PCS", name="pcs"))
    ProductUnitFactory(product=product, unit=UnitFactory(code="BOX", name="box"), ratio=Decimal(12))
    ProductBarcodeFactory(product=product, barcode=BARCODE)
    supplier, warehouse = SupplierFactory(), WarehouseFactory()

    # the buyer scans the barcode three times into the grid and saves with Ctrl+S
    login(page, live_server, "buyer")
    page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    for _ in range(3):
        scan(page, BARCODE)
    row = page.locator("tr.line-row").first
    expect(row.locator('[data-field="quantity"]')).to_have_value("3")
    expect(row.locator('[data-field="unit"] option')).to_have_text(["pcs", "box"])  # the base unit once
    with page.expect_navigation():
        row.locator('[data-field="quantity"]').press("Control+s")

    order = PurchaseOrder.objects.get()
    expect(page).to_have_url(re.compile(re.escape(order.get_absolute_url()) + "$"))

    # below the approval threshold, submitting approves it at once
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".status-badge").first).to_have_text("Approved")

    # the warehouse counts the goods by scanning, rejects one piece at inspection and posts
    page.context.clear_cookies()
    login(page, live_server, "warehouse")
    page.goto(live_server.url + order.get_absolute_url())
    page.get_by_role("link", name="Receive goods").click()
    page.get_by_role("button", name="Count from zero").click()
    for _ in range(3):
        scan(page, BARCODE)
    row = page.locator("tr.line-row").first
    expect(row.locator('[data-field="quantity"]')).to_have_value("3")
    row.locator("input[name$='-rejected_quantity']").fill("1")
    row.locator("input[name$='-rejection_reason']").fill("Leaking cap")
    page.get_by_role("button", name="Save and post").click()

    receipt = GoodsReceipt.objects.get()
    expect(page).to_have_url(re.compile(re.escape(receipt.get_absolute_url()) + "$"))
    expect(page.locator(".status-badge").first).to_have_text("Posted")
    line = receipt.lines.get()
    assert (line.received_base, line.accepted_base, line.rejected_base) == (3, 2, 1)
    assert StockBalance.objects.get(product=product, warehouse=warehouse).on_hand == Decimal(2)
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.PARTIALLY_RECEIVED

    page.goto(live_server.url + order.get_absolute_url())
    expect(page.locator(".status-badge").first).to_have_text("Partially received")
