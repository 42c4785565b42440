"""What the after-commit stock check costs a posting: nothing to read (the ledger read the
thresholds under its locks), one UPDATE when a balance above them may close a notification; the
full check only near them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import MovementType, StockLevel
from apps.inventory.services import hooks
from apps.inventory.services.hooks import Posted
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.notifications import triggers
from apps.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(make_user):
    warehouse = WarehouseFactory()
    plain, watched = ProductFactory(), ProductFactory()
    StockLevel.objects.create(product=watched, warehouse=warehouse, safety_stock=10, reorder_point=15)
    make_user("buyer", sees_all_warehouses=True)
    post_stock(plain, warehouse, 50, unit_cost="2")
    post_stock(watched, warehouse, 50, unit_cost="2")
    return warehouse, plain, watched


def _check_queries(event: Posted) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        triggers.stock_posted(event)
    return [query["sql"] for query in captured.captured_queries]


def test_a_balance_without_thresholds_costs_nothing_after_the_commit(stocked, django_capture_on_commit_callbacks):
    warehouse, plain, _watched = stocked
    with django_capture_on_commit_callbacks() as callbacks:
        post_stock(plain, warehouse, -5, movement_type=MovementType.SALES_SHIPMENT)
    (callback,) = callbacks

    with CaptureQueriesContext(connection) as captured:
        callback()

    assert captured.captured_queries == []  # the ledger read the (absent) thresholds under its locks


def test_the_ledger_reports_the_thresholds_it_read_under_its_locks(stocked, django_capture_on_commit_callbacks):
    warehouse, plain, watched = stocked
    events = []
    with django_capture_on_commit_callbacks() as callbacks:
        post_stock(watched, warehouse, -1, movement_type=MovementType.SALES_SHIPMENT)
        post_stock(plain, warehouse, -1, movement_type=MovementType.SALES_SHIPMENT)
    hooks.on_stock_posted(events.append)
    try:
        for callback in callbacks:
            callback()
    finally:
        hooks._listeners.remove(events.append)

    assert [event.thresholds for event in events] == [{(watched.pk, warehouse.pk): (10, 15)}, {}]
    assert [dict(event.available) for event in events] == [
        {(watched.pk, warehouse.pk): 49},
        {(plain.pk, warehouse.pk): 49},
    ]


def test_without_the_ledger_thresholds_one_plain_read(stocked):
    warehouse, plain, _watched = stocked
    key = (plain.pk, warehouse.pk)

    sql = _check_queries(Posted("test", "T0", frozenset({key}), {key: 40}))

    assert len(sql) == 1
    assert "inventory_stocklevel" in sql[0]


def test_a_balance_above_its_thresholds_closes_without_the_full_check(stocked):
    warehouse, _plain, watched = stocked
    key = (watched.pk, warehouse.pk)
    event = Posted("test", "T1", frozenset({key}), {key: 40}, {key: (10, 15)})

    sql = _check_queries(event)

    assert len(sql) == 1
    assert sql[0].startswith('UPDATE "notifications_notification"')


def test_a_balance_near_its_thresholds_takes_the_full_check_and_raises(stocked):
    warehouse, _plain, watched = stocked
    post_stock(watched, warehouse, -45, movement_type=MovementType.SALES_SHIPMENT)  # 5 left, listeners not run
    key = (watched.pk, warehouse.pk)

    triggers.stock_posted(Posted("test", "T2", frozenset({key}), {key: 5}))

    kinds = set(Notification.objects.filter(closed_at__isnull=True).values_list("kind", flat=True))
    assert kinds == {NotificationKind.BELOW_SAFETY, NotificationKind.REORDER}


def test_the_screen_closes_what_a_receipt_cleared(stocked, django_capture_on_commit_callbacks):
    warehouse, _plain, watched = stocked
    with django_capture_on_commit_callbacks(execute=True):
        post_stock(watched, warehouse, -45, movement_type=MovementType.SALES_SHIPMENT)
    assert Notification.objects.filter(closed_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        post_stock(watched, warehouse, 45, unit_cost="2", movement_type=MovementType.PURCHASE_RECEIPT)

    assert not Notification.objects.filter(closed_at__isnull=True).exists()
