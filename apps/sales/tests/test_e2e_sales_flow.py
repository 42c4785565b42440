"""A clerk's order and the warehouse's delivery, in a real browser (line grid and scanner)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import PriceLevel
from apps.masterdata.tests.factories import (
    CustomerFactory,
    ProductBarcodeFactory,
    ProductFactory,
    WarehouseFactory,
)
from apps.sales.models import DocumentStatus, SalesOrder, SalesOrderStatus, Shipment

pytestmark = pytest.mark.e2e


def test_an_order_entered_in_the_grid_is_approved_and_shipped_by_scanning(page, browser, live_server, login):
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="E2E-A", name="Green tea", sale_price=Decimal("20"), retail_price=Decimal("25"))
    ProductBarcodeFactory(product=product, barcode="6900000000123")
    post_stock(product, warehouse, 10)
    customer = CustomerFactory(code="K-E2E", price_level=PriceLevel.WHOLESALE, discount_percent=Decimal("10"))
    login(page, live_server, "sales")

    page.goto(live_server.url + reverse("sales:order_create"))
    page.locator("#id_customer").select_option(str(customer.pk))
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    search = page.locator("input[name='lines-0-product_search']")
    search.fill("E2E-A")
    search.press("Enter")
    expect(page.locator("input[name='lines-0-unit_price']")).to_have_value("18")  # 20 less the customer's 10 %
    page.locator("input[name='lines-0-quantity']").fill("3")
    page.get_by_role("button", name="Save and submit").click()

    order = SalesOrder.objects.get()
    expect(page).to_have_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    assert order.status == SalesOrderStatus.PENDING
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Sales order " + order.number + " approved.")).to_be_visible()

    keeper_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    keeper = keeper_context.new_page()
    login(keeper, live_server, "warehouse")
    keeper.goto(
        live_server.url + reverse("sales:shipment_create") + f"?customer={customer.pk}&warehouse={warehouse.pk}"
    )
    scan = keeper.locator("[data-pick-scan]")
    for _ in range(2):
        scan.fill("6900000000123")
        scan.press("Enter")
    expect(keeper.locator("input[name='lines-0-quantity']")).to_have_value("2")
    keeper.get_by_role("button", name="Save and post").click()

    shipment = Shipment.objects.get()
    expect(keeper).to_have_url(re.compile(re.escape(shipment.get_absolute_url()) + "$"))
    assert shipment.status == DocumentStatus.POSTED
    assert shipment.net_amount == Decimal("36.00")
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.PARTIAL
    keeper_context.close()  # no request may reach the live server after the test
