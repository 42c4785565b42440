import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from apps.core.models import SystemSettings
from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.inventory.services import InsufficientStock
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import DocumentStatus, Receivable, SalesOrderLine, SalesOrderStatus, Shipment
from apps.sales.services import ShipmentLineInput, shipment_cancel, shipment_create, shipment_post
from apps.sales.tests.factories import TODAY, make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Main")


def test_posting_issues_at_moving_average_cost_and_records_margin(warehouse, make_user):
    product = ProductFactory(sale_price=D("20"), min_sale_price=0, tax_rate=D("13"))
    post_stock(product, warehouse, 10, unit_cost="8")
    post_stock(product, warehouse, 10, unit_cost="12")  # average 10
    order = make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)

    shipment = make_shipment(order, [5])

    line = shipment.lines.get()
    assert line.movement.movement_type == MovementType.SALES_SHIPMENT
    assert (line.net_amount, line.tax_amount, line.total_amount) == (D("100.00"), D("13.00"), D("113.00"))
    assert (line.cost_amount, line.margin_amount, line.margin_percent) == (D("50.00"), D("50.00"), D("50.00"))
    assert (shipment.net_amount, shipment.cost_amount, shipment.margin_amount) == (D(100), D(50), D(50))
    assert shipment.status == DocumentStatus.POSTED


def test_posting_consumes_the_reservation_and_creates_the_receivable(warehouse, make_user):
    product = ProductFactory(sale_price=D("10"), min_sale_price=0, tax_rate=0)
    post_stock(product, warehouse, 10)
    customer = CustomerFactory(payment_terms_days=45)
    order = make_order(customer=customer, warehouse=warehouse, lines=[(product, 6)], confirm=True)

    shipment = make_shipment(order, [4])

    b = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (b.on_hand, b.reserved) == (6, 2)
    line = SalesOrderLine.objects.get(order=order)
    assert (line.shipped_quantity, line.reserved_quantity) == (4, 2)
    receivable = Receivable.objects.get(shipment=shipment)
    assert (receivable.amount, receivable.outstanding) == (D("40.00"), D("40.00"))
    assert (receivable.document_date, (receivable.due_date - TODAY).days) == (TODAY, 45)


def test_deliveries_of_one_line_add_up_to_the_order_amount_exactly(warehouse, make_user):
    product = ProductFactory(min_sale_price=0, tax_rate=D("13"))
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3, "33.3333")], confirm=True)
    order_line = order.lines.get()

    make_shipment(order, [1])
    make_shipment(order, [1])
    make_shipment(order, [1])

    totals = Shipment.objects.aggregate(net=Sum("net_amount"), tax=Sum("tax_amount"))
    assert (totals["net"], totals["tax"]) == (order_line.net_amount, order_line.tax_amount)


def test_one_delivery_can_pick_lines_of_several_orders_of_the_customer(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 10)
    customer = CustomerFactory()
    first = make_order(customer=customer, warehouse=warehouse, lines=[(product, 2)], confirm=True)
    second = make_order(customer=customer, warehouse=warehouse, lines=[(product, 3)], confirm=True)

    shipment = shipment_create(
        customer=customer,
        warehouse=warehouse,
        ship_date=TODAY,
        lines=[
            ShipmentLineInput(order_line=first.lines.get(), quantity=D(2)),
            ShipmentLineInput(order_line=second.lines.get(), quantity=D(1)),
        ],
        actor=make_user("warehouse"),
    )
    shipment_post(shipment=shipment, actor=make_user("warehouse"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SalesOrderStatus.COMPLETED, SalesOrderStatus.PARTIAL)


def test_shipping_more_than_ordered_is_refused_at_creation(warehouse, make_user):
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)

    with pytest.raises(ValidationError) as caught:
        make_shipment(order, [4])

    assert caught.value.messages == [f"Row 1: product A001: shipping 4 is more than the 3 still open on {order.number}"]
    assert not Shipment.objects.exists()


def test_shipping_more_than_still_open_is_refused_at_posting_and_nothing_changes(warehouse, make_user):
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)
    draft = make_shipment(order, [2], post=False)
    make_shipment(order, [2])  # another delivery got there first

    with pytest.raises(ValidationError) as caught:
        shipment_post(shipment=draft, actor=make_user("warehouse"))

    assert caught.value.messages == [f"Row 1: product A001: shipping 2 is more than the 1 still open on {order.number}"]
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.DRAFT
    assert StockBalance.objects.get(product=product).on_hand == 8


def test_delivery_of_unreserved_goods_that_are_gone_is_refused(warehouse, make_user):
    a, b = ProductFactory(code="A001"), ProductFactory(code="B002")
    post_stock(a, warehouse, 2)
    order = make_order(warehouse=warehouse, lines=[(a, 5), (b, 4)], confirm=True, allow_backorder=True)
    shipment = make_shipment(order, [5, 4], post=False)
    movements = StockMovement.objects.count()

    with pytest.raises(InsufficientStock) as caught:
        shipment_post(shipment=shipment, actor=make_user("warehouse"))

    assert caught.value.messages == [
        f"{shipment.number} cannot be posted: insufficient stock.",
        "Row 1: product A001 is short in Main: available 2, requested 5",
        "Row 2: product B002 is short in Main: available 0, requested 4",
    ]
    shipment.refresh_from_db()
    assert shipment.status == DocumentStatus.DRAFT
    assert StockMovement.objects.count() == movements
    assert not Receivable.objects.exists()
    assert SalesOrderLine.objects.get(order=order, line_no=1).shipped_quantity == 0


def test_posting_twice_is_refused(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)
    shipment = make_shipment(order, [3])

    with pytest.raises(ValidationError, match="was already posted; it cannot be posted again"):
        shipment_post(shipment=shipment, actor=make_user("warehouse"))
    assert StockBalance.objects.get(product=product).on_hand == 7
    assert Receivable.objects.count() == 1


def test_a_voided_order_cannot_ship_its_draft_delivery(warehouse, make_user):
    from apps.sales.services import sales_order_cancel

    product = ProductFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)
    draft = make_shipment(order, [3], post=False)
    sales_order_cancel(order=order, actor=make_user("sales"))

    with pytest.raises(ValidationError, match=re.escape(f"Row 1: order {order.number} is Voided and cannot ship.")):
        shipment_post(shipment=draft, actor=make_user("warehouse"))


def test_a_draft_delivery_can_be_voided_but_not_a_posted_one(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)
    draft = make_shipment(order, [1], post=False)
    posted = make_shipment(order, [1])

    shipment_cancel(shipment=draft, actor=make_user("warehouse"))

    draft.refresh_from_db()
    assert draft.status == DocumentStatus.CANCELLED
    with pytest.raises(ValidationError, match="was already posted; it cannot be voided again"):
        shipment_cancel(shipment=posted, actor=make_user("warehouse"))


def test_lines_of_another_customer_are_refused(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 3)], confirm=True)

    with pytest.raises(ValidationError, match="is not for this customer and warehouse"):
        shipment_create(
            customer=CustomerFactory(),
            warehouse=warehouse,
            ship_date=TODAY,
            lines=[ShipmentLineInput(order_line=order.lines.get(), quantity=D(1))],
            actor=make_user("warehouse"),
        )


def test_posting_a_delivery_costs_the_same_queries_for_10_and_100_lines(warehouse, make_user):
    actor = make_user("warehouse")
    SystemSettings.load()
    actor.get_all_permissions()
    counts = []
    for line_count in (10, 100):
        products = ProductFactory.create_batch(line_count)
        for product in products:
            post_stock(product, warehouse, 5)
        order = make_order(warehouse=warehouse, lines=[(p, 2) for p in products], confirm=True)
        shipment = make_shipment(order, [1] * line_count, post=False)

        with CaptureQueriesContext(connection) as queries:
            shipment_post(shipment=shipment, actor=actor)
        counts.append(len(queries))

    # SQLite too: the ledger passes the rows as one JSON parameter, not in 999-parameter chunks.
    assert counts[1] == counts[0]
    assert counts[0] <= 27
    assert StockBalance.objects.aggregate(total=Sum("reserved"))["total"] == 110
