import datetime

import pytest
from django.db.models import Sum

from apps.demo.seeders import masterdata, sales
from apps.inventory.models import StockBalance
from apps.masterdata.models import Customer
from apps.sales.models import (
    CustomerReceipt,
    DocumentStatus,
    Receivable,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesReturn,
    Shipment,
)
from apps.sales.selectors import with_rfm

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)


def test_the_sales_history_has_every_state_real_margins_and_overdue_debts():
    masterdata.seed(scale=60)

    counts = sales.seed(today=TODAY)

    assert counts["orders"] > 100
    statuses = set(SalesOrder.objects.values_list("status", flat=True))
    assert statuses >= {
        SalesOrderStatus.DRAFT,
        SalesOrderStatus.PENDING,
        SalesOrderStatus.CONFIRMED,
        SalesOrderStatus.COMPLETED,
    }
    assert Shipment.objects.filter(status=DocumentStatus.POSTED).count() == counts["shipments"]
    assert Shipment.objects.aggregate(margin=Sum("margin_amount"))["margin"] > 0
    assert SalesReturn.objects.filter(status=DocumentStatus.POSTED).count() == counts["returns"] > 0
    assert CustomerReceipt.objects.count() == counts["receipts"] > 0
    assert Receivable.objects.filter(outstanding__gt=0, due_date__lt=TODAY).exists()
    first_day = Shipment.objects.order_by("ship_date").values_list("ship_date", flat=True).first()
    assert (TODAY - first_day).days > 150
    reserved = SalesOrderLine.objects.aggregate(total=Sum("reserved_quantity"))["total"]
    assert StockBalance.objects.aggregate(total=Sum("reserved"))["total"] == reserved
    segments = set(with_rfm(Customer.objects.all(), today=TODAY).values_list("segment", flat=True))
    assert len(segments) >= 4


def test_the_sales_seeder_runs_once():
    masterdata.seed(scale=30)
    sales.seed(today=TODAY)
    orders = SalesOrder.objects.count()

    assert sales.seed(today=TODAY)["orders"] == 0
    assert SalesOrder.objects.count() == orders


def test_the_sales_history_follows_the_other_seeders():
    from django.contrib.auth import get_user_model

    from apps.demo.seeders import inventory, procurement

    masterdata.seed(scale=40)
    inventory.seed(actor=get_user_model().objects.get(username="manager"))
    procurement.seed(today=TODAY)

    counts = sales.seed(today=TODAY)

    assert counts["shipments"] > 100
    reserved = SalesOrderLine.objects.aggregate(total=Sum("reserved_quantity"))["total"]
    assert StockBalance.objects.aggregate(total=Sum("reserved"))["total"] == reserved
