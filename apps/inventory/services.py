"""The posting service: the only writer of stock movements and balances.

Every write follows one pattern, whatever the document:

1. lock the balance rows of the affected product × warehouse pairs with ``SELECT … FOR UPDATE``,
   always in (product, warehouse) order so two postings never wait on each other in a cycle;
2. check every line before writing anything, and refuse the whole document naming every short line;
3. insert the movements in one statement and update the balances in one statement.

So a document of N lines costs a constant number of queries. On SQLite ``FOR UPDATE`` is a no-op
and the IMMEDIATE transaction (see settings) serialises writers instead.
"""

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.fields import COST_QUANT, MONEY_QUANT, QUANTITY_QUANT, ZERO
from apps.core.models import AuditAction, SystemSettings
from apps.core.services import audit_record, document_number_next, model_changes
from apps.inventory.models import (
    ADJUSTMENT_KINDS,
    ADJUSTMENT_TRANSITIONS,
    INBOUND_TYPES,
    OUTBOUND_TYPES,
    AdjustmentKind,
    AdjustmentStatus,
    MovementType,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockMovement,
    StockPosting,
)
from apps.masterdata.models import Product, Warehouse

BalanceKey = tuple[int, int]  # (product_id, warehouse_id)
ADJUSTMENT_DOCUMENT_TYPE = "inventory.stockadjustment"


@dataclass(frozen=True)
class StockLine:
    """One line of a posting. ``quantity`` is signed, in the product's base unit.

    ``unit_cost``: inbound lines at a known cost (receipts, returns at the cost they left with,
    transfers at the cost they left the other warehouse with) give it; outbound lines usually
    leave it ``None`` and take the moving average cost. ``release_reserved`` is the part of
    the reservation this outbound line consumes. ``line_no`` is the row users see in messages.
    """

    product_id: int
    warehouse_id: int
    quantity: Decimal
    movement_type: str
    unit_cost: Decimal | None = None
    release_reserved: Decimal = ZERO
    line_no: int | None = None
    value: Decimal | None = None
    reverses_id: int | None = None


@dataclass(frozen=True)
class Shortage:
    line_no: int
    product_id: int
    warehouse_id: int
    available: Decimal
    requested: Decimal


class InsufficientStock(ValidationError):
    """Some lines would take stock below zero (or into other orders' reservations)."""

    def __init__(self, shortages: list[Shortage], document_number: str = ""):
        self.shortages = shortages
        products = dict(Product.objects.filter(pk__in={s.product_id for s in shortages}).values_list("pk", "code"))
        warehouses = dict(
            Warehouse.objects.filter(pk__in={s.warehouse_id for s in shortages}).values_list("pk", "name")
        )
        messages = [
            _(
                "Row %(row)s: product %(code)s is short in %(warehouse)s: "
                "available %(available)s, requested %(requested)s"
            )
            % {
                "row": s.line_no,
                "code": products.get(s.product_id, s.product_id),
                "warehouse": warehouses.get(s.warehouse_id, s.warehouse_id),
                "available": _plain(s.available),
                "requested": _plain(s.requested),
            }
            for s in shortages
        ]
        if document_number:
            messages.insert(0, _("%(document)s cannot be posted: insufficient stock.") % {"document": document_number})
        super().__init__(messages, code="insufficient_stock")


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _validate_lines(lines: Sequence[StockLine]) -> None:
    if not lines:
        raise ValidationError(_("A posting needs at least one line."), code="empty")
    errors = []
    for index, line in enumerate(lines, start=1):
        row = line.line_no or index
        if line.quantity == 0:
            errors.append(_("Row %(row)s: the quantity cannot be zero.") % {"row": row})
        elif line.movement_type in INBOUND_TYPES and line.quantity < 0:
            errors.append(_("Row %(row)s: a receipt line needs a positive quantity.") % {"row": row})
        elif line.movement_type in OUTBOUND_TYPES and line.quantity > 0:
            errors.append(_("Row %(row)s: an issue line needs a negative quantity.") % {"row": row})
        if line.movement_type not in MovementType.values:
            errors.append(_("Row %(row)s: unknown movement type.") % {"row": row})
        if line.unit_cost is not None and line.unit_cost < 0:
            errors.append(_("Row %(row)s: the unit cost cannot be negative.") % {"row": row})
        if line.release_reserved < 0 or (line.release_reserved and line.quantity > 0):
            errors.append(_("Row %(row)s: only an issue can consume a reservation.") % {"row": row})
    if errors:
        raise ValidationError(errors, code="invalid_line")


def _chunks(items: Sequence[Any], params_per_item: int) -> list[Sequence[Any]]:
    """Split ``items`` so no statement exceeds the backend's parameter limit (SQLite: 999)."""
    limit = connection.features.max_query_params
    size = max(1, limit // params_per_item) if limit else len(items) or 1
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass
class _Locked:
    balances: dict[BalanceKey, StockBalance]
    existing_posting_id: int | None  # a posting already made under the idempotency key
    allow_negative: bool  # the system setting


def _lock_balances(keys: set[BalanceKey], idempotency_key: str | None = None) -> _Locked:
    """Lock (creating where missing) the balance rows of ``keys``, in key order."""
    locked = _select_balances_for_update(keys, idempotency_key)
    missing = keys - locked.balances.keys()
    if missing:
        StockBalance.objects.bulk_create(
            [StockBalance(product_id=p, warehouse_id=w) for p, w in sorted(missing)], ignore_conflicts=True
        )
        locked = _select_balances_for_update(keys, idempotency_key)
    return locked


def _select_balances_for_update(keys: set[BalanceKey], idempotency_key: str | None) -> _Locked:
    """``SELECT … FOR UPDATE`` of the balances of ``keys`` ordered by (product, warehouse).

    The same statement reads the posting already made under ``idempotency_key`` and the
    negative-stock setting, so a single-line posting costs as many round trips as the bare
    insert-and-update. Raw SQL with one row-value list: an ORM filter of N OR-ed pairs costs
    milliseconds per hundred lines to build. PostgreSQL locks the rows in the sorted order
    (LockRows sits above Sort).
    """
    table = StockBalance._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    locked = _Locked({}, None, SystemSettings._meta.get_field("allow_negative_stock").default)
    # PostgreSQL plans a plain row-value list faster; SQLite only takes row values from VALUES.
    row_values = "VALUES " if connection.vendor == "sqlite" else ""
    for pairs in _chunks(sorted(keys), 2):
        rows = StockBalance.objects.raw(
            "SELECT id, product_id, warehouse_id, on_hand, reserved, value, avg_cost, "  # noqa: S608
            f"(SELECT p.id FROM {StockPosting._meta.db_table} p WHERE p.idempotency_key = %s) AS existing_posting_id, "
            f"(SELECT s.allow_negative_stock FROM {SystemSettings._meta.db_table} s WHERE s.id = 1) AS allow_negative "
            f"FROM {table} WHERE (product_id, warehouse_id) IN ({row_values}{', '.join(['(%s, %s)'] * len(pairs))}) "
            f"ORDER BY product_id, warehouse_id{lock}",
            [idempotency_key, *(number for pair in pairs for number in pair)],
        )
        for row in rows:
            locked.balances[(row.product_id, row.warehouse_id)] = row
            locked.existing_posting_id = row.existing_posting_id
            if row.allow_negative is not None:
                locked.allow_negative = bool(row.allow_negative)
    return locked


def _write_balances(balances: Sequence[StockBalance]) -> None:
    """Write on-hand, reserved, value and average cost of the locked ``balances`` in one UPDATE."""
    if not balances:
        return
    table = StockBalance._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for chunk in _chunks(balances, 6):
            params: list[Any] = []
            for balance in chunk:
                params += [balance.pk, balance.on_hand, balance.reserved, balance.value, balance.avg_cost, now]
            cursor.execute(
                f"WITH v (id, on_hand, reserved, value, avg_cost, updated_at) AS "  # noqa: S608
                f"(VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(chunk))}) "
                f"UPDATE {table} SET on_hand = v.on_hand, reserved = v.reserved, value = v.value, "
                f"avg_cost = v.avg_cost, updated_at = v.updated_at FROM v WHERE {table}.id = v.id",
                params,
            )


def _insert_movements(movements: list[StockMovement]) -> list[StockMovement]:
    """Insert ``movements`` in one ``INSERT … RETURNING id`` and mark them saved, in order."""
    table = StockMovement._meta.db_table
    columns = [
        "posting_id", "line_no", "product_id", "warehouse_id", "movement_type", "quantity", "unit_cost", "value",
        "quantity_after", "value_after", "posted_at", "reverses_id",
    ]  # fmt: skip
    posted_at = connection.ops.adapt_datetimefield_value(movements[0].posted_at)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(movements, len(columns)):
            params: list[Any] = []
            for movement in chunk:
                params += [
                    movement.posting_id, movement.line_no, movement.product_id, movement.warehouse_id,
                    movement.movement_type, movement.quantity, movement.unit_cost, movement.value,
                    movement.quantity_after, movement.value_after, posted_at, movement.reverses_id,
                ]  # fmt: skip
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholder] * len(chunk))} "  # noqa: S608
                "RETURNING id",
                params,
            )
            # Ids are handed out in insertion order; RETURNING's row order is not guaranteed.
            ids += sorted(row[0] for row in cursor.fetchall())
    for movement, pk in zip(movements, ids, strict=True):
        movement.pk = pk
        movement._state.adding, movement._state.db = False, connection.alias
    return movements


def _existing_posting(idempotency_key: str | None) -> StockPosting | None:
    """The posting already made under ``idempotency_key``, with its ``movement_list`` like a fresh one."""
    if not idempotency_key:
        return None
    # The common answer is "none": one cheap raw lookup on the unique index, the ORM only on a hit.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {StockPosting._meta.db_table} WHERE idempotency_key = %s",  # noqa: S608
            [idempotency_key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    posting = StockPosting.objects.get(pk=row[0])
    if posting is not None:
        # Movements are inserted in the order of the lines, so id order is line order.
        posting.movement_list = list(posting.movements.order_by("id"))
    return posting


@transaction.atomic
def stock_post(
    *,
    document_type: str,
    document_number: str,
    lines: Sequence[StockLine],
    actor: Any,
    idempotency_key: str | None = None,
    memo: str = "",
    reverses: StockPosting | None = None,
) -> StockPosting:
    """Post ``lines`` to the ledger as one unit and return the posting.

    Guarantees: every line is checked before anything is written; when stock would go below
    zero (unless the system setting allows it) or into stock reserved for others,
    ``InsufficientStock`` names every short line and nothing is written. Balance rows are
    locked in (product, warehouse) order. A posting with an ``idempotency_key`` that was
    already posted is returned as it is, not applied twice. The created movements are in
    ``posting.movement_list``, in the order of ``lines``.
    """
    _validate_lines(lines)
    locked = _lock_balances({(line.product_id, line.warehouse_id) for line in lines}, idempotency_key)
    if locked.existing_posting_id is not None:  # already posted: answer that posting, write nothing
        existing = _existing_posting(idempotency_key)
        transaction.set_rollback(True)
        return existing
    balances, allow_negative = locked.balances, locked.allow_negative
    posted_at = timezone.now()  # after the locks, so posting time follows lock order per balance

    movements: list[StockMovement] = []
    shortages: list[Shortage] = []
    for index, line in enumerate(lines, start=1):
        row = line.line_no or index
        balance = balances[(line.product_id, line.warehouse_id)]
        if line.release_reserved > balance.reserved:
            raise ValidationError(
                _("Row %(row)s: cannot release more than is reserved.") % {"row": row}, code="over_release"
            )
        available_to_line = balance.on_hand - balance.reserved + line.release_reserved
        if line.quantity < 0 and not allow_negative and -line.quantity > available_to_line:
            shortages.append(
                Shortage(row, line.product_id, line.warehouse_id, max(available_to_line, ZERO), -line.quantity)
            )
        movements.append(_apply(balance, line, row, posted_at))

    if shortages:
        raise InsufficientStock(shortages, document_number)

    posting = _create_posting(
        document_type=document_type,
        document_number=document_number,
        idempotency_key=idempotency_key,
        posted_by=actor,
        posted_at=posted_at,
        memo=memo,
        reverses=reverses,
    )
    if posting.pk is None:  # lost an idempotency race: the other request posted it
        # Read the winner before marking this block for rollback: no query may run after that.
        existing = _existing_posting(idempotency_key)
        transaction.set_rollback(True)
        return existing
    for movement in movements:
        movement.posting = posting
    posting.movement_list = _insert_movements(movements)
    _write_balances(list(balances.values()))
    return posting


def _apply(balance: StockBalance, line: StockLine, row: int, posted_at) -> StockMovement:
    """Move ``balance`` by ``line`` (moving weighted average) and return the unsaved movement."""
    quantity = line.quantity
    new_on_hand = balance.on_hand + quantity
    if line.value is not None:
        value = line.value
    elif quantity < 0 and new_on_hand == 0:
        value = -balance.value  # the last units take the remaining value: no residue at zero stock
    else:
        cost = line.unit_cost if line.unit_cost is not None else balance.avg_cost
        value = (quantity * cost).quantize(MONEY_QUANT)
    unit_cost = abs(value / quantity).quantize(COST_QUANT)

    balance.on_hand = new_on_hand
    balance.reserved -= line.release_reserved
    balance.value += value
    if balance.on_hand > 0:
        balance.avg_cost = (balance.value / balance.on_hand).quantize(COST_QUANT)
    elif quantity > 0:
        balance.avg_cost = unit_cost
    return StockMovement(
        line_no=row,
        product_id=line.product_id,
        warehouse_id=line.warehouse_id,
        movement_type=line.movement_type,
        quantity=quantity,
        unit_cost=unit_cost,
        value=value,
        quantity_after=balance.on_hand,
        value_after=balance.value,
        posted_at=posted_at,
        reverses_id=line.reverses_id,
    )


def _create_posting(*, idempotency_key: str | None, **fields: Any) -> StockPosting:
    """Insert the posting row; an unsaved instance means another request holds the key.

    One ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id``: no savepoint round
    trips. On PostgreSQL a concurrent insert of the same key makes it wait for that
    transaction: committed, nothing is inserted; rolled back, this insert goes through.
    """
    posting = StockPosting(idempotency_key=idempotency_key or None, **fields)
    table = StockPosting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (document_type, document_number, idempotency_key, posted_at, posted_by_id, "  # noqa: S608
            "reverses_id, memo) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING "
            "RETURNING id",
            [
                posting.document_type,
                posting.document_number,
                posting.idempotency_key,
                connection.ops.adapt_datetimefield_value(posting.posted_at),
                posting.posted_by_id,
                posting.reverses_id,
                posting.memo,
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        posting.pk = row[0]
        posting._state.adding, posting._state.db = False, connection.alias
    return posting


@transaction.atomic
def stock_posting_reverse(
    *, posting: StockPosting, actor: Any, document_number: str | None = None, memo: str = ""
) -> StockPosting:
    """Post the exact opposite of ``posting`` (same quantities, costs and values, negated).

    Refuses a posting that is already reversed, or is itself a reversal. Reversing a receipt
    whose goods have since left is refused like any other shortage.
    """
    if hasattr(posting, "reversed_by"):
        raise ValidationError(_("%(document)s was already reversed.") % {"document": posting.document_number})
    if posting.reverses_id:
        raise ValidationError(_("A reversal cannot itself be reversed; post the document again."))
    lines = [
        StockLine(
            product_id=movement.product_id,
            warehouse_id=movement.warehouse_id,
            quantity=-movement.quantity,
            movement_type=MovementType.REVERSAL,
            unit_cost=movement.unit_cost,
            value=-movement.value,
            line_no=movement.line_no,
            reverses_id=movement.pk,
        )
        for movement in posting.movements.order_by("line_no", "id")
    ]
    return stock_post(
        document_type=posting.document_type,
        document_number=document_number or posting.document_number,
        lines=lines,
        actor=actor,
        idempotency_key=f"reverse:{posting.pk}",
        memo=memo,
        reverses=posting,
    )


@dataclass(frozen=True)
class ReservationLine:
    """Reserve (positive) or release (negative) ``quantity`` of one product in one warehouse."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    line_no: int | None = None


@transaction.atomic
def stock_reserve(
    *, lines: Sequence[ReservationLine], document_number: str = "", allow_partial: bool = False
) -> list[Decimal]:
    """Reserve stock for lines of an order and return the quantity reserved for each line.

    Locks the balances like ``stock_post``. Without ``allow_partial`` every line must be
    available in full, else ``InsufficientStock`` names all short lines and nothing is
    reserved. With it, each line reserves what is available (possibly 0) and the caller
    backorders the rest. Negative quantities release reservations; releasing more than is
    reserved is refused.
    """
    if not lines:
        return []
    balances = _lock_balances({(line.product_id, line.warehouse_id) for line in lines}).balances
    reserved: list[Decimal] = []
    shortages: list[Shortage] = []
    for index, line in enumerate(lines, start=1):
        row = line.line_no or index
        balance = balances[(line.product_id, line.warehouse_id)]
        if line.quantity < 0:
            if -line.quantity > balance.reserved:
                raise ValidationError(
                    _("Row %(row)s: cannot release more than is reserved.") % {"row": row}, code="over_release"
                )
            granted = line.quantity
        else:
            available = max(balance.on_hand - balance.reserved, ZERO)
            granted = min(line.quantity, available) if allow_partial else line.quantity
            if not allow_partial and line.quantity > available:
                shortages.append(Shortage(row, line.product_id, line.warehouse_id, available, line.quantity))
        balance.reserved += granted
        reserved.append(granted)
    if shortages:
        raise InsufficientStock(shortages, document_number)
    _write_balances(list(balances.values()))
    return reserved


def stock_lines_link(*, lines: Sequence[Any], movements: Sequence[StockMovement], field: str = "movement") -> None:
    """Point each document line at the movement it caused (``posting.movement_list``), in one UPDATE.

    For document services after ``stock_post``: ``lines`` are saved rows of one model with a
    foreign key ``field`` to StockMovement, in the order of the posted lines. Cheaper than
    ``bulk_update``, whose CASE expression takes ~1 ms per line to build.
    """
    if not lines:
        return
    model = type(lines[0])
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        for chunk in _chunks(list(zip(lines, movements, strict=True)), 2):
            cursor.execute(
                f"WITH v (id, movement_id) AS (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) "  # noqa: S608
                f"UPDATE {table} SET {column} = v.movement_id FROM v WHERE {table}.id = v.id",
                [value for line, movement in chunk for value in (line.pk, movement.pk)],
            )
    for line, movement in zip(lines, movements, strict=True):
        setattr(line, field, movement)


# --- Balance repair -------------------------------------------------------------------------


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
            balance.avg_cost = (total / quantity).quantize(COST_QUANT)
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


# --- Bulk loading (benchmark and demo data only) ---------------------------------------------

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
    (``None`` is NULL). PostgreSQL loads with COPY, SQLite with executemany.
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


# --- Stock adjustment documents (期初库存, 其他入库单, 其他出库单, 库存调整单) ---------------------


@dataclass(frozen=True)
class AdjustmentLineInput:
    """A line as entered: ``quantity`` positive except on adjustments, where it is signed."""

    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    remarks: str = ""


def _adjustment_clean_lines(kind: str, lines: Sequence[AdjustmentLineInput]) -> None:
    if not lines:
        raise ValidationError(_("Add at least one line."), code="empty")
    direction = ADJUSTMENT_KINDS[kind][2]
    errors = []
    for row, line in enumerate(lines, start=1):
        if line.quantity == 0:
            errors.append(_("Row %(row)s: the quantity cannot be zero.") % {"row": row})
        elif direction and line.quantity < 0:
            errors.append(_("Row %(row)s: enter a positive quantity.") % {"row": row})
        if direction > 0 and line.unit_cost is None:
            errors.append(_("Row %(row)s: enter the unit cost.") % {"row": row})
        if line.unit_cost is not None and line.unit_cost < 0:
            errors.append(_("Row %(row)s: the unit cost cannot be negative.") % {"row": row})
    if errors:
        raise ValidationError(errors, code="invalid_line")


def _adjustment_write_lines(document: StockAdjustment, lines: Sequence[AdjustmentLineInput]) -> None:
    rows = [
        StockAdjustmentLine(
            document=document,
            line_no=row,
            product_id=line.product_id,
            quantity=line.quantity,
            unit_cost=line.unit_cost if document.direction >= 0 else None,
            remarks=line.remarks,
        )
        for row, line in enumerate(lines, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["document", "movement", "product"])
    StockAdjustmentLine.objects.bulk_create(rows)


ADJUSTMENT_HEADER_FIELDS = ["warehouse", "date", "reason", "remarks"]


def _adjustment_check_header(document: StockAdjustment) -> None:
    if document.kind == AdjustmentKind.ADJUSTMENT and not document.reason.strip():
        raise ValidationError({"reason": _("A stock adjustment needs a reason.")}, code="reason_required")
    document.full_clean(exclude=["number", "created_by"])


@atomic_with_retry
def stock_adjustment_create(
    *,
    actor: Any,
    kind: str,
    warehouse: Warehouse,
    date: datetime.date,
    lines: Sequence[AdjustmentLineInput],
    reason: str = "",
    remarks: str = "",
) -> StockAdjustment:
    """Save a draft document with its lines; its number comes from the kind's prefix (QCKC, QTRK, QTCK, KCTZ)."""
    if kind not in ADJUSTMENT_KINDS:
        raise ValidationError({"kind": _("Unknown document type.")}, code="invalid_kind")
    document = StockAdjustment(
        kind=kind, warehouse=warehouse, date=date, reason=reason, remarks=remarks, created_by=actor
    )
    _adjustment_check_header(document)
    _adjustment_clean_lines(kind, lines)
    document.number = document_number_next(prefix=ADJUSTMENT_KINDS[kind][0], day=date)
    document.save()
    _adjustment_write_lines(document, lines)
    audit_record(actor=actor, action=AuditAction.CREATED, instance=document, changes={"lines": len(lines)})
    return document


def _lock_adjustment(document: StockAdjustment, action: str) -> StockAdjustment:
    """Lock the document row and check that ``action`` is allowed from its current status."""
    locked = StockAdjustment.objects.select_for_update().get(pk=document.pk)
    allowed_from, _to = ADJUSTMENT_TRANSITIONS[action]
    if locked.status not in allowed_from:
        raise ValidationError(
            _("%(document)s is %(status)s: it cannot be changed that way.")
            % {"document": locked.number, "status": locked.get_status_display()},
            code="invalid_status",
        )
    return locked


@atomic_with_retry
def stock_adjustment_update(
    *,
    actor: Any,
    document: StockAdjustment,
    warehouse: Warehouse,
    date: datetime.date,
    lines: Sequence[AdjustmentLineInput],
    reason: str = "",
    remarks: str = "",
) -> StockAdjustment:
    """Change a draft's header and replace its lines; a posted document is refused (reverse it instead)."""
    locked = _lock_adjustment(document, "edit")
    before = {name: getattr(locked, name) for name in ADJUSTMENT_HEADER_FIELDS}
    locked.warehouse, locked.date, locked.reason, locked.remarks = warehouse, date, reason, remarks
    _adjustment_check_header(locked)
    _adjustment_clean_lines(locked.kind, lines)
    locked.save(update_fields=ADJUSTMENT_HEADER_FIELDS)
    locked.lines.all().delete()
    _adjustment_write_lines(locked, lines)
    changes = model_changes(locked, before, ADJUSTMENT_HEADER_FIELDS)
    changes["lines"] = len(lines)
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=locked, changes=changes)
    return locked


def adjustment_idempotency_key(document: StockAdjustment) -> str:
    return f"inventory.stockadjustment:{document.pk}:post"


@atomic_with_retry
def stock_adjustment_post(*, actor: Any, document: StockAdjustment) -> StockAdjustment:
    """Post a draft to the ledger: every line at once, or none (``InsufficientStock`` names each short line).

    Locks the document row first, so a double submit finds it posted and is refused. Each line
    is linked to the movement it caused.
    """
    locked = _lock_adjustment(document, "post")
    _prefix, movement_type, direction = ADJUSTMENT_KINDS[locked.kind]
    lines = list(locked.lines.order_by("line_no"))
    if not lines:
        raise ValidationError(_("Add at least one line."), code="empty")
    stock_lines = [
        StockLine(
            product_id=line.product_id,
            warehouse_id=locked.warehouse_id,
            quantity=-line.quantity if direction < 0 else line.quantity,
            movement_type=movement_type,
            unit_cost=line.unit_cost if line.quantity > 0 and direction >= 0 else None,
            line_no=line.line_no,
        )
        for line in lines
    ]
    posting = stock_post(
        document_type=ADJUSTMENT_DOCUMENT_TYPE,
        document_number=locked.number,
        lines=stock_lines,
        actor=actor,
        idempotency_key=adjustment_idempotency_key(locked),
        memo=locked.reason[:200],
    )
    stock_lines_link(lines=lines, movements=posting.movement_list)
    locked.status = ADJUSTMENT_TRANSITIONS["post"][1]
    locked.posting, locked.posted_by, locked.posted_at = posting, actor, posting.posted_at
    locked.save(update_fields=["status", "posting", "posted_by", "posted_at"])
    audit_record(
        actor=actor,
        action=AuditAction.POSTED,
        instance=locked,
        changes={"status": [AdjustmentStatus.DRAFT, locked.status], "posting": posting.pk},
    )
    return locked


@atomic_with_retry
def stock_adjustment_reverse(*, actor: Any, document: StockAdjustment, memo: str = "") -> StockAdjustment:
    """Reverse (红冲) a posted document with the exact opposite posting; refused if its stock has left since."""
    locked = _lock_adjustment(document, "reverse")
    reversal = stock_posting_reverse(posting=locked.posting, actor=actor, memo=memo)
    locked.status = ADJUSTMENT_TRANSITIONS["reverse"][1]
    locked.reversal_posting = reversal
    locked.save(update_fields=["status", "reversal_posting"])
    audit_record(
        actor=actor,
        action=AuditAction.REVERSED,
        instance=locked,
        changes={"status": [AdjustmentStatus.POSTED, locked.status], "posting": reversal.pk},
    )
    return locked
