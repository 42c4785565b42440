"""Bulk loading of pre-computed ledger rows (benchmark and demo data only)."""

import csv
import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.inventory.models import (
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockMovement,
    StockPosting,
    StockSnapshotMonth,
)
from apps.inventory.services.snapshots import stock_snapshots_drop_from

BULK_COLUMNS: dict[str, tuple[str, ...]] = {
    StockPosting._meta.db_table: (
        "id", "document_type", "document_number", "idempotency_key", "posted_at", "posted_by_id", "reverses_id", "memo",
    ),
    StockMovement._meta.db_table: (
        "id", "posting_id", "line_no", "product_id", "warehouse_id", "movement_type", "quantity", "unit_cost", "value",
        "quantity_after", "value_after", "posted_at", "reverses_id",
    ),
    StockAdjustment._meta.db_table: (
        "id", "number", "kind", "warehouse_id", "date", "reason", "remarks", "status", "created_by_id", "created_at",
        "posted_by_id", "posted_at", "posting_id", "reversal_posting_id",
    ),
    StockAdjustmentLine._meta.db_table: (
        "id", "document_id", "line_no", "product_id", "quantity", "unit_cost", "remarks", "movement_id",
    ),
}  # fmt: skip
BULK_ORDER = tuple(BULK_COLUMNS)  # parents before children


def stock_ledger_bulk_append(*, rows: dict[str, Sequence[Sequence[Any]]]) -> None:
    """Append pre-computed ledger rows (postings, movements, adjustment documents and lines) fast.

    For generated benchmark and demo data only: it trusts its input (ids, running balances,
    values) instead of checking it, and leaves the balances alone; call
    ``stock_balances_sync()`` once after the last batch, then ``verify_ledger``. ``rows`` maps
    a table of ``BULK_COLUMNS`` to tuples in that column order, values as text or numbers
    (``None`` is NULL). PostgreSQL loads with COPY, SQLite with executemany. Monthly snapshots
    of the months the movements fall into are dropped, to be built again.
    """
    with connection.cursor() as cursor:
        for table in BULK_ORDER:
            data = rows.get(table)
            if not data:
                continue
            columns = BULK_COLUMNS[table]
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerows(["\\N" if value is None else value for value in row] for row in data)
                buffer.seek(0)
                cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
                )
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", data)  # noqa: S608
    movements = rows.get(StockMovement._meta.db_table)
    if movements and StockSnapshotMonth.objects.exists():
        at = BULK_COLUMNS[StockMovement._meta.db_table].index("posted_at")
        earliest = min(_as_datetime(row[at]) for row in movements)
        stock_snapshots_drop_from(earliest)


def _as_datetime(value: Any) -> datetime.datetime:
    """A bulk row's time: a datetime, or its text as the database adapter wrote it."""
    if isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def stock_ledger_bulk_prepare() -> bool:
    """Inside the loading transaction: skip PostgreSQL's per-row foreign-key triggers if allowed.

    Django's foreign keys are deferred: a million COPYed rows queue millions of trigger events
    that run one by one at COMMIT. As a superuser, ``session_replication_role = replica`` (for
    this transaction only) skips them; ``stock_ledger_bulk_check()`` then checks every
    reference with one anti-join per foreign key. Returns whether the triggers are off.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not a superuser: the triggers stay, loading is just slower
        return False
    return True


def stock_ledger_bulk_check() -> None:
    """Check every foreign key of the bulk-loaded tables in SQL; raise ``ValueError`` naming broken ones."""
    broken = []
    with connection.cursor() as cursor:
        for model in (StockPosting, StockMovement, StockAdjustment, StockAdjustmentLine):
            for model_field in model._meta.concrete_fields:
                if not model_field.is_relation:
                    continue
                table, column = model._meta.db_table, model_field.column
                target = model_field.related_model._meta
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {target.db_table} t WHERE t.{target.pk.column} = c.{column})"
                )
                (count,) = cursor.fetchone()
                if count:
                    broken.append(f"{table}.{column}: {count} row(s) point at nothing")
    if broken:
        raise ValueError("broken references after bulk load: " + "; ".join(broken))


def stock_ledger_bulk_reset_sequences() -> None:
    """After rows were appended with explicit ids: move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in BULK_ORDER:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "  # noqa: S608
                f"FROM {table}"
            )


def stock_balances_sync() -> int:
    """Set every balance to the sums of its movements in two set-based statements; return rows changed.

    The bulk companion of ``stock_balances_rebuild`` (no per-row audit, no report): for freshly
    loaded benchmark or demo data. Creates the missing balances; keeps ``reserved``.
    """
    balance_table = StockBalance._meta.db_table
    movement_table = StockMovement._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {balance_table} (product_id, warehouse_id, on_hand, reserved, value, avg_cost, updated_at) "  # noqa: S608
            f"SELECT DISTINCT m.product_id, m.warehouse_id, 0, 0, 0, 0, %s FROM {movement_table} m "
            f"WHERE NOT EXISTS (SELECT 1 FROM {balance_table} b "
            "WHERE b.product_id = m.product_id AND b.warehouse_id = m.warehouse_id)",
            [now],
        )
        cursor.execute(
            f"UPDATE {balance_table} SET on_hand = s.quantity, value = s.value, updated_at = %s, "  # noqa: S608
            "avg_cost = CASE WHEN s.quantity > 0 THEN ROUND(s.value / s.quantity, 6) "
            f"ELSE {balance_table}.avg_cost END "
            "FROM (SELECT product_id, warehouse_id, ROUND(SUM(quantity), 4) AS quantity, ROUND(SUM(value), 2) AS value "
            f"FROM {movement_table} GROUP BY product_id, warehouse_id) s "
            f"WHERE s.product_id = {balance_table}.product_id AND s.warehouse_id = {balance_table}.warehouse_id "
            f"AND ({balance_table}.on_hand <> s.quantity OR {balance_table}.value <> s.value)",
            [now],
        )
        return cursor.rowcount
