"""A buyer looks at a forecast with its chart and orders the suggestions, in a real browser."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.models import MovementType
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.planning.models import ForecastRun
from apps.planning.services import forecast_run_compute
from apps.planning.tests.test_app import MONDAY, weekly
from apps.procurement.models import PurchaseOrder
from apps.procurement.tests.factories import SupplierPriceFactory

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save screenshots at both sizes there


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width, height in ((1366, 768), (768, 1024)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


def test_forecast_chart_and_one_step_orders(page, live_server, login, monkeypatch):
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    bolt = ProductFactory(code="B001", name="Bolt")
    nut = ProductFactory(code="N001", name="Nut")
    SupplierPriceFactory(product=bolt, lead_time_days=14, pack_size=Decimal(10), valid_from=datetime.date(2020, 1, 1))
    SupplierPriceFactory(product=nut, lead_time_days=7, valid_from=datetime.date(2020, 1, 1))
    weekly(monkeypatch, bolt, warehouse, [20, 25, 18, 22, 24, 19, 21, 23, 20, 26] * 3)
    weekly(monkeypatch, nut, warehouse, [0, 9, 0, 0, 12, 0, 8, 0, 0, 10] * 3)
    for product in (bolt, nut):  # most of the stock goes back to the supplier: time to reorder
        post_stock(product, warehouse, -95, movement_type=MovementType.PURCHASE_RETURN)
    run = ForecastRun.objects.create(history_end=MONDAY + datetime.timedelta(weeks=29), horizon=8)
    forecast_run_compute(run=run)
    login(page, live_server, "buyer")

    page.goto(live_server.url + reverse("planning:forecast_list"))
    expect(page.get_by_role("link", name="B001")).to_be_visible()
    _shot(page, "forecast-list")
    page.get_by_role("link", name="B001").click()
    expect(page.locator("#forecast-chart canvas")).to_have_count(1)  # ECharts drew the chart
    expect(page.get_by_text("Order-up-to level")).to_be_visible()
    _shot(page, "forecast-detail")

    page.goto(live_server.url + reverse("planning:replenishment_list"))
    expect(page.get_by_role("cell", name="B001", exact=True)).to_be_visible()
    _shot(page, "replenishment")
    page.get_by_role("button", name="Create draft purchase orders (one per supplier)").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("draft purchase order")

    orders = PurchaseOrder.objects.all()
    assert orders.count() == 2  # one per supplier
    bolt_line = orders.get(supplier=bolt.supplier_prices.get().supplier).lines.get()
    assert bolt_line.quantity % 10 == 0  # whole packs


def test_policy_check_runs_as_a_job_and_shows_the_figures(page, live_server, login, monkeypatch):
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    bolt = ProductFactory(code="B001", name="Bolt", purchase_price=Decimal(2))
    weekly(monkeypatch, bolt, warehouse, [20, 25, 18, 22, 24, 19, 21, 23, 20, 26] * 3)
    run = ForecastRun.objects.create(history_end=MONDAY + datetime.timedelta(weeks=29), horizon=8)
    forecast_run_compute(run=run)
    login(page, live_server, "manager")

    page.goto(live_server.url + reverse("planning:policy_check"))
    page.get_by_label("Warehouse").select_option(label="Main")
    page.get_by_role("button", name="Check").click()

    expect(page.locator("#policy-result table")).to_be_visible()  # the test queue runs the job at once
    expect(page.locator("#policy-result tbody tr")).to_have_count(4)
    expect(page.locator("#policy-result")).to_contain_text("1 products, the last 10 periods replayed.")
    expect(page.locator("#policy-result")).not_to_have_attribute("hx-trigger", "every 1s")
    assert "job=" in page.url
    _shot(page, "policy-check")
