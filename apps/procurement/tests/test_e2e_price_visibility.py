"""价格屏蔽 in the browser: warehouse staff receive goods and read receipts without seeing what they cost."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.tests.factories import ProductFactory
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.e2e

PRICE = "987.65"


def test_a_warehouse_user_sees_no_purchase_price_on_the_receipt_form_or_detail(page, live_server, login):
    received = receive(approved_order(lines=[(ProductFactory(code="E2E-DONE"), 1, PRICE)]))
    open_order = approved_order(lines=[(ProductFactory(code="E2E-OPEN"), 1, PRICE)])

    login(page, live_server, "warehouse")
    page.goto(live_server.url + reverse("procurement:goodsreceipt_create_from_order", args=[open_order.pk]))
    expect(page.locator('[name="lines-0-product_search"]')).to_have_value(re.compile("^E2E-OPEN"))
    form_text = page.locator("main").inner_text()
    price_inputs = page.locator('[data-field="unit-price"], [name$="unit_price"]').count()

    page.goto(live_server.url + reverse("procurement:goodsreceipt_create"))
    expect(page.locator("#id_reason")).to_be_visible()
    free_headers = page.locator("table[data-line-grid] thead").inner_text()
    free_price_inputs = page.locator('[data-field="unit-price"], [name$="unit_price"]').count()

    page.goto(live_server.url + reverse("procurement:goodsreceipt_detail", args=[received.pk]))
    expect(page.locator("h1")).to_contain_text(received.number)
    detail_text = page.locator("main").inner_text()

    assert PRICE not in form_text
    assert price_inputs == 0
    assert "Unit price" not in free_headers
    assert free_price_inputs == 0
    assert "E2E-DONE" in detail_text
    assert PRICE not in detail_text
    assert "Unit price" not in detail_text
    assert "Accounts payable" not in detail_text
