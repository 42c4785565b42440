"""A planner uploads past demand on the import page in a real browser: errors first, then the import."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.imports.tests import corpus
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.planning.models import ExternalDemand

pytestmark = pytest.mark.e2e
WEEKS = [datetime.date(2025, 6, 2) + datetime.timedelta(weeks=w) for w in range(2)]


def test_demand_history_upload_shows_row_errors_then_imports(page, live_server, login, tmp_path):
    WarehouseFactory(code="WH1")
    ProductFactory(code="B001")
    login(page, live_server, "admin")
    path = tmp_path / "history.xlsx"
    path.write_bytes(corpus.xlsx([["item code", "warehouse", *WEEKS], ["B001", "WH1", 5, "-2"]]))

    page.goto(live_server.url + reverse("imports:batch_create"))
    page.get_by_label("Data").select_option("demand_history")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check file").click()

    expect(page.locator(".import-errors")).to_contain_text("-2 is negative; enter zero or more.")
    expect(page.locator(".import-errors")).to_contain_text("2025-06-09")
    assert not ExternalDemand.objects.exists()

    path.write_bytes(corpus.xlsx([["item code", "warehouse", *WEEKS], ["B001", "WH1", 5, 7]]))
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Data").select_option("demand_history")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check file").click()
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_text("Imported: 2 new, 0 changed, 0 unchanged.")).to_be_visible()
    assert sorted(ExternalDemand.objects.values_list("period_start", "quantity")) == [(WEEKS[0], 5), (WEEKS[1], 7)]
