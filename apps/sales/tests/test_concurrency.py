"""Two clerks approving orders for the last units at the same moment (PostgreSQL row locks)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.inventory.models import StockBalance
from apps.inventory.services import InsufficientStock
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import SalesOrder, SalesOrderLine, SalesOrderStatus
from apps.sales.services import sales_order_confirm
from apps.sales.tests.factories import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def approve_at_once(orders, clerks, *, allow_backorder):
    barrier = threading.Barrier(len(orders))
    outcomes = {}

    def run(order, clerk):
        try:
            barrier.wait(timeout=10)
            sales_order_confirm(order=order, actor=clerk, allow_backorder=allow_backorder)
            outcomes[order.pk] = "approved"
        except ValidationError as error:
            outcomes[order.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(orders, clerks, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def last_units(make_user):
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 5)
    clerks = [make_user("sales"), make_user("sales")]
    orders = [
        make_order(customer=CustomerFactory(), warehouse=warehouse, lines=[(product, 5)], actor=clerk, submit=True)
        for clerk in clerks
    ]
    return product, warehouse, orders, clerks


def test_all_or_nothing_exactly_one_clerk_gets_the_last_units(last_units):
    product, warehouse, orders, clerks = last_units

    outcomes = approve_at_once(orders, clerks, allow_backorder=False)

    assert sorted(map(str, outcomes.values())).count("approved") == 1
    (refusal,) = [o for o in outcomes.values() if o != "approved"]
    assert isinstance(refusal, InsufficientStock)
    assert "Row 1: product A001 is short in Main: available 0, requested 5" in refusal.messages
    statuses = sorted(SalesOrder.objects.values_list("status", flat=True))
    assert statuses == sorted([SalesOrderStatus.CONFIRMED, SalesOrderStatus.PENDING])
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.reserved) == (5, 5)


def test_with_backorders_one_reserves_everything_and_the_other_backorders_it(last_units):
    product, warehouse, orders, clerks = last_units

    outcomes = approve_at_once(orders, clerks, allow_backorder=True)

    assert list(outcomes.values()) == ["approved", "approved"]
    reserved = sorted(SalesOrderLine.objects.values_list("reserved_quantity", flat=True))
    assert reserved == [Decimal(0), Decimal(5)]
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert balance.reserved == balance.on_hand == 5
