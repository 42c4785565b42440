"""A manager sets a sales clerk's target; the clerk's dashboard shows the month's sales against it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.tests.factories import sell
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.e2e


def test_the_clerk_sees_the_target_the_manager_set(browser, page, live_server, login, make_user):
    clerk = make_user("sales", first_name="Alice", password="e2e-Passw0rd!x")
    warehouse, product = WarehouseFactory(), ProductFactory(min_sale_price=0)
    post_stock(product, warehouse, 100, unit_cost="10")
    sell(
        customer=CustomerFactory(salesperson=clerk),
        warehouse=warehouse,
        product=product,
        quantity=10,
        price=20,
        day=timezone.localdate(),
    )
    login(page, live_server, "manager")

    page.goto(live_server.url + reverse("sales:target_edit"))
    page.get_by_label(clerk.get_full_name()).fill("800")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label(clerk.get_full_name())).to_have_value("800.00")

    other = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-US").new_page()
    other.goto(live_server.url + reverse("accounts:login"))
    other.locator("input[name=username]").fill(clerk.username)
    other.locator("input[name=password]").fill("e2e-Passw0rd!x")
    other.locator("form:has(input[name=password]) button[type=submit]").click()

    expect(other.get_by_test_id("my-target")).to_contain_text("25.0%")
    expect(other.get_by_test_id("my-target")).to_contain_text("¥200.00 of ¥800.00")
    other.context.close()
