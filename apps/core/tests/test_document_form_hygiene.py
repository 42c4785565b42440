"""Document forms take the same per-field input rules as master data (``apps.core.forms.CleanFormMixin``):
dates within a sensible range, single-line text on one line without control characters, trimmed."""

import importlib
import inspect

import pytest
from django import forms
from django.urls import reverse

from apps.core.forms import CleanFormMixin
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement.models import PurchaseOrder

pytestmark = pytest.mark.django_db

# The forms people enter documents, lines and payments with. Report and filter forms are not here:
# they only read, and a report may look at any period.
DOCUMENT_FORM_MODULES = [
    "apps.procurement.forms",
    "apps.sales.forms",
    "apps.inventory.forms",
    "apps.inventory.forms_counts",
    "apps.inventory.forms_levels",
    "apps.inventory.documents.forms",
]
READ_ONLY_FORMS = {"PayablesReportForm", "DateRangeForm"}


def _document_forms():
    for module_name in DOCUMENT_FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form in inspect.getmembers(module, inspect.isclass):
            if form.__module__ == module_name and issubclass(form, forms.BaseForm) and name not in READ_ONLY_FORMS:
                yield name, form


@pytest.mark.parametrize(("name", "form"), list(_document_forms()))
def test_every_document_form_applies_the_input_rules(name, form):
    assert issubclass(form, CleanFormMixin), f"{name} skips the per-field input rules"


def _order(client, **header):
    product = ProductFactory(code="A001")
    data = {
        "supplier": SupplierFactory().pk,
        "warehouse": WarehouseFactory().pk,
        "order_date": header.get("order_date", "2026-03-02"),
        "expected_date": "",
        "remarks": header.get("remarks", ""),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product_search": product.code,
        "lines-0-quantity": "2",
        "lines-0-unit_price": "1",
        "lines-0-remarks": header.get("line_remarks", ""),
    }
    return client.post(reverse("procurement:purchaseorder_create"), data)


def test_a_document_dated_9999_is_refused_and_nothing_is_saved(client_for):
    response = _order(client_for("buyer"), order_date="9999-12-31")

    assert response.status_code == 200
    assert "order_date" in response.context["form"].errors
    assert not PurchaseOrder.objects.exists()


def test_a_line_remark_pasted_with_a_tab_and_line_break_is_kept_on_one_line(client_for):
    response = _order(client_for("buyer"), line_remarks="  fragile\tkeep\r\ndry  ")

    assert response.status_code == 302
    assert PurchaseOrder.objects.get().lines.get().remarks == "fragile keep dry"
