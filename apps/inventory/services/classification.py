"""ABC / XYZ classification of product × warehouse pairs (库存分类), computed from the ledger.

- Consumption is what left to customers or was issued (sales deliveries and miscellaneous
  issues, net of sales returns) in whole calendar months: the last ``classification_months``
  months before the current one.
- ABC by consumption value within each warehouse: sorted by value, a pair is A while the value of
  the pairs before it is below ``abc_a_percent`` of the warehouse's total, B below
  ``abc_b_percent``, else C. Pairs in stock with no consumption are C.
- XYZ by the coefficient of variation (population σ / mean) of monthly demand, months without
  demand counted as 0: X up to ``xyz_x_max_cv``, Y up to ``xyz_y_max_cv``, else Z (no demand: Z).

The monthly and per-pair sums and the running share run in one SQL statement (window function);
Python only maps each pair's sums to its classes. ``classification_recompute`` replaces the
stored rows of the warehouses it covers; the nightly job calls it without an actor.
"""

import datetime
import math
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.fields import MONEY_QUANT, QUANTITY_QUANT
from apps.inventory.models import (
    AbcClass,
    InventoryPolicy,
    MovementType,
    StockBalance,
    StockClassification,
    StockMovement,
    XyzClass,
)
from apps.inventory.selectors import local_day_start
from apps.masterdata.models import Warehouse
from apps.masterdata.selectors import warehouse_scope_ids

CONSUMPTION_TYPES = (MovementType.SALES_SHIPMENT, MovementType.OTHER_ISSUE, MovementType.SALES_RETURN)


def classification_period(*, today: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    """The ``months`` whole calendar months before the month of ``today``: (first day, last day)."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    year, month = end.year, end.month - months + 1
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1), end


def _consumption_rows(warehouse_ids: list[int], start: datetime.date, end: datetime.date) -> list[tuple]:
    """(product, warehouse, quantity, value, sum of squared monthly quantities, value before, total value)."""
    monthly = (
        StockMovement.objects.filter(
            movement_type__in=CONSUMPTION_TYPES,
            warehouse_id__in=warehouse_ids,
            posted_at__gte=local_day_start(start),
            posted_at__lt=local_day_start(end + datetime.timedelta(days=1)),
        )
        .annotate(month=TruncMonth("posted_at"))
        .order_by()
        .values("product_id", "warehouse_id", "month")
        .annotate(q=Sum(-F("quantity")), v=Sum(-F("value")))
    )
    monthly_sql, params = monthly.query.sql_with_params()
    sql = (
        f"WITH monthly AS ({monthly_sql}), "  # noqa: S608  (the inner SQL is Django's, the values parameters)
        "pairs AS (SELECT product_id, warehouse_id, SUM(q) AS q, SUM(v) AS v, SUM(q * q) AS qq "
        "FROM monthly GROUP BY product_id, warehouse_id) "
        "SELECT product_id, warehouse_id, q, v, qq, "
        "SUM(v) OVER (PARTITION BY warehouse_id ORDER BY v DESC, product_id "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_value, "
        "SUM(v) OVER (PARTITION BY warehouse_id) AS total_value FROM pairs"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _abc(before: Decimal, total: Decimal, value: Decimal, policy: InventoryPolicy) -> str:
    if value <= 0 or total <= 0:
        return AbcClass.C
    share = before / total * 100
    if share < policy.abc_a_percent:
        return AbcClass.A
    if share < policy.abc_b_percent:
        return AbcClass.B
    return AbcClass.C


def _variation(quantity: Decimal, squares: Decimal, months: int) -> Decimal | None:
    if quantity <= 0:
        return None
    mean = float(quantity) / months
    variance = max(float(squares) / months - mean * mean, 0.0)
    return Decimal(str(round(math.sqrt(variance) / mean, 4)))


def _xyz(variation: Decimal | None, policy: InventoryPolicy) -> str:
    if variation is None:
        return XyzClass.Z
    if variation <= policy.xyz_x_max_cv:
        return XyzClass.X
    if variation <= policy.xyz_y_max_cv:
        return XyzClass.Y
    return XyzClass.Z


@atomic_with_retry
def classification_recompute(
    *, actor: Any = None, warehouse_ids: list[int] | None = None, today: datetime.date | None = None
) -> int:
    """Recompute and store the ABC/XYZ class of every consumed or stocked pair; return how many were stored.

    ``actor`` None is the nightly job (every warehouse); a person needs
    ``inventory.change_stockclassification`` and is limited to their warehouses. Replaces the
    rows of the covered warehouses in one delete and one bulk insert.
    """
    if actor is not None:
        if not actor.has_perm("inventory.change_stockclassification"):
            raise PermissionDenied(_("You may not recompute the classification."))
        scope = warehouse_scope_ids(actor)
        if scope is not None:
            warehouse_ids = [pk for pk in (warehouse_ids or scope) if pk in scope]
    if warehouse_ids is None:
        warehouse_ids = list(Warehouse.objects.values_list("pk", flat=True))
    policy = InventoryPolicy.load()
    start, end = classification_period(today=today or timezone.localdate(), months=policy.classification_months)
    now = timezone.now()
    rows: dict[tuple[int, int], StockClassification] = {}
    for product_id, warehouse_id, quantity, value, squares, before, total in _consumption_rows(
        warehouse_ids, start, end
    ):
        quantity, value = Decimal(str(quantity or 0)), Decimal(str(value or 0))
        variation = _variation(quantity, Decimal(str(squares or 0)), policy.classification_months)
        rows[(product_id, warehouse_id)] = StockClassification(
            product_id=product_id,
            warehouse_id=warehouse_id,
            abc=_abc(Decimal(str(before or 0)), Decimal(str(total or 0)), value, policy),
            xyz=_xyz(variation, policy),
            consumption_quantity=quantity.quantize(QUANTITY_QUANT),
            consumption_value=value.quantize(MONEY_QUANT),
            variation=variation,
            period_start=start,
            period_end=end,
            computed_at=now,
        )
    stocked = StockBalance.objects.filter(warehouse_id__in=warehouse_ids).exclude(on_hand=0)
    for product_id, warehouse_id in stocked.values_list("product_id", "warehouse_id"):
        rows.setdefault(
            (product_id, warehouse_id),
            StockClassification(
                product_id=product_id,
                warehouse_id=warehouse_id,
                abc=AbcClass.C,
                xyz=XyzClass.Z,
                period_start=start,
                period_end=end,
                computed_at=now,
            ),
        )
    StockClassification.objects.filter(warehouse_id__in=warehouse_ids).delete()
    StockClassification.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)
