"""Security pages as a user sees them, at a laptop and a tablet size: the lockout message on the
login page, and a clerk's customer form with the credit terms read-only."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.tests.factories import CustomerFactory

pytestmark = pytest.mark.e2e

VIEWPORTS = [
    pytest.param({"width": 1366, "height": 768}, id="1366x768"),
    pytest.param({"width": 768, "height": 1024}, id="768x1024"),
]


@override_settings(AXES_FAILURE_LIMIT=3)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_lockout_is_explained_on_the_login_page(page, live_server, make_user, viewport, tmp_path):
    page.set_viewport_size(viewport)
    make_user("buyer", username="li.lei")
    page.goto(live_server.url + reverse("accounts:login"))
    for _ in range(4):
        page.locator("input[name=username]").fill("li.lei")
        page.locator("input[name=password]").fill("wrong")
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) button[type=submit]").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-in attempts")
    box = alert.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    page.screenshot(path=str(tmp_path / f"lockout-{viewport['width']}.png"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_clerk_sees_credit_terms_read_only(page, live_server, login, viewport, tmp_path):
    page.set_viewport_size(viewport)
    clerk = login(page, live_server, "sales", sees_all_customers=False)
    customer = CustomerFactory(code="MINE", name="Mine", salesperson=clerk, credit_limit=Decimal(1000))

    page.goto(live_server.url + reverse("masterdata:customer_update", args=[customer.pk]))

    expect(page.locator("#id_credit_limit")).to_be_disabled()
    expect(page.locator("#id_salesperson")).to_be_disabled()
    expect(page.get_by_text("Only a manager may change this.").first).to_be_visible()
    page.screenshot(path=str(tmp_path / f"customer-form-{viewport['width']}.png"), full_page=True)
