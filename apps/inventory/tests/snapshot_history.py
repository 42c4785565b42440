"""A small ledger across three months, and a way to append a row behind the posting service's back."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from apps.inventory.models import MovementType, StockMovement, StockPosting
from apps.inventory.services import stock_ledger_bulk_append
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

# May, June and July are due
AUGUST_15 = timezone.make_aware(datetime.datetime.combine(datetime.date(2026, 8, 15), datetime.time(12)))


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def three_months():
    """W1: A +100 @ 10 on 10 May (100 / ¥1,000); +50 @ 13 on 5 June (150 / ¥1,650, avg 11); −30 on
    25 June (120 / ¥1,320); −20 on 3 July (100 / ¥1,100). B +10 @ 40 on 20 June, −10 on 28 June (0)."""
    w1 = WarehouseFactory(code="W1", name="North")
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    post_stock(a, w1, 100, unit_cost="10", posted_at=at(datetime.date(2026, 5, 10)))
    post_stock(a, w1, 50, unit_cost="13", posted_at=at(datetime.date(2026, 6, 5)))
    post_stock(b, w1, 10, unit_cost="40", posted_at=at(datetime.date(2026, 6, 20)))
    post_stock(a, w1, -30, posted_at=at(datetime.date(2026, 6, 25)))
    post_stock(b, w1, -10, posted_at=at(datetime.date(2026, 6, 28)))
    post_stock(a, w1, -20, posted_at=at(datetime.date(2026, 7, 3)))
    return {"w1": w1, "a": a, "b": b}


def append_behind_the_ledger(product, warehouse, quantity, value, moment, user) -> None:
    """A receipt loaded with the bulk loader (no checks, no lock), as a benchmark or a bad import would."""
    posting_id = (StockPosting.objects.aggregate(top=Max("id"))["top"] or 0) + 1000
    movement_id = (StockMovement.objects.aggregate(top=Max("id"))["top"] or 0) + 1000
    posted_at = connection.ops.adapt_datetimefield_value(moment)
    quantity, value = Decimal(quantity), Decimal(value)
    stock_ledger_bulk_append(
        rows={
            StockPosting._meta.db_table: [(posting_id, "test", "BULK", None, posted_at, user.pk, None, "")],
            StockMovement._meta.db_table: [
                (
                    movement_id, posting_id, 1, product.pk, warehouse.pk, MovementType.OTHER_RECEIPT,
                    quantity, value / quantity, value, quantity, value, posted_at, None,
                )
            ],
        }
    )  # fmt: skip
