import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.sales.models import DocumentStatus, Receivable, SalesReturn
from apps.sales.services import ReturnLineInput, sales_return_cancel, sales_return_create, sales_return_post
from apps.sales.tests.factories import TODAY, make_order, make_return, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shipped(make_user):
    """5 units of A001 sold at 20 + 13 % tax, left at average cost 10; then the average moves to 16."""
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="A001", sale_price=D("20"), min_sale_price=0, tax_rate=D("13"))
    post_stock(product, warehouse, 10, unit_cost="10")
    order = make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)
    shipment = make_shipment(order, [5])
    post_stock(product, warehouse, 5, unit_cost="22")  # 5 @ 10 + 5 @ 22 → average 16
    return shipment


def test_a_return_comes_back_at_the_cost_it_left_with(shipped):
    sales_return = make_return(shipped, [2])

    line = sales_return.lines.get()
    assert line.movement.movement_type == MovementType.SALES_RETURN
    assert (line.movement.quantity, line.movement.unit_cost, line.movement.value) == (D(2), D(10), D("20.00"))
    assert (line.cost_amount, line.net_amount, line.total_amount) == (D("20.00"), D("40.00"), D("45.20"))
    balance = StockBalance.objects.get(product=line.product)
    assert (balance.on_hand, balance.value) == (12, D("180.00"))
    assert sales_return.status == DocumentStatus.POSTED


def test_a_return_credits_the_deliverys_receivable(shipped):
    make_return(shipped, [2])

    receivable = Receivable.objects.get(shipment=shipped)
    assert (receivable.amount, receivable.credited_amount, receivable.outstanding) == (
        D("113.00"),
        D("45.20"),
        D("67.80"),
    )


def test_returns_of_a_whole_line_reverse_exactly_its_revenue_and_cost(shipped):
    make_return(shipped, [2])
    make_return(shipped, [3])

    line = shipped.lines.get()
    returned = SalesReturn.objects.all()
    assert sum(r.net_amount for r in returned) == line.net_amount
    assert sum(r.cost_amount for r in returned) == line.cost_amount
    assert Receivable.objects.get(shipment=shipped).outstanding == 0


def test_returning_more_than_shipped_minus_returned_is_refused(shipped, make_user):
    make_return(shipped, [4])

    with pytest.raises(ValidationError) as caught:
        make_return(shipped, [2])

    assert caught.value.messages == ["Row 1: product A001: returning 2 is more than the 1 shipped and not yet returned"]
    assert SalesReturn.objects.count() == 1


def test_two_drafts_cannot_together_return_more_than_shipped(shipped, make_user):
    first = make_return(shipped, [3], post=False)
    second = make_return(shipped, [3], post=False)
    sales_return_post(sales_return=first, actor=make_user("sales"))
    movements = StockMovement.objects.count()

    with pytest.raises(ValidationError, match="returning 3 is more than the 2 shipped and not yet returned"):
        sales_return_post(sales_return=second, actor=make_user("sales"))

    second.refresh_from_db()
    assert second.status == DocumentStatus.DRAFT
    assert StockMovement.objects.count() == movements


def test_scrap_comes_back_and_is_written_off_at_the_same_cost(shipped):
    sales_return = make_return(shipped, [2], disposition="scrap")

    line = sales_return.lines.get()
    assert line.scrap_reason == "damaged"
    assert (line.movement.movement_type, line.movement.value) == (MovementType.SALES_RETURN, D("20.00"))
    assert (line.scrap_movement.movement_type, line.scrap_movement.value) == (MovementType.OTHER_ISSUE, D("-20.00"))
    balance = StockBalance.objects.get(product=line.product)
    assert (balance.on_hand, balance.value) == (10, D("160.00"))
    assert Receivable.objects.get(shipment=shipped).credited_amount == D("45.20")


def test_scrap_needs_a_reason(shipped, make_user):
    with pytest.raises(ValidationError, match=re.escape("Row 1: product A001 is scrapped; give the reason.")):
        sales_return_create(
            shipment=shipped,
            return_date=TODAY,
            lines=[ReturnLineInput(shipment_line=shipped.lines.get(), quantity=D(1), disposition="scrap")],
            actor=make_user("sales"),
        )
    assert not SalesReturn.objects.exists()


def test_posting_a_return_twice_is_refused(shipped, make_user):
    sales_return = make_return(shipped, [1])

    with pytest.raises(ValidationError, match="was already posted; it cannot be posted again"):
        sales_return_post(sales_return=sales_return, actor=make_user("sales"))
    assert Receivable.objects.get(shipment=shipped).credited_amount == D("22.60")


def test_a_draft_return_can_be_voided(shipped, make_user):
    sales_return = make_return(shipped, [1], post=False)

    sales_return_cancel(sales_return=sales_return, actor=make_user("sales"))

    sales_return.refresh_from_db()
    assert sales_return.status == DocumentStatus.CANCELLED


def test_only_posted_deliveries_take_returns(make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory()
    post_stock(product, warehouse, 5)
    order = make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)
    draft = make_shipment(order, [5], post=False)

    with pytest.raises(ValidationError, match="is not posted; only posted goods can be returned"):
        make_return(draft, [1])


def test_errors_name_the_delivery_row_the_user_sees_not_the_count_of_filled_rows(make_user):
    # given a delivery of three lines where only the first and the third are returned
    warehouse = WarehouseFactory()
    products = [ProductFactory(code=f"B00{n}", min_sale_price=0) for n in (1, 2, 3)]
    for product in products:
        post_stock(product, warehouse, 5, unit_cost="1")
    order = make_order(warehouse=warehouse, lines=[(product, 1) for product in products], confirm=True)
    shipment = make_shipment(order)
    first, _second, third = shipment.lines.order_by("line_no")

    # when the third is scrapped without a reason
    with pytest.raises(ValidationError) as caught:
        sales_return_create(
            shipment=shipment,
            return_date=TODAY,
            lines=[
                ReturnLineInput(shipment_line=first, quantity=D(1)),
                ReturnLineInput(shipment_line=third, quantity=D(1), disposition="scrap"),
            ],
            actor=make_user("sales"),
        )

    # then the message names delivery row 3 (the return form's "#"), and nothing was saved
    assert caught.value.messages == ["Row 3: product B003 is scrapped; give the reason."]
    assert not SalesReturn.objects.exists()
