"""A buyer opens the purchase analysis from the menu on a tablet and sees the figures and the chart."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.analytics.tests.purchase_history import purchase_history

pytestmark = pytest.mark.e2e


def test_a_buyer_sees_the_spend_and_the_supplier_delivery_on_a_tablet(page, live_server, login):
    purchase_history()
    page.set_viewport_size({"width": 768, "height": 1024})
    login(page, live_server, "buyer")

    page.goto(live_server.url + reverse("analytics:purchase_spend") + "?date_from=2026-05-01&date_to=2026-06-30")

    expect(page.get_by_test_id("spend-net")).to_have_text("¥263.00")
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    page.goto(live_server.url + reverse("analytics:supplier_delivery") + "?date_from=2026-05-01&date_to=2026-06-30")

    expect(page.get_by_test_id("on-time-rate")).to_have_text("66.7")
    expect(page.locator("#trend-chart canvas")).to_have_count(1)


def test_every_purchase_report_fits_a_768_px_tablet(page, live_server, login):
    data = purchase_history()
    page.set_viewport_size({"width": 768, "height": 1024})
    login(page, live_server, "buyer")
    period = "date_from=2026-05-01&date_to=2026-06-30"

    for url in (
        reverse("analytics:purchase_spend") + f"?{period}&dimension=month",
        reverse("analytics:purchase_price_trend") + f"?{period}&product={data['a'].pk}",
        reverse("analytics:purchase_price_variance") + f"?{period}",
        reverse("analytics:supplier_delivery") + f"?{period}",
    ):
        page.goto(live_server.url + url)
        expect(page.locator("#trend-chart canvas")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 768, url
