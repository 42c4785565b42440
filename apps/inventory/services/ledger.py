"""The posting service: the only writer of stock movements and balances.

Every write follows one pattern, whatever the document:

1. lock the balance rows of the affected product × warehouse pairs with ``SELECT … FOR UPDATE``,
   always in (product, warehouse) order so two postings never wait on each other in a cycle;
2. check every line before writing anything, and refuse the whole document naming every short line;
3. insert the movements in one statement and update the balances in one statement.

So a document of N lines costs a constant number of queries. On SQLite ``FOR UPDATE`` is a no-op
and the IMMEDIATE transaction (see settings) serialises writers instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.fields import COST_QUANT, MONEY_QUANT, ZERO
from apps.core.models import SystemSettings
from apps.inventory.models import (
    INBOUND_TYPES,
    OUTBOUND_TYPES,
    MovementType,
    StockBalance,
    StockMovement,
    StockPosting,
)
from apps.inventory.services import hooks
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
    _after_commit(posting, balances)
    return posting


def _after_commit(posting: StockPosting, balances: dict) -> None:
    """Tell the listeners of ``hooks`` once the posting is committed (no query; nothing if it rolls back)."""
    event = hooks.Posted(posting.document_type, posting.document_number, frozenset(balances))
    transaction.on_commit(lambda: hooks.stock_posted(event))


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
