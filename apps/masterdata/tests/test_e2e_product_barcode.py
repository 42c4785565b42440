"""A buyer's first day, in a real browser: create a product with a barcode, then scan it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.models import Product
from apps.masterdata.tests.factories import CategoryFactory, UnitFactory

pytestmark = pytest.mark.e2e


def test_product_created_in_the_browser_is_found_by_scanning_its_barcode(page, live_server, login):
    category = CategoryFactory(code="DRINK", name="Drinks")
    unit = UnitFactory(code="PCS", name="pcs")
    login(page, live_server, "buyer")

    page.goto(live_server.url + reverse("masterdata:product_create"))
    page.locator("#id_code").fill("E2E-001")
    page.locator("#id_name").fill("Mineral water 550ml")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_base_unit").select_option(str(unit.pk))
    page.locator("#id_sale_price").fill("2.50")
    page.locator("#id_min_sale_price").fill("2.00")
    page.locator("input[name$='-0-barcode']").fill("6901234567892")
    page.get_by_role("button", name="Save").click()

    product = Product.objects.get(code="E2E-001")
    expect(page).to_have_url(re.compile(re.escape(reverse("masterdata:product_detail", args=[product.pk])) + "$"))
    assert list(product.barcodes.values_list("barcode", flat=True)) == ["6901234567892"]

    page.goto(live_server.url + reverse("masterdata:product_list"))
    search = page.locator("#id_q")
    search.fill("6901234567892")
    search.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(reverse("masterdata:product_detail", args=[product.pk])) + "$"))
    expect(page.get_by_text("Mineral water 550ml").first).to_be_visible()
