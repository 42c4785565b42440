"""The import page in a real browser: upload, see the check, confirm (1366×768 and a tablet)."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.imports.tests import corpus
from apps.masterdata.models import Product
from apps.masterdata.tests.factories import CategoryFactory, UnitFactory

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


@pytest.mark.parametrize("viewport", [(1366, 768), (768, 1024)])
def test_admin_uploads_checks_and_confirms_a_product_file(page, live_server, login, tmp_path, viewport):
    CategoryFactory(code="DRINK", name="饮料")
    UnitFactory(code="PCS", name="个")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, live_server, "admin")
    path = tmp_path / "products.xlsx"
    path.write_bytes(
        corpus.xlsx([["code", "name", "category", "base unit", "purchase price"], ["A1", "x", "DRINK", "PCS", "NaN"]])
    )

    page.goto(live_server.url + reverse("imports:batch_create"))
    page.get_by_label("Data").select_option("products")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check file").click()

    expect(page.get_by_text("“NaN” is not a number.")).to_be_visible()
    expect(page.get_by_role("link", name="Download the rejected rows")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/import-errors-{viewport[0]}.png", full_page=True)

    path.write_bytes(corpus.xlsx([["code", "name", "category", "base unit"], ["A1", "x", "DRINK", "PCS"]]))
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Data").select_option("products")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check file").click()
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_text("Imported: 1 new, 0 changed, 0 unchanged.")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/import-done-{viewport[0]}.png", full_page=True)
    assert Product.objects.filter(code="A1").exists()
