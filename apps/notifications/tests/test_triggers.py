import datetime
from decimal import Decimal

import pytest
from django.core import mail

from apps.inventory.models import MovementType, StockLevel
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.notifications import triggers
from apps.notifications.messages import describe
from apps.notifications.models import Notification, NotificationKind
from apps.notifications.services import daily_digest_send, notification_preference_update
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(make_user):
    """Product A in W1 with safety stock 10 and reorder point 15; 20 on hand. Buyer Bo works in W1,
    buyer Eve only in W2, buyer Al in every warehouse."""
    w1, w2 = WarehouseFactory(code="W1", name="North"), WarehouseFactory(code="W2", name="South")
    a = ProductFactory(code="A", name="Apple")
    StockLevel.objects.create(product=a, warehouse=w1, safety_stock=10, reorder_point=15, max_stock=40)
    bo = make_user("buyer", sees_all_warehouses=False)
    eve = make_user("buyer", sees_all_warehouses=False)
    al = make_user("buyer", sees_all_warehouses=True)
    w1.assigned_users.add(bo)
    w2.assigned_users.add(eve)
    post_stock(a, w1, 20, unit_cost="5")
    return {"w1": w1, "w2": w2, "a": a, "bo": bo, "eve": eve, "al": al}


def _open(kind):
    return sorted((n.recipient.username, n.key) for n in Notification.objects.filter(kind=kind, closed_at__isnull=True))


def test_an_issue_below_safety_stock_tells_the_buyers_of_that_warehouse_after_commit(
    stock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_stock(stock["a"], stock["w1"], -12, movement_type=MovementType.SALES_SHIPMENT)

    key = f"below_safety:{stock['a'].pk}:{stock['w1'].pk}"
    assert _open(NotificationKind.BELOW_SAFETY) == sorted([(stock["al"].username, key), (stock["bo"].username, key)])
    reorder = Notification.objects.get(recipient=stock["bo"], kind=NotificationKind.REORDER)
    assert reorder.params["suggested"] == "32"  # order up to the maximum 40 from 8 available
    below = Notification.objects.get(recipient=stock["bo"], kind=NotificationKind.BELOW_SAFETY)
    assert describe(below) == "A Apple in North: 8 available, below the safety stock of 10"


def test_the_same_condition_is_not_repeated_while_open_and_closes_after_a_receipt(
    stock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_stock(stock["a"], stock["w1"], -12, movement_type=MovementType.SALES_SHIPMENT)
        post_stock(stock["a"], stock["w1"], -1, movement_type=MovementType.SALES_SHIPMENT)
    assert Notification.objects.filter(recipient=stock["bo"], kind=NotificationKind.BELOW_SAFETY).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        post_stock(stock["a"], stock["w1"], 30, unit_cost="5", movement_type=MovementType.PURCHASE_RECEIPT)

    assert _open(NotificationKind.BELOW_SAFETY) == []
    assert _open(NotificationKind.REORDER) == []
    assert Notification.objects.filter(kind=NotificationKind.BELOW_SAFETY, closed_at__isnull=False).count() == 2


def test_a_rolled_back_posting_tells_nobody(stock):
    post_stock(stock["a"], stock["w1"], -12, movement_type=MovementType.SALES_SHIPMENT)  # never committed in a test

    assert Notification.objects.count() == 0


def test_the_sweep_raises_what_holds_and_closes_what_cleared(stock):
    post_stock(stock["a"], stock["w1"], -12, movement_type=MovementType.SALES_SHIPMENT)

    triggers.sweep()
    assert len(_open(NotificationKind.BELOW_SAFETY)) == 2
    post_stock(stock["a"], stock["w1"], 30, unit_cost="5", movement_type=MovementType.PURCHASE_RECEIPT)
    triggers.sweep()

    assert _open(NotificationKind.BELOW_SAFETY) == []


def test_late_purchase_orders_go_to_their_buyer_and_rejections_once(make_user, django_capture_on_commit_callbacks):
    buyer, warehouse = make_user("buyer"), WarehouseFactory()
    order = approved_order(buyer=buyer, warehouse=warehouse, expected_date=datetime.date(2026, 3, 5))
    make_user("buyer")  # another buyer hears nothing

    triggers.sweep(today=datetime.date(2026, 3, 10))
    assert [(n.recipient, n.params["number"]) for n in Notification.objects.filter(kind="late_po")] == [
        (buyer, order.number)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        receive(order, rejected=[2], receipt_date=datetime.date(2026, 3, 11))
    triggers.sweep(today=datetime.date(2026, 3, 12))

    rejected = Notification.objects.filter(kind=NotificationKind.REJECTED)
    assert [n.recipient for n in rejected] == [buyer]
    assert Notification.objects.get(kind="late_po").closed_at is None  # 2 rejected are still to come: still late


def test_email_and_daily_digest_for_users_who_opt_in(stock, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_EMAIL = True
    stock["bo"].email = "bo@example.com"
    stock["bo"].save()
    notification_preference_update(user=stock["bo"], email_each=True, daily_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        post_stock(stock["a"], stock["w1"], -12, movement_type=MovementType.SALES_SHIPMENT)
    sent = daily_digest_send(today=datetime.date(2026, 11, 30))
    again = daily_digest_send(today=datetime.date(2026, 11, 30))

    assert [m.to for m in mail.outbox] == [["bo@example.com"]] * 3  # below safety, reorder, then the digest
    assert (sent, again) == (1, 0)
    assert Decimal(Notification.objects.filter(emailed_at__isnull=False).count()) == 2
