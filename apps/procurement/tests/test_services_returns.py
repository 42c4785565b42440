import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.inventory.services import InsufficientStock
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, ProductUnitFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import DocumentStatus, Payable, PurchaseReturn
from apps.procurement.selectors import receipts_with_outstanding
from apps.procurement.tests.factories import D, approved_order, buyer_user, receive, warehouse_user

pytestmark = pytest.mark.django_db


def _posted_receipt(quantity=10, price="4", product=None, rejected=0, warehouse=None):
    product = product or ProductFactory(code="A001")
    order = approved_order(lines=[(product, quantity, price)], warehouse=warehouse or WarehouseFactory(name="Main"))
    return receive(order, quantities=[quantity], rejected=[rejected]), product, order


def test_return_takes_stock_out_at_the_cost_it_came_in_with_and_credits_the_payable():
    receipt, product, order = _posted_receipt(quantity=10, price="4")
    post_stock(product, order.warehouse, 10, unit_cost="10")  # average now 7: the return must still use 4
    buyer = buyer_user()
    line = receipt.lines.get()

    purchase_return = services.purchase_return_create(
        actor=buyer,
        receipt=receipt,
        reason="wrong colour",
        lines=[services.ReturnLineInput(receipt_line=line, quantity=D(3))],
    )
    purchase_return = services.purchase_return_post(actor=buyer, purchase_return=purchase_return)

    movement = StockMovement.objects.get(pk=purchase_return.lines.get().movement_id)
    assert (movement.movement_type, movement.quantity, movement.unit_cost, movement.value) == (
        MovementType.PURCHASE_RETURN,
        D(-3),
        D(4),
        D(-12),
    )
    assert StockBalance.objects.get(product=product, warehouse=order.warehouse).on_hand == D(17)
    line.refresh_from_db()
    assert line.returned_base == D(3)
    credit = Payable.objects.get(purchase_return=purchase_return)
    assert (credit.kind, credit.amount, credit.receipt) == ("return", D(-12), receipt)
    assert receipts_with_outstanding().get(pk=receipt.pk).outstanding == D(28)
    assert purchase_return.number.startswith("CGTH")


def test_return_of_secondary_units_uses_the_receipt_lines_ratio():
    product = ProductFactory(code="A001")
    box = ProductUnitFactory(product=product, ratio=D(6))
    order = services.purchase_order_create(
        actor=buyer_user(),
        supplier=approved_order().supplier,
        warehouse=WarehouseFactory(),
        lines=[services.OrderLineInput(product=product, quantity=D(2), unit=box.unit, unit_price=D(60), tax_rate=D(0))],
    )
    order = services.purchase_order_submit(actor=order.buyer, order=order)
    receipt = receive(order)

    purchase_return = services.purchase_return_create(
        actor=buyer_user(),
        receipt=receipt,
        reason="damaged",
        lines=[services.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=D(1))],
    )

    line = purchase_return.lines.get()
    assert (line.base_quantity, line.unit_cost, purchase_return.total_amount) == (D(6), D(10), D(60))


def test_returning_more_than_accepted_minus_returned_is_refused():
    receipt, _product, _order = _posted_receipt(quantity=10, rejected=2)
    line = receipt.lines.get()
    buyer = buyer_user()
    first = services.purchase_return_create(
        actor=buyer, receipt=receipt, reason="x", lines=[services.ReturnLineInput(receipt_line=line, quantity=D(5))]
    )
    services.purchase_return_post(actor=buyer, purchase_return=first)

    with pytest.raises(ValidationError) as error:
        services.purchase_return_create(
            actor=buyer, receipt=receipt, reason="x", lines=[services.ReturnLineInput(receipt_line=line, quantity=D(4))]
        )

    assert error.value.messages == ["Row 1: product A001: returning 4 个 exceeds the returnable 3 个"]
    assert PurchaseReturn.objects.count() == 1


def test_two_drafts_cannot_together_return_more_than_was_accepted():
    receipt, _product, _order = _posted_receipt(quantity=10)
    line = receipt.lines.get()
    buyer = buyer_user()
    drafts = [
        services.purchase_return_create(
            actor=buyer, receipt=receipt, reason="x", lines=[services.ReturnLineInput(receipt_line=line, quantity=D(6))]
        )
        for _ in range(2)
    ]
    services.purchase_return_post(actor=buyer, purchase_return=drafts[0])

    with pytest.raises(ValidationError) as error:
        services.purchase_return_post(actor=buyer, purchase_return=drafts[1])

    assert error.value.messages == ["Row 1: product A001: returning 6 个 exceeds the returnable 4 个"]
    drafts[1].refresh_from_db()
    assert drafts[1].status == DocumentStatus.DRAFT


def test_short_stock_on_a_return_shows_the_ledgers_message_and_changes_nothing():
    receipt, product, order = _posted_receipt(quantity=10)
    post_stock(product, order.warehouse, -8)  # sold meanwhile
    buyer = buyer_user()
    purchase_return = services.purchase_return_create(
        actor=buyer,
        receipt=receipt,
        reason="late complaint",
        lines=[services.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=D(5))],
    )

    with pytest.raises(InsufficientStock) as error:
        services.purchase_return_post(actor=buyer, purchase_return=purchase_return)

    assert error.value.messages == [
        f"{purchase_return.number} cannot be posted: insufficient stock.",
        "Row 1: product A001 is short in Main: available 2, requested 5",
    ]
    purchase_return.refresh_from_db()
    assert purchase_return.status == DocumentStatus.DRAFT
    assert receipt.lines.get().returned_base == D(0)
    assert not Payable.objects.filter(kind="return").exists()


def test_double_post_of_a_return_is_refused():
    receipt, _product, _order = _posted_receipt()
    buyer = buyer_user()
    purchase_return = services.purchase_return_create(
        actor=buyer,
        receipt=receipt,
        reason="x",
        lines=[services.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=D(1))],
    )
    services.purchase_return_post(actor=buyer, purchase_return=purchase_return)

    with pytest.raises(ValidationError) as error:
        services.purchase_return_post(actor=buyer, purchase_return=purchase_return)

    assert error.value.messages == [f"{purchase_return.number} was already posted; it cannot be posted again."]
    assert Payable.objects.filter(kind="return").count() == 1


def test_returning_against_a_draft_receipt_is_refused():
    order = approved_order()
    draft = receive(order, post=False)

    with pytest.raises(ValidationError) as error:
        services.purchase_return_create(
            actor=buyer_user(),
            receipt=draft,
            reason="x",
            lines=[services.ReturnLineInput(receipt_line=draft.lines.get(), quantity=D(1))],
        )

    assert error.value.messages == [f"{draft.number} is not posted; only posted receipts can be returned against."]


def test_warehouse_staff_cannot_post_returns():
    receipt, _product, _order = _posted_receipt()
    purchase_return = services.purchase_return_create(
        actor=buyer_user(),
        receipt=receipt,
        reason="x",
        lines=[services.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=D(1))],
    )

    with pytest.raises(PermissionDenied):
        services.purchase_return_post(actor=warehouse_user(), purchase_return=purchase_return)


def test_cancel_a_draft_return():
    receipt, _product, _order = _posted_receipt()
    buyer = buyer_user()
    purchase_return = services.purchase_return_create(
        actor=buyer,
        receipt=receipt,
        reason="x",
        lines=[services.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=D(1))],
    )

    assert (
        services.purchase_return_cancel(actor=buyer, purchase_return=purchase_return).status == DocumentStatus.CANCELLED
    )
    with pytest.raises(ValidationError, match="it cannot be posted"):
        services.purchase_return_post(actor=buyer, purchase_return=purchase_return)
