from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.accounts.tests.factories import UserFactory
from apps.demo.seeders import inventory
from apps.inventory.models import AdjustmentStatus, StockAdjustment, StockBalance, StockMovement, StockPosting
from apps.inventory.selectors import ledger_verify
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_posts_opening_stock_once_per_warehouse():
    user = UserFactory(role="admin")
    products = ProductFactory.create_batch(3)
    warehouses = WarehouseFactory.create_batch(2)

    inventory.seed(actor=user, products=products, warehouses=warehouses)
    inventory.seed(actor=user, products=products, warehouses=warehouses)

    assert StockAdjustment.objects.filter(status=AdjustmentStatus.POSTED).count() == 2
    assert StockBalance.objects.filter(on_hand__gt=0).count() == 6
    assert ledger_verify().ok


def test_scale_seed_writes_a_consistent_ledger_with_source_documents():
    user = UserFactory(role="admin")
    products = ProductFactory.create_batch(30)
    warehouses = WarehouseFactory.create_batch(3)

    counts = inventory.seed_scale(
        movements=1500, actor=user, product_ids=[p.pk for p in products], warehouse_ids=[w.pk for w in warehouses]
    )

    assert counts["movements"] == StockMovement.objects.count() == 1500
    assert counts["postings"] == StockPosting.objects.count() == StockAdjustment.objects.count()
    assert StockBalance.objects.count() == 90
    assert StockBalance.objects.filter(on_hand__lt=0).count() == 0
    assert (
        StockBalance.objects.aggregate(total=Sum("on_hand"))["total"]
        == StockMovement.objects.aggregate(total=Sum("quantity"))["total"]
    )
    report = ledger_verify()
    assert report.ok, [check.samples for check in report.checks if not check.ok]
    call_command("verify_ledger")


def test_scale_seed_continues_an_existing_ledger():
    user = UserFactory(role="admin")
    products = ProductFactory.create_batch(5)
    warehouses = WarehouseFactory.create_batch(2)
    kwargs = {"actor": user, "product_ids": [p.pk for p in products], "warehouse_ids": [w.pk for w in warehouses]}
    inventory.seed_scale(movements=200, **kwargs)

    inventory.seed_scale(movements=200, seed=7, **kwargs)

    assert StockMovement.objects.count() == 400
    assert ledger_verify().ok
    assert StockBalance.objects.aggregate(total=Sum("value"))["total"] == StockMovement.objects.aggregate(
        total=Sum("value")
    )["total"].quantize(Decimal("0.01"))


@pytest.mark.postgres
def test_bulk_loading_without_fk_triggers_still_catches_broken_references():
    from django.db import transaction

    from apps.inventory.services import stock_ledger_bulk_append, stock_ledger_bulk_check, stock_ledger_bulk_prepare

    product, warehouse = ProductFactory(), WarehouseFactory()
    broken = (
        10**9,
        10**9,
        1,
        product.pk,
        warehouse.pk,
        "opening",
        1,
        "1",
        "1",
        1,
        "1",
        "2026-01-01T00:00:00+00:00",
        None,
    )

    def load_a_movement_of_no_posting():
        with transaction.atomic():
            assert stock_ledger_bulk_prepare() is True  # the test role is a superuser
            stock_ledger_bulk_append(rows={StockMovement._meta.db_table: [broken]})
            stock_ledger_bulk_check()

    with pytest.raises(ValueError, match=r"inventory_stockmovement\.posting_id: 1 row\(s\) point at nothing"):
        load_a_movement_of_no_posting()
    assert not StockMovement.objects.exists()


def test_seed_operations_puts_products_in_each_level_alert_and_leaves_a_count_and_a_transfer_open(make_user):
    from apps.demo.seeders.inventory import seed_operations
    from apps.inventory.models import StockCount, StockTransfer
    from apps.inventory.selectors_levels import AlertKind, stock_alert_totals
    from apps.inventory.tests.factories import post_stock
    from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

    admin = make_user("admin")
    main, _second = WarehouseFactory(code="W1"), WarehouseFactory(code="W2")
    for product in ProductFactory.create_batch(15):
        post_stock(product, main, 50, unit_cost="4")

    result = seed_operations(actor=admin)
    again = seed_operations(actor=admin)

    totals = stock_alert_totals(user=admin)
    assert (totals[AlertKind.BELOW_SAFETY], totals[AlertKind.EXCESS]) == (1, 1)
    assert totals[AlertKind.REORDER] == 2  # the product below safety stock is also at its reorder point
    assert StockCount.objects.get().status == "counting"
    assert StockTransfer.objects.get().status == "partially_received"
    assert result["count_lines"] == 6
    assert again == {"skipped": 1}
