"""The demo has dead stock: something on hand that has not moved for more than half a year."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Max
from django.utils import timezone

from apps.analytics.ageing_selectors import DeadStockCriteria, dead_stock
from apps.demo.seeders.history import history_start
from apps.inventory.models import InventoryPolicy, StockBalance, StockMovement
from apps.inventory.selectors_levels import AlertKind, stock_alerts

pytestmark = pytest.mark.django_db


def test_seeded_demo_has_stock_without_movement_for_more_than_180_days():
    call_command("seed_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    cutoff = timezone.now() - datetime.timedelta(days=180)

    moved = set(StockMovement.objects.filter(posted_at__gte=cutoff).values_list("product_id", "warehouse_id"))
    quiet = set(StockBalance.objects.filter(on_hand__gt=0).values_list("product_id", "warehouse_id")) - moved
    InventoryPolicy.objects.filter(pk=InventoryPolicy.load().pk).update(no_movement_days=180)
    alerts = stock_alerts(user=admin, kind=AlertKind.NO_MOVEMENT)
    report = dead_stock(DeadStockCriteria(days=180), user=admin)

    assert quiet
    assert {(row.product_id, row.warehouse_id) for row in alerts} == quiet
    assert report.count >= len(quiet) > 0
    opening_only = {
        (row["product_id"], row["warehouse_id"]): timezone.localtime(row["last"]).date()
        for row in StockMovement.objects.values("product_id", "warehouse_id").annotate(
            n=Count("id"), last=Max("posted_at")
        )
        if row["n"] == 1
    }
    assert {opening_only[pair] for pair in quiet if pair in opening_only} == {history_start(timezone.localdate())}
