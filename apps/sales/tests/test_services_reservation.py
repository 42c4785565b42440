from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import StockBalance
from apps.inventory.services import InsufficientStock
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, ProductUnitFactory, WarehouseFactory
from apps.sales.models import SalesOrderLine, SalesOrderStatus
from apps.sales.services import sales_order_confirm, sales_order_reserve_backorders
from apps.sales.tests.factories import make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Main")


def balance(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def lines_of(order):
    return list(SalesOrderLine.objects.select_related("order").filter(order=order).order_by("line_no"))


def test_approval_reserves_every_line_in_base_units(warehouse, make_user):
    a, b = ProductFactory(), ProductFactory()
    box = ProductUnitFactory(product=b, ratio=D(12)).unit
    post_stock(a, warehouse, 10)
    post_stock(b, warehouse, 30)

    order = make_order(warehouse=warehouse, lines=[(a, 4), (b, 2, None, 0, box)], confirm=True)

    assert [line.reserved_quantity for line in lines_of(order)] == [4, 24]
    assert (balance(a, warehouse).reserved, balance(b, warehouse).reserved) == (4, 24)
    assert (balance(b, warehouse).available) == 6


def test_short_stock_refuses_the_approval_naming_every_short_row_and_reserves_nothing(warehouse, make_user):
    a, b, c = ProductFactory(code="A001"), ProductFactory(code="B002"), ProductFactory(code="C003")
    post_stock(a, warehouse, 5)
    post_stock(b, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(a, 8), (b, 2), (c, 1)], submit=True)

    with pytest.raises(InsufficientStock) as caught:
        sales_order_confirm(order=order, actor=make_user("sales"))

    assert caught.value.messages == [
        f"Sales order {order.number} cannot be approved: insufficient stock.",
        "Row 1: product A001 is short in Main: available 5, requested 8",
        "Row 3: product C003 is short in Main: available 0, requested 1",
    ]
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.PENDING
    assert [line.reserved_quantity for line in lines_of(order)] == [0, 0, 0]
    assert (balance(a, warehouse).reserved, balance(b, warehouse).reserved) == (0, 0)


def test_backorder_reserves_what_is_available_and_backorders_the_rest(warehouse, make_user):
    a, b = ProductFactory(), ProductFactory()
    post_stock(a, warehouse, 5)
    post_stock(b, warehouse, 10)

    order = make_order(warehouse=warehouse, lines=[(a, 8), (b, 2)], confirm=True, allow_backorder=True)

    first, second = lines_of(order)
    assert (first.reserved_quantity, first.backordered_quantity) == (5, 3)
    assert (second.reserved_quantity, second.backordered_quantity) == (2, 0)
    assert balance(a, warehouse).available == 0


def test_backordered_is_ordered_minus_reserved_minus_shipped_through_shipments(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 5)
    order = make_order(warehouse=warehouse, lines=[(product, 8)], confirm=True, allow_backorder=True)

    make_shipment(order, [3])
    (line,) = lines_of(order)
    assert (line.shipped_quantity, line.reserved_quantity, line.backordered_quantity) == (3, 2, 3)

    post_stock(product, warehouse, 4)  # free stock arrives: the shipment may take unreserved units
    make_shipment(order, [4])
    (line,) = lines_of(order)
    assert (line.shipped_quantity, line.reserved_quantity, line.backordered_quantity) == (7, 0, 1)
    b = balance(product, warehouse)
    assert (b.on_hand, b.reserved) == (2, 0)


def test_reserving_backorders_later_takes_what_has_arrived(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 2)
    order = make_order(warehouse=warehouse, lines=[(product, 6)], confirm=True, allow_backorder=True)
    post_stock(product, warehouse, 3)

    sales_order_reserve_backorders(order=order, actor=make_user("sales"))

    (line,) = lines_of(order)
    assert (line.reserved_quantity, line.backordered_quantity) == (5, 1)
    assert balance(product, warehouse).reserved == 5


def test_reserving_backorders_of_an_order_without_any_is_refused(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 5)
    order = make_order(warehouse=warehouse, lines=[(product, 2)], confirm=True)

    with pytest.raises(ValidationError, match="has no backorders"):
        sales_order_reserve_backorders(order=order, actor=make_user("sales"))
    assert balance(product, warehouse).reserved == 2


def test_reserved_stock_of_one_order_is_not_shipped_to_another(warehouse, make_user):
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 5)
    make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)
    other = make_order(warehouse=warehouse, lines=[(product, 2)], confirm=True, allow_backorder=True)

    with pytest.raises(InsufficientStock, match="Row 1: product A001 is short in Main: available 0, requested 2"):
        make_shipment(other, [2])
    b = balance(product, warehouse)
    assert (b.on_hand, b.reserved) == (5, 5)


def test_two_orders_for_the_last_units_only_the_first_gets_them(warehouse, make_user):
    product = ProductFactory()
    post_stock(product, warehouse, 5)
    make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)

    second = make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True, allow_backorder=True)

    (line,) = lines_of(second)
    assert (line.reserved_quantity, line.backordered_quantity) == (0, 5)
    b = balance(product, warehouse)
    assert (b.on_hand, b.reserved, b.available) == (5, 5, 0)
