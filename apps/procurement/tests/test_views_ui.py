"""What the purchasing pages put in front of users: the line grid wiring, status colours, the
payment form's controls, links between pages."""

import re

import pytest
from django.urls import reverse

from apps.core.models import SystemSettings
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory
from apps.procurement import services
from apps.procurement.tests.factories import D, approved_order, make_order

pytestmark = pytest.mark.django_db


def test_order_editor_always_wires_the_line_grid_to_the_product_lookup(client_for):
    response = client_for("buyer").get(reverse("procurement:purchaseorder_create"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-lookup-url="{reverse("masterdata:product_lookup")}"' in html
    assert 'src="/static/js/line_grid.js"' in html
    assert "data-grid-add" in html
    assert "data-scan-increments" in html


def test_receipt_editor_always_wires_the_line_grid_to_the_product_lookup(client_for):
    order = approved_order(lines=[(ProductFactory(), 10, "1")])

    response = client_for("warehouse").get(reverse("procurement:goodsreceipt_create_from_order", args=[order.pk]))

    html = response.content.decode()
    assert f'data-lookup-url="{reverse("masterdata:product_lookup")}"' in html
    assert 'src="/static/js/line_grid.js"' in html
    assert "data-receipt-count-from-zero" in html


def test_the_order_grid_shows_live_stock_of_the_chosen_warehouse(client_for):
    response = client_for("buyer").get(reverse("procurement:purchaseorder_create"))

    html = response.content.decode()
    assert f'data-stock-url="{reverse("inventory:stock_available")}"' in html
    assert 'data-warehouse-input="#id_warehouse"' in html
    assert 'data-field="available"' in html


def test_an_order_pending_approval_is_red_as_the_glossary_says(client_for):
    settings_row = SystemSettings.load()
    settings_row.purchase_approval_threshold = D(1000)
    settings_row.save()
    order = make_order(lines=[(ProductFactory(), 10, "300")])
    order = services.purchase_order_submit(actor=order.buyer, order=order)

    response = client_for("manager").get(order.get_absolute_url())

    assert order.status == "submitted"
    assert re.search(r'class="badge text-bg-danger status-badge" data-status="submitted"', response.content.decode())


def test_payment_form_has_one_supplier_choice_and_clickable_allocation_radios(client_for):
    supplier = SupplierFactory()
    client = client_for("buyer")

    empty = client.get(reverse("procurement:supplierpayment_create"))
    page = client.get(reverse("procurement:supplierpayment_create"), {"supplier": supplier.pk})

    assert "data-save-shortcut" not in empty.content.decode()  # no payment form before a supplier is chosen
    html = page.content.decode()
    assert html.count('name="supplier"') == 2  # the picker, and the chosen supplier carried as hidden
    assert f'<input type="hidden" name="supplier" value="{supplier.pk}"' in html
    # Bootstrap's form-check-input sizes a box of 1em: on the radio inputs only, never on their container
    assert set(re.findall(r'<(\w+)[^>]*class="[^"]*form-check-input', html)) == {"input"}
    assert len(re.findall(r'<div class="form-check">\s*<input type="radio"', html)) == 3


def test_supplier_master_data_links_to_the_scorecard_for_those_who_may_see_it(client_for):
    supplier = SupplierFactory()
    url = reverse("masterdata:supplier_detail", args=[supplier.pk])
    scorecard = reverse("procurement:supplier_scorecard", args=[supplier.pk])

    buyer_page = client_for("buyer").get(url)
    sales_page = client_for("sales").get(url)

    assert scorecard in buyer_page.content.decode()
    assert sales_page.status_code == 200
    assert scorecard not in sales_page.content.decode()


def test_scorecard_links_back_to_the_supplier_master_data(client_for):
    supplier = SupplierFactory()

    response = client_for("buyer").get(reverse("procurement:supplier_scorecard", args=[supplier.pk]))

    assert reverse("masterdata:supplier_detail", args=[supplier.pk]) in response.content.decode()
