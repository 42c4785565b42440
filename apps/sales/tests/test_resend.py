"""A re-sent create form (back and resubmit, a retry, a double click) changes nothing, in turn or at once;
a clerk limited to one warehouse does not find sales documents of another."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import sync_role_permissions
from apps.accounts.tests.factories import UserFactory
from apps.core.tests.resend import management_form, post_concurrently, with_token
from apps.inventory.models import StockBalance, StockMovement
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import CustomerReceipt, DocumentStatus, ReceivableEntry, SalesOrder, SalesReturn, Shipment
from apps.sales.tests.factories import make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


def _order():
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="A001", sale_price=D(10), min_sale_price=0, tax_rate=0)
    post_stock(product, warehouse, 10)
    return make_order(warehouse=warehouse, lines=[(product, 4)], confirm=True)


def _shipment_form() -> tuple[str, dict]:
    order = _order()
    url = reverse("sales:shipment_create") + f"?customer={order.customer_id}&warehouse={order.warehouse_id}"
    return url, with_token(
        {
            "customer": order.customer_id,
            "warehouse": order.warehouse_id,
            "ship_date": "2026-11-26",
            **management_form("lines", 1, 1),
            "lines-0-order_line": order.lines.get().pk,
            "lines-0-quantity": "3",
            "post": "1",
        }
    )


def _return_form() -> tuple[str, dict]:
    shipment = make_shipment(_order(), [3])
    return reverse("sales:return_create", args=[shipment.pk]), with_token(
        {
            "return_date": "2026-11-27",
            "reason": "wrong colour",
            **management_form("lines", 1, 1),
            "lines-0-shipment_line": shipment.lines.get().pk,
            "lines-0-quantity": "1",
            "lines-0-disposition": "restock",
            "post": "1",
        }
    )


def _receipt_form() -> tuple[str, dict]:
    order = _order()
    make_shipment(order, [2])
    return reverse("sales:receipt_create"), with_token(
        {
            "customer": order.customer_id,
            "receipt_date": "2026-11-26",
            "amount": "10",
            "method": "bank",
            "allocation": "auto",
            **management_form("alloc", 0, 0),
        }
    )


def _order_form() -> tuple[str, dict]:
    return reverse("sales:order_create"), with_token(
        {
            "customer": CustomerFactory().pk,
            "warehouse": WarehouseFactory().pk,
            "order_date": "2026-11-26",
            **management_form("lines", 1),
            "lines-0-product": ProductFactory(sale_price=D(5), min_sale_price=0).pk,
            "lines-0-quantity": "2",
        }
    )


def _state() -> tuple:
    return (
        SalesOrder.objects.count(),
        Shipment.objects.count(),
        SalesReturn.objects.count(),
        CustomerReceipt.objects.count(),
        StockMovement.objects.count(),
        ReceivableEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("make_form", "role"),
    [(_shipment_form, "warehouse"), (_return_form, "sales"), (_receipt_form, "sales"), (_order_form, "sales")],
    ids=["sales delivery", "sales return", "customer receipt", "sales order"],
)
def test_sending_the_same_create_form_twice_changes_nothing_the_second_time(make_form, role, client_for):
    url, data = make_form()
    client = client_for(role)

    first = client.post(url, data)
    after_first = _state()
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first.url
    assert "was already saved from this form; nothing was changed" in second.content.decode()
    assert _state() == after_first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("make_form", "role"),
    [(_shipment_form, "warehouse"), (_return_form, "sales"), (_receipt_form, "sales")],
    ids=["sales delivery", "sales return", "customer receipt"],
)
def test_sending_the_same_create_form_at_once_creates_one_document(make_form, role):
    sync_role_permissions()
    url, data = make_form()
    before = _state()

    codes = post_concurrently(UserFactory(role=role), url, data)

    assert codes == [302, 302]
    added = [after - b for after, b in zip(_state(), before, strict=True)]
    assert added in (
        [0, 1, 0, 0, 1, 1],  # delivery: one document, one movement, one receivable entry
        [0, 0, 1, 0, 1, 1],  # return: one document, one movement, one credit entry
        [0, 0, 0, 1, 0, 1],  # customer receipt: one receipt, one entry
    )


def test_a_clerk_of_one_warehouse_does_not_find_a_delivery_of_another(client_for):
    clerk = client_for("warehouse", sees_all_warehouses=False)
    WarehouseFactory(name="Own").assigned_users.add(clerk.user)
    shipment = make_shipment(_order(), [2], post=False)

    assert clerk.get(reverse("sales:shipment_list")).context["shipments"].count() == 0
    assert clerk.get(shipment.get_absolute_url()).status_code == 404
    assert clerk.post(reverse("sales:shipment_post", args=[shipment.pk])).status_code == 404
    assert Shipment.objects.get().status == DocumentStatus.DRAFT
    assert StockBalance.objects.get().on_hand == 10
