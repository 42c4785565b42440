"""The supplier statement in a real browser, on a desktop and a tablet in portrait."""

import datetime
import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.tests.factories import D, approved_order, buyer_user, receive

pytestmark = pytest.mark.e2e

DAY = datetime.date(2026, 6, 20)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (768, 1024)])
def test_the_supplier_statement_fits_the_screen(page, live_server, login, width, height):
    supplier = SupplierFactory(name="Supplier One")
    receipt = receive(
        approved_order(supplier=supplier, warehouse=WarehouseFactory(), lines=[(ProductFactory(), 10, D(25))]),
        receipt_date=DAY,
    )
    services.supplier_payment_create(
        actor=buyer_user(),
        supplier=supplier,
        amount=D(300),
        payment_date=DAY,
        allocations=[services.AllocationInput(receipt=receipt, amount=D(200))],
    )

    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, "buyer")
    page.goto(
        live_server.url
        + reverse("procurement:supplier_statement", args=[supplier.pk])
        + "?date_from=2026-06-01&date_to=2026-06-30"
    )

    table = page.locator("table").first
    expect(table).to_contain_text("Supplier payment")
    expect(page.locator("tr.fw-bold")).to_contain_text("-¥50.00")  # 250 owed, 300 paid
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/supplier-statement-{width}.png", full_page=True)
