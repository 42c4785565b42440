"""Balance repair: rebuild balances from the sums of their movements."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.core.amounts import cost
from apps.core.fields import MONEY_QUANT, QUANTITY_QUANT
from apps.core.models import AuditAction
from apps.core.services import audit_record
from apps.inventory.models import (
    StockBalance,
    StockMovement,
)


@dataclass(frozen=True)
class RepairedBalance:
    product_id: int
    warehouse_id: int
    on_hand: tuple[Decimal, Decimal]  # (before, after)
    value: tuple[Decimal, Decimal]


@transaction.atomic
def stock_balances_rebuild(*, actor: Any = None) -> list[RepairedBalance]:
    """Rebuild every balance's on-hand, value and average cost from the sums of its movements.

    Locks every balance row in (product, warehouse) order first, so no posting runs meanwhile;
    creates the balances that movements need and lack. ``reserved`` is kept: reservations are
    not in the ledger. Aggregates in SQL (one GROUP BY) and writes only the rows that differ;
    each repaired row gets an audit entry. Returns the repaired rows.
    """
    balance_table = StockBalance._meta.db_table
    movement_table = StockMovement._meta.db_table
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            cursor.execute(
                f"SELECT id FROM {balance_table} ORDER BY product_id, warehouse_id FOR UPDATE"  # noqa: S608
            )
        now = timezone.now()
        # Balances that movements need but that are missing (only a corrupted database lacks them).
        cursor.execute(
            f"INSERT INTO {balance_table} (product_id, warehouse_id, on_hand, reserved, value, avg_cost, updated_at) "  # noqa: S608
            f"SELECT DISTINCT m.product_id, m.warehouse_id, 0, 0, 0, 0, %s FROM {movement_table} m "
            f"WHERE NOT EXISTS (SELECT 1 FROM {balance_table} b "
            "WHERE b.product_id = m.product_id AND b.warehouse_id = m.warehouse_id)",
            [now],
        )
        sums = (
            f"SELECT b.id, b.product_id, b.warehouse_id, b.on_hand, b.value, "  # noqa: S608
            "COALESCE(s.quantity, 0) AS quantity, COALESCE(s.value, 0) AS total "
            # ROUND: SQLite sums decimals as floats; on PostgreSQL it changes nothing.
            f"FROM {balance_table} b LEFT JOIN (SELECT product_id, warehouse_id, ROUND(SUM(quantity), 4) AS quantity, "
            f"ROUND(SUM(value), 2) AS value FROM {movement_table} GROUP BY product_id, warehouse_id) s "
            "ON s.product_id = b.product_id AND s.warehouse_id = b.warehouse_id "
            "WHERE b.on_hand <> COALESCE(s.quantity, 0) OR b.value <> COALESCE(s.value, 0) "
            "ORDER BY b.product_id, b.warehouse_id"
        )
        cursor.execute(sums)
        wrong = cursor.fetchall()
    if not wrong:
        return []
    balances = StockBalance.objects.in_bulk([row[0] for row in wrong])
    repaired = []
    for balance_id, product_id, warehouse_id, on_hand, value, quantity, total in wrong:
        quantity = Decimal(str(quantity)).quantize(QUANTITY_QUANT)
        total = Decimal(str(total)).quantize(MONEY_QUANT)
        balance = balances[balance_id]
        balance.on_hand, balance.value, balance.updated_at = quantity, total, now
        if quantity > 0:
            balance.avg_cost = cost(total / quantity)
        row = RepairedBalance(product_id, warehouse_id, (Decimal(str(on_hand)), quantity), (Decimal(str(value)), total))
        repaired.append(row)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGED,
            instance=balance,
            changes={
                "on_hand": [str(row.on_hand[0]), str(row.on_hand[1])],
                "value": [str(row.value[0]), str(row.value[1])],
                "repair": "rebuilt from movements",
            },
        )
    StockBalance.objects.bulk_update(list(balances.values()), ["on_hand", "value", "avg_cost", "updated_at"])
    return repaired
