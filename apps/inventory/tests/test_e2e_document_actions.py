"""The pipeline's buttons in a real browser: a clerk submits a large adjustment, a manager approves it."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import UserFactory
from apps.core.models import SystemSettings
from apps.inventory.models import AdjustmentKind, AdjustmentStatus, StockBalance
from apps.inventory.services import stock_adjustment_create
from apps.inventory.tests.factories import adjustment_lines
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", [(1366, 768), (768, 1024)], ids=["laptop", "tablet"])
def test_a_large_adjustment_is_submitted_then_approved_by_another_manager(page, live_server, login, viewport, tmp_path):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    settings_row = SystemSettings.load()
    settings_row.adjustment_approval_threshold = Decimal(100)
    settings_row.save()
    clerk = UserFactory(role="warehouse")
    document = stock_adjustment_create(
        actor=clerk,
        kind=AdjustmentKind.OTHER_RECEIPT,
        warehouse=WarehouseFactory(name="Main"),
        date=datetime.date(2026, 11, 20),
        lines=adjustment_lines((ProductFactory(code="A001"), "50", "10")),
    )
    document.status = AdjustmentStatus.PENDING
    document.save(update_fields=["status"])

    login(page, live_server, "manager")
    page.goto(live_server.url + document.get_absolute_url())
    page.screenshot(path=tmp_path / "pending.png", full_page=True)
    expect(page.locator('form[data-action="post"]')).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('form[data-action="approve"] button').click()

    expect(page.locator(".status-badge")).to_have_attribute("data-status", "posted")
    page.screenshot(path=tmp_path / "posted.png", full_page=True)
    assert StockBalance.objects.get().on_hand == 50
