"""The whole demo company: a year of history that verifies, written in the language it is seeded in."""

import io
import re

import pytest
from django.core.management import call_command

from apps.core.models import SystemSettings
from apps.inventory.models import StockAdjustment, StockBalance, StockCount
from apps.masterdata.models import Product
from apps.procurement.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    SupplierPayment,
    SupplierPrice,
)
from apps.sales.models import SalesOrder

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_full_demo_posts_a_history_in_chinese_that_the_ledger_verifies():
    run()

    assert StockBalance.objects.filter(on_hand__gt=0).count() > 100
    assert PurchaseOrder.objects.count() > 10
    assert SalesOrder.objects.count() > 10
    verify = io.StringIO()
    call_command("verify_ledger", stdout=verify)
    assert "Stock ledger OK" in verify.getvalue()

    texts = [
        SystemSettings.load().company_name,
        *Product.objects.values_list("name", flat=True),
        *StockAdjustment.objects.exclude(reason="").values_list("reason", flat=True),
        *StockCount.objects.exclude(remarks="").values_list("remarks", flat=True),
        *GoodsReceipt.objects.exclude(reason="").values_list("reason", flat=True),
        *GoodsReceiptLine.objects.exclude(rejection_reason="").values_list("rejection_reason", flat=True),
        *PurchaseReturn.objects.exclude(reason="").values_list("reason", flat=True),
        *SupplierPayment.objects.values_list("account", flat=True),
    ]
    assert len(texts) > 200
    assert [text for text in texts if not CHINESE.search(text)] == []
    specifications = Product.objects.exclude(specification="").values_list("specification", flat=True)
    assert not [spec for spec in specifications if "MOQ" in spec or re.search(r" / [A-Za-z]", spec)]


def test_supplier_price_list_carries_pack_sizes_and_minimum_orders_that_the_demo_orders_respect():
    run()

    prices = SupplierPrice.objects.all()
    assert prices.exists()
    assert not prices.filter(pack_size=0).exists()
    assert not prices.filter(min_order_qty=0).exists()
    assert prices.filter(pack_size__gt=1).exists()
    terms = {(row.supplier_id, row.product_id): row for row in prices}
    ordered = PurchaseOrderLine.objects.select_related("order")
    checked = 0
    for line in ordered:
        row = terms.get((line.order.supplier_id, line.product_id))
        if row is None or line.order.created_at < row.created_at:
            continue  # ordered before the supplier had a price list (the history's orders)
        checked += 1
        assert line.base_quantity >= row.min_order_qty
        assert line.base_quantity % row.pack_size == 0
    assert checked > 5


def test_the_demo_can_be_seeded_in_english():
    run("--scale", "15", "--language", "en")

    names = list(Product.objects.values_list("name", flat=True))
    assert len(names) == 15
    assert [name for name in names if CHINESE.search(name)] == []
    specifications = Product.objects.values_list("specification", flat=True)
    assert [spec for spec in specifications if CHINESE.search(spec)] == []
    assert SystemSettings.load().company_name == "JXC Demo Co."
