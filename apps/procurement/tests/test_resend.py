"""A re-sent create form (back and resubmit, a retry, a double click) changes nothing, in turn or at once;
a warehouse clerk limited to one warehouse does not find purchase documents of another."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from apps.accounts.roles import sync_role_permissions
from apps.core.tests.resend import management_form, post_concurrently, with_token
from apps.inventory.models import StockBalance, StockMovement
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement.models import (
    DocumentStatus,
    GoodsReceipt,
    Payable,
    PaymentAllocation,
    PurchaseOrder,
    PurchaseReturn,
    SupplierPayment,
)
from apps.procurement.tests.factories import approved_order, buyer_user, receive, warehouse_user

pytestmark = pytest.mark.django_db


def _receipt_form() -> tuple[str, dict]:
    product, warehouse = ProductFactory(code="A001"), WarehouseFactory()
    return reverse("procurement:goodsreceipt_create"), with_token(
        {
            "supplier": SupplierFactory().pk,
            "warehouse": warehouse.pk,
            "receipt_date": "2026-03-09",
            "reason": "sample delivery",
            "remarks": "",
            **management_form("lines", 1),
            "lines-0-product": str(product.pk),
            "lines-0-received_quantity": "3",
            "lines-0-unit_price": "2",
            "post": "1",
        }
    )


def _return_form() -> tuple[str, dict]:
    receipt = receive(approved_order())
    return reverse("procurement:purchasereturn_create", args=[receipt.pk]), with_token(
        {
            "return_date": "2026-03-20",
            "reason": "faulty",
            **management_form("lines", 1, 1),
            "lines-0-receipt_line": str(receipt.lines.get().pk),
            "lines-0-quantity": "1",
            "post": "1",
        }
    )


def _payment_form() -> tuple[str, dict]:
    receipt = receive(approved_order(lines=[(ProductFactory(), 10, "10")]))
    return reverse("procurement:supplierpayment_create"), with_token(
        {
            "supplier": receipt.supplier_id,
            "payment_date": "2026-04-01",
            "amount": "30",
            "allocation": "auto",
            **management_form("alloc", 1, 1),
            "alloc-0-receipt": str(receipt.pk),
            "alloc-0-amount": "",
        }
    )


def _order_form() -> tuple[str, dict]:
    return reverse("procurement:purchaseorder_create"), with_token(
        {
            "supplier": SupplierFactory().pk,
            "warehouse": WarehouseFactory().pk,
            "order_date": "2026-03-02",
            "expected_date": "",
            "remarks": "",
            **management_form("lines", 1),
            "lines-0-product": str(ProductFactory().pk),
            "lines-0-quantity": "5",
            "lines-0-unit_price": "3",
        }
    )


def _state() -> tuple:
    """Everything a duplicate would add to."""
    return (
        GoodsReceipt.objects.count(),
        PurchaseReturn.objects.count(),
        SupplierPayment.objects.count(),
        PaymentAllocation.objects.count(),
        PurchaseOrder.objects.count(),
        StockMovement.objects.count(),
        Payable.objects.count(),
    )


@pytest.mark.parametrize(
    ("make_form", "role"),
    [(_receipt_form, "warehouse"), (_return_form, "buyer"), (_payment_form, "buyer"), (_order_form, "buyer")],
    ids=["purchase receipt", "purchase return", "supplier payment", "purchase order"],
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


def test_a_corrected_form_with_the_same_token_is_saved_after_a_refusal(client_for):
    url, data = _receipt_form()
    client = client_for("warehouse")

    refused = client.post(url, {**data, "reason": ""})
    saved = client.post(url, data)

    assert refused.status_code == 200
    assert saved.status_code == 302
    assert GoodsReceipt.objects.get().status == DocumentStatus.POSTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("make_form", "make_actor"),
    [(_receipt_form, warehouse_user), (_return_form, buyer_user), (_payment_form, buyer_user)],
    ids=["purchase receipt", "purchase return", "supplier payment"],
)
def test_sending_the_same_create_form_at_once_creates_one_document(make_form, make_actor):
    sync_role_permissions()
    url, data = make_form()
    before = _state()

    codes = post_concurrently(make_actor(), url, data)

    assert codes == [302, 302]
    added = [after - b for after, b in zip(_state(), before, strict=True)]
    assert added in (
        [1, 0, 0, 0, 0, 1, 1],  # receipt: one document, one movement, one payable
        [0, 1, 0, 0, 0, 1, 1],  # return: one document, one movement, one credit
        [0, 0, 1, 1, 0, 0, 1],  # payment: one payment, one allocation, one payable entry (the sub-ledger)
    )


# --- warehouse scope --------------------------------------------------------------------------


def test_a_clerk_of_one_warehouse_does_not_find_a_receipt_of_another(client_for):
    clerk = client_for("warehouse", sees_all_warehouses=False)
    WarehouseFactory(name="Own").assigned_users.add(clerk.user)
    order = approved_order()
    receipt = receive(order, post=False)

    assert clerk.get(reverse("procurement:goodsreceipt_list")).context["receipts"].count() == 0
    assert clerk.get(receipt.get_absolute_url()).status_code == 404
    assert clerk.get(order.get_absolute_url()).status_code == 404
    assert clerk.post(reverse("procurement:goodsreceipt_post", args=[receipt.pk])).status_code == 404
    assert clerk.get(reverse("procurement:goodsreceipt_create_from_order", args=[order.pk])).status_code == 404
    assert GoodsReceipt.objects.get().status == DocumentStatus.DRAFT
    assert not StockBalance.objects.exists()


def test_the_same_clerk_works_on_their_own_warehouse(client_for):
    clerk = client_for("warehouse", sees_all_warehouses=False)
    order = approved_order()
    order.warehouse.assigned_users.add(clerk.user)
    receipt = receive(order, post=False)

    response = clerk.post(reverse("procurement:goodsreceipt_post", args=[receipt.pk]))

    assert response.status_code == 302
    assert GoodsReceipt.objects.get().status == DocumentStatus.POSTED
    assert StockBalance.objects.get().on_hand == D(order.lines.get().base_quantity)
