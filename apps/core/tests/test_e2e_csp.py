"""With the Content-Security-Policy on, pages still work in Chromium: line grids, htmx lookups,
charts, confirmations, the language switcher — and the browser reports no violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.masterdata.tests.factories import (
    ProductBarcodeFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.e2e

# Collects every CSP violation the page reports (the init script is injected by the browser's
# debugging protocol, which the policy does not govern).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def test_the_policy_is_sent_and_scripted_pages_work_under_it(watched, live_server, login):
    page = watched
    product = ProductFactory(code="CSP-001", name="Policy tea", base_unit=UnitFactory(code="PCS", name="pcs"))
    ProductBarcodeFactory(product=product, barcode="6900000000017")
    SupplierFactory()
    WarehouseFactory()
    login(page, live_server, "manager")
    seen = {}

    # a line grid with the htmx/fetch product lookup: scanning adds a row
    response = page.goto(live_server.url + reverse("procurement:purchaseorder_create"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    box = page.locator("[data-line-grid-scan]")
    box.fill("6900000000017")
    box.press("Enter")
    expect(page.locator("tr.line-row [data-field=product-search]").first).to_have_value("CSP-001 Policy tea")
    seen["purchase order grid"] = _violations(page)

    # the product form: adding a unit row is done by masterdata.js
    page.goto(live_server.url + reverse("masterdata:product_create"))
    rows = page.locator('table.formset[data-prefix="units"] tbody tr')
    before = rows.count()
    page.locator('[data-add-row="units"]').click()
    expect(rows).to_have_count(before + 1)
    seen["product form"] = _violations(page)

    # a chart drawn from json_script data
    page.goto(live_server.url + reverse("analytics:sales_analysis"))
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    seen["sales analysis chart"] = _violations(page)

    # a confirmation declared with data-confirm: dismissing it keeps the record
    page.goto(live_server.url + product.get_absolute_url())
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-confirm] button").first.click()
    expect(page).to_have_url(live_server.url + product.get_absolute_url())
    assert messages == ["Delete this record for good?"]
    seen["product detail"] = _violations(page)

    assert seen == {name: [] for name in seen}
