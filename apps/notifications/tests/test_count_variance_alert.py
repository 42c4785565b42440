"""Count variance above the alert threshold → the managers, when the count is submitted and when it is posted."""

from decimal import Decimal

import pytest

from apps.inventory.models import InventoryPolicy
from apps.inventory.services.counts import (
    CountEntryInput,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_count_recount,
    stock_count_submit,
)
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.notifications.messages import describe
from apps.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(make_user):
    """A 100 @ 10 and B 50 @ 4 in Main; counted A 97 (shortage 3 × 10 = 30) and B 55 (surplus 5 × 4 = 20):
    variance 50. Alert threshold 40, approval threshold high enough for the clerk to post."""
    InventoryPolicy.objects.update_or_create(
        pk=1, defaults={"count_variance_alert_threshold": Decimal(40), "count_approval_threshold": Decimal(1000)}
    )
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    post_stock(a, warehouse, 100, unit_cost="10")
    post_stock(b, warehouse, 50, unit_cost="4")
    clerk = make_user("warehouse")
    managers = [make_user("manager"), make_user("manager")]
    make_user("buyer")
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    stock_count_record(
        actor=clerk,
        count=count,
        entries=[
            CountEntryInput(product_id=a.pk, quantity=Decimal(97)),
            CountEntryInput(product_id=b.pk, quantity=Decimal(55)),
        ],
    )
    return {"count": count, "clerk": clerk, "managers": managers, "a": a}


def _alerts():
    return sorted(
        (n.recipient.username, n.key)
        for n in Notification.objects.filter(kind=NotificationKind.COUNT_VARIANCE, closed_at__isnull=True)
    )


def test_a_submitted_count_above_the_threshold_tells_every_manager_after_commit(
    counted, django_capture_on_commit_callbacks
):
    count = counted["count"]
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_submit(actor=counted["clerk"], count=count)

    key = f"count_variance:{count.pk}"
    assert _alerts() == sorted((manager.username, key) for manager in counted["managers"])
    alert = Notification.objects.filter(kind=NotificationKind.COUNT_VARIANCE).first()
    assert describe(alert) == (
        f"Stock count {count.number} in Main: variance ¥50.00 (surplus ¥20.00, shortage ¥30.00), "
        "above the alert threshold of ¥40.00"
    )
    assert alert.url == count.get_absolute_url()


def test_posting_the_same_count_does_not_repeat_the_alert(counted, django_capture_on_commit_callbacks):
    count = counted["count"]
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_submit(actor=counted["clerk"], count=count)
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_post(actor=counted["clerk"], count=count)

    assert Notification.objects.filter(kind=NotificationKind.COUNT_VARIANCE).count() == 2  # one per manager


def test_a_variance_at_the_threshold_tells_nobody(counted, django_capture_on_commit_callbacks):
    InventoryPolicy.objects.filter(pk=1).update(count_variance_alert_threshold=Decimal(50))
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_submit(actor=counted["clerk"], count=counted["count"])
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_post(actor=counted["clerk"], count=counted["count"])

    assert _alerts() == []


def test_a_recount_that_brings_the_variance_under_the_threshold_closes_the_alert(
    counted, django_capture_on_commit_callbacks
):
    count, clerk = counted["count"], counted["clerk"]
    with django_capture_on_commit_callbacks(execute=True):
        stock_count_submit(actor=clerk, count=count)
    stock_count_recount(actor=clerk, count=count)
    stock_count_record(
        actor=clerk, count=count, entries=[CountEntryInput(product_id=counted["a"].pk, quantity=Decimal(100))]
    )
    stock_count_record(actor=clerk, count=count, entries=[])

    with django_capture_on_commit_callbacks(execute=True):
        stock_count_submit(actor=clerk, count=count)  # B: surplus 20 only, under 40

    assert _alerts() == []
    assert Notification.objects.filter(kind=NotificationKind.COUNT_VARIANCE, closed_at__isnull=False).count() == 2


def test_a_rolled_back_submit_tells_nobody(counted):
    stock_count_submit(actor=counted["clerk"], count=counted["count"])  # the test's transaction never commits

    assert Notification.objects.filter(kind=NotificationKind.COUNT_VARIANCE).count() == 0
