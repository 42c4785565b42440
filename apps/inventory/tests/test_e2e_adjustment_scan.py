"""Warehouse staff scan goods into a miscellaneous issue, in a real browser, and post it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.models import AdjustmentKind, AdjustmentStatus, StockAdjustment, StockBalance
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductBarcodeFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.e2e


def test_scanning_barcodes_fills_the_issue_and_posting_takes_the_stock(page, live_server, login):
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    water = ProductFactory(code="W001", name="Water")
    ProductBarcodeFactory(product=water, barcode="6901234567892")
    post_stock(water, warehouse, 10, unit_cost="2")
    user = login(page, live_server, "warehouse")
    warehouse.assigned_users.add(user)

    page.goto(live_server.url + reverse("inventory:adjustment_create") + "?kind=other_issue")
    scan = page.locator("[data-line-grid-scan]")
    for _ in range(3):
        scan.fill("6901234567892")
        scan.press("Enter")
    quantity = page.locator("tr.line-row [data-field=quantity]").first
    expect(quantity).to_have_value("3")  # one row, incremented: Enter did not submit the form
    expect(page.locator("tr.line-row [data-field=available]").first).to_have_text("10")
    page.locator("#id_reason").fill("Damaged")
    page.get_by_role("button", name="Save and post").click()

    document = StockAdjustment.objects.get()
    expect(page).to_have_url(re.compile(re.escape(document.get_absolute_url()) + "$"))
    document.refresh_from_db()
    assert (document.kind, document.status) == (AdjustmentKind.OTHER_ISSUE, AdjustmentStatus.POSTED)
    assert StockBalance.objects.get(product=water, warehouse=warehouse).on_hand == 7
