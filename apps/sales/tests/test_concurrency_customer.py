"""Shipping and approving orders of one customer at the same moment (PostgreSQL row locks).

Approving an order locks its customer for the credit check; a posted delivery writes receivable
rows whose foreign-key check needs a share lock on that customer at commit. With an exclusive
lock on the customer, an approval waiting for a stock balance held by a delivery, and the
delivery waiting for the customer, deadlocked (``deadlock detected ... masterdata_customer``).
"""

import logging
import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.inventory.models import StockBalance
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import Receivable, SalesOrder, SalesOrderStatus, Shipment
from apps.sales.services import sales_order_confirm, shipment_post
from apps.sales.tests.factories import make_order, make_shipment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAIRS = 6


class RetryCounter(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.retries: list[str] = []

    def emit(self, record):
        if record.getMessage().startswith("retrying"):
            self.retries.append(record.getMessage())


@pytest.fixture
def retry_log():
    counter = RetryCounter()
    logger = logging.getLogger("apps.core.db")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


def test_shipping_and_approving_orders_of_one_customer_at_once_never_deadlocks(make_user, retry_log):
    warehouse = WarehouseFactory()
    products = [ProductFactory(code=f"P{n}") for n in range(3)]
    for product in products:
        post_stock(product, warehouse, 1000)
    customer = CustomerFactory(credit_limit=Decimal("1000000"))
    manager, keeper = make_user("manager"), make_user("warehouse")
    lines = [(product, 2) for product in products]
    to_ship = [
        make_shipment(
            make_order(customer=customer, warehouse=warehouse, lines=lines, actor=manager, confirm=True),
            actor=keeper,
            post=False,
        )
        for _n in range(PAIRS)
    ]
    to_approve = [
        make_order(customer=customer, warehouse=warehouse, lines=lines, actor=manager, submit=True)
        for _n in range(PAIRS)
    ]
    barrier = threading.Barrier(2 * PAIRS)
    failures: list[BaseException] = []

    def run(work):
        try:
            barrier.wait(timeout=10)
            work()
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    works = [lambda s=s: shipment_post(shipment=s, actor=keeper) for s in to_ship]
    works += [lambda o=o: sales_order_confirm(order=o, actor=manager) for o in to_approve]
    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert retry_log.retries == []  # no deadlock happened at all, not merely retried away
    assert Shipment.objects.filter(status="posted").count() == PAIRS
    assert SalesOrder.objects.filter(status=SalesOrderStatus.CONFIRMED).count() == PAIRS
    assert Receivable.objects.filter(customer=customer).count() == PAIRS
    for product in products:
        balance = StockBalance.objects.get(product=product, warehouse=warehouse)
        assert (balance.on_hand, balance.reserved) == (1000 - 2 * PAIRS, 2 * PAIRS)
