"""Each role lands on its dashboard; a posting below safety stock tells the buyer, a receipt clears it."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from apps.analytics.tests.stock_history import june_history
from apps.inventory.models import MovementType, StockLevel
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.mark.parametrize(
    ("role", "figure", "expected"),
    [
        ("manager", "inventory-value", "¥1,280.00"),
        ("buyer", "reorder", "0"),
        ("warehouse", "receipts-to-inspect", "0"),
        ("sales", "my-sales", "¥0.00"),
    ],
)
def test_each_role_sees_its_dashboard(role, figure, expected, page, live_server, login):
    june_history()

    login(page, live_server, role)

    expect(page.get_by_test_id(f"dashboard-{role}")).to_be_visible()
    expect(page.get_by_test_id(figure)).to_contain_text(expected)


def test_the_manager_opens_the_report_behind_a_figure_on_a_tablet(page, live_server, login):
    june_history()
    page.set_viewport_size({"width": 768, "height": 1024})
    login(page, live_server, "manager")

    page.get_by_test_id("inventory-value").click()

    expect(page).to_have_url(live_server.url + reverse("inventory:stock_list"))


def test_a_buyer_is_told_about_stock_below_safety_and_the_notice_closes_after_a_receipt(page, live_server, login):
    warehouse = WarehouseFactory(name="North")
    product = ProductFactory(code="A1", name="Apple juice")
    StockLevel.objects.create(product=product, warehouse=warehouse, safety_stock=10)
    post_stock(product, warehouse, 20, unit_cost="5")
    login(page, live_server, "buyer")
    expect(page.get_by_test_id("bell")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)

    post_stock(product, warehouse, -12, movement_type=MovementType.SALES_SHIPMENT)  # 8 left, safety 10
    page.goto(live_server.url + reverse("notifications:notification_list"))

    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    expect(page.get_by_test_id("notification-list")).to_contain_text(
        "A1 Apple juice in North: 8 available, below the safety stock of 10"
    )

    post_stock(product, warehouse, 30, unit_cost="5", movement_type=MovementType.PURCHASE_RECEIPT)
    page.reload()

    expect(page.get_by_test_id("notification-list")).to_contain_text("Nothing to act on.")
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
