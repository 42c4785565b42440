"""The posting service: the only writer of stock movements and balances.

Every write follows one pattern, whatever the document:

1. lock the balance rows of the affected product × warehouse pairs with ``SELECT … FOR UPDATE``,
   always in (product, warehouse) order so two postings never wait on each other in a cycle;
2. check every line before writing anything, and refuse the whole document naming every short line;
3. insert the movements in one statement and update the balances in one statement.

So a document of N lines costs a constant number of queries. On SQLite ``FOR UPDATE`` is a no-op
and the IMMEDIATE transaction (see settings) serialises writers instead; there the rows travel as
one JSON parameter read with ``json_each`` (SQLite takes at most 999 parameters per statement),
so a 5,000-line posting is as many statements as a one-line one.
"""

import datetime
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.amounts import cost, money
from apps.core.fields import COST_QUANT, MONEY_QUANT, QUANTITY_QUANT, ZERO
from apps.core.models import SystemSettings
from apps.inventory.models import (
    INBOUND_TYPES,
    OUTBOUND_TYPES,
    MovementType,
    StockBalance,
    StockLevel,
    StockMovement,
    StockPosting,
)
from apps.inventory.services import hooks
from apps.inventory.services.snapshots import snapshot_horizon_check
from apps.masterdata.models import Product, Warehouse

BalanceKey = tuple[int, int]  # (product_id, warehouse_id)
ADJUSTMENT_DOCUMENT_TYPE = "inventory.stockadjustment"
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class StockLine:
    """One line of a posting. ``quantity`` is signed, in the product's base unit.

    ``unit_cost``: inbound lines at a known cost (receipts, returns at the cost they left with)
    give it; outbound lines usually leave it ``None`` and take the moving average cost.
    ``release_reserved`` is the part of the reservation this outbound line consumes. ``line_no``
    is the row users see in messages (several stock lines may share one).

    ``paired_with``: on an inbound line, the position (0-based, in the ``lines`` passed to
    ``stock_post``) of an earlier outbound line of the same posting and the same quantity; the
    inbound line then takes exactly the value that outbound line left with, computed under the
    same locks. A transfer is one posting: ``[out of A, into B paired_with=0]``.
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
    paired_with: int | None = None


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
    paired: set[int] = set()
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
        if line.paired_with is not None:
            source = line.paired_with
            if not 0 <= source < index - 1 or lines[source].quantity >= 0 or line.quantity <= 0:
                errors.append(
                    _("Row %(row)s: an inbound line can only take the value of an earlier outbound line.")
                    % {"row": row}
                )
            elif lines[source].quantity != -line.quantity:
                errors.append(
                    _("Row %(row)s: the quantity must equal the quantity of the outbound line it is paired with.")
                    % {"row": row}
                )
            elif source in paired:
                errors.append(_("Row %(row)s: that outbound line is already paired.") % {"row": row})
            elif line.unit_cost is not None or line.value is not None:
                errors.append(_("Row %(row)s: a paired line takes its value from its pair.") % {"row": row})
            paired.add(source)
    if errors:
        raise ValidationError(errors, code="invalid_line")


def _chunks(items: Sequence[Any], params_per_item: int) -> list[Sequence[Any]]:
    """Split ``items`` so no statement exceeds the backend's parameter limit (SQLite: 999)."""
    limit = connection.features.max_query_params
    size = max(1, limit // params_per_item) if limit else len(items) or 1
    return [items[i : i + size] for i in range(0, len(items), size)]


def _json_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as one JSON parameter for SQLite's ``json_each`` (Decimals as exact text)."""
    return json.dumps([[format(v, "f") if isinstance(v, Decimal) else v for v in row] for row in rows])


def _json_columns(count: int) -> str:
    """``json_extract(value, '$[0]'), …`` for ``count`` columns of a ``json_each`` row."""
    return ", ".join(f"json_extract(value, '$[{index}]')" for index in range(count))


@dataclass(slots=True)
class _Balance:
    """A locked balance row as the posting computes it (a plain object: no model instance per row)."""

    pk: int
    on_hand: Decimal
    reserved: Decimal
    value: Decimal
    avg_cost: Decimal


@dataclass
class _Locked:
    balances: dict[BalanceKey, _Balance]
    existing_posting_id: int | None  # a posting already made under the idempotency key
    allow_negative: bool  # the system setting
    created: bool = False  # missing balance rows were inserted (inside ``savepoint``)
    savepoint: str | None = None
    # (safety stock, reorder point) of the keys that have either, for the after-commit alert check.
    thresholds: dict[BalanceKey, tuple[Decimal, Decimal]] = field(default_factory=dict)


def _unit_of_work(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in its own transaction, or inside the caller's without a savepoint.

    The ledger functions check everything before they write, so a refusal leaves the caller's
    transaction clean and needs no savepoint (two round trips saved per posting). The one
    write before the checks, creating missing balance rows, takes its own savepoint (see
    ``_lock_balances``).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def _lock_balances(keys: set[BalanceKey], idempotency_key: str | None = None) -> _Locked:
    """Lock (creating where missing) the balance rows of ``keys``, in key order."""
    locked = _select_balances_for_update(keys, idempotency_key)
    missing = keys - locked.balances.keys()
    if missing:
        # The only write before the checks: undone by ``_refuse`` when the posting is refused.
        savepoint = transaction.savepoint() if connection.in_atomic_block else None
        StockBalance.objects.bulk_create(
            [StockBalance(product_id=p, warehouse_id=w) for p, w in sorted(missing)], ignore_conflicts=True
        )
        locked = _select_balances_for_update(keys, idempotency_key)
        locked.created, locked.savepoint = True, savepoint
    return locked


def _decimal_reader() -> Callable[[Any, Decimal], Decimal]:
    """Read a numeric column of a raw cursor: PostgreSQL answers Decimal, SQLite floats."""
    if connection.vendor == "sqlite":
        return lambda number, quant: Decimal(str(number)).quantize(quant)
    return lambda number, quant: number


def _select_balances_for_update(keys: set[BalanceKey], idempotency_key: str | None) -> _Locked:
    """``SELECT … FOR UPDATE`` of the balances of ``keys`` ordered by (product, warehouse).

    The same statement reads the posting already made under ``idempotency_key``, the
    negative-stock setting and each balance's safety stock and reorder point (which the alert
    check after the commit needs), so a single-line posting costs as many round trips as the
    bare insert-and-update. That read uses the statement's snapshot, taken before any wait for the
    locks: a refusal re-reads it (``_refuse``) and an insert meets the unique key. Raw SQL with
    one row-value list: an ORM filter of N OR-ed pairs costs milliseconds per hundred lines to
    build. PostgreSQL locks the rows in the sorted order (LockRows sits above Sort).
    """
    table = StockBalance._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    locked = _Locked({}, None, SystemSettings._meta.get_field("allow_negative_stock").default)
    read = _decimal_reader()
    # PostgreSQL plans a plain row-value list faster; SQLite reads the pairs from one JSON parameter.
    if connection.vendor == "sqlite":
        pairs_json = f"SELECT {_json_columns(2)} FROM json_each(%s)"  # noqa: S608  (column positions only)
        batches = [(pairs_json, [_json_rows(sorted(keys))])]
    else:
        batches = [
            (", ".join(["(%s, %s)"] * len(pairs)), [number for pair in pairs for number in pair])
            for pairs in _chunks(sorted(keys), 2)
        ]
    with connection.cursor() as cursor:
        for pairs_sql, pairs_params in batches:
            cursor.execute(
                "SELECT id, product_id, warehouse_id, on_hand, reserved, value, avg_cost, "  # noqa: S608
                f"(SELECT p.id FROM {StockPosting._meta.db_table} p WHERE p.idempotency_key = %s), "
                f"(SELECT s.allow_negative_stock FROM {SystemSettings._meta.db_table} s WHERE s.id = 1), "
                f"{_threshold_sql('safety_stock')}, {_threshold_sql('reorder_point')} "
                f"FROM {table} WHERE (product_id, warehouse_id) IN ({pairs_sql}) "
                f"ORDER BY product_id, warehouse_id{lock}",
                [idempotency_key, *pairs_params],
            )
            for row in cursor.fetchall():
                pk, product_id, warehouse_id, on_hand, reserved, value, avg_cost, existing, allow, safety, reorder = row
                key = (product_id, warehouse_id)
                locked.balances[key] = _Balance(
                    pk,
                    read(on_hand, QUANTITY_QUANT),
                    read(reserved, QUANTITY_QUANT),
                    read(value, MONEY_QUANT),
                    read(avg_cost, COST_QUANT),
                )
                locked.existing_posting_id = existing
                if allow is not None:
                    locked.allow_negative = bool(allow)
                if safety or reorder:
                    locked.thresholds[key] = (read(safety or 0, QUANTITY_QUANT), read(reorder or 0, QUANTITY_QUANT))
    return locked


def _threshold_sql(column: str) -> str:
    """A balance's stock level ``column`` (NULL without a level row), as a scalar subquery of the lock."""
    levels, balances = StockLevel._meta.db_table, StockBalance._meta.db_table
    return (
        f"(SELECT l.{column} FROM {levels} l "  # noqa: S608  (the models' tables, a fixed column)
        f"WHERE l.product_id = {balances}.product_id AND l.warehouse_id = {balances}.warehouse_id)"
    )


def _write_balances(balances: Sequence[_Balance]) -> None:
    """Write on-hand, reserved, value and average cost of the locked ``balances`` in one UPDATE."""
    if not balances:
        return
    table = StockBalance._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"WITH v (id, on_hand, reserved, value, avg_cost) AS "  # noqa: S608
                f"(SELECT {_json_columns(5)} FROM json_each(%s)) "
                f"UPDATE {table} SET on_hand = v.on_hand, reserved = v.reserved, value = v.value, "
                f"avg_cost = v.avg_cost, updated_at = %s FROM v WHERE {table}.id = v.id",
                [_json_rows([(b.pk, b.on_hand, b.reserved, b.value, b.avg_cost) for b in balances]), now],
            )
            return
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


MOVEMENT_COLUMNS = (
    "line_no", "product_id", "warehouse_id", "movement_type", "quantity", "unit_cost", "value",
    "quantity_after", "value_after", "reverses_id",
)  # fmt: skip
# PostgreSQL types of the VALUES columns (stated once, on the first row).
_MOVEMENT_CASTS = ("integer", "bigint", "bigint", "varchar", "numeric", "numeric", "numeric", "numeric", "numeric",
                   "bigint")  # fmt: skip


def _movement_params(movement: StockMovement) -> list[Any]:
    return [
        movement.line_no, movement.product_id, movement.warehouse_id, movement.movement_type, movement.quantity,
        movement.unit_cost, movement.value, movement.quantity_after, movement.value_after, movement.reverses_id,
    ]  # fmt: skip


def _saved(instance: Any, pk: int) -> None:
    instance.pk = pk
    instance._state.adding, instance._state.db = False, connection.alias


def _write_postgresql(posting: StockPosting, movements: list[StockMovement], balances: list[_Balance]) -> bool:
    """Insert the posting and its movements and write the balances in ONE statement; False on a taken key.

    ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING`` of the posting feeds the movement
    insert and the balance update (data-modifying CTEs): when the key is taken (a concurrent
    request posted it; the insert waits for that transaction) nothing at all is written.
    ``posted_at`` is the database's ``statement_timestamp()`` unless the caller gave one: this
    statement starts after the balance locks were granted, so per balance the ledger time never
    runs backwards, whatever the app servers' clocks say. Movement ids come from the sequence
    in line order (the insert sorts by position), which is the ledger order.
    """
    posting_table, movement_table = StockPosting._meta.db_table, StockMovement._meta.db_table
    balance_table = StockBalance._meta.db_table
    typed = "(" + ", ".join(["%s::integer"] + [f"%s::{cast}" for cast in _MOVEMENT_CASTS]) + ")"
    plain_row = "(" + ", ".join(["%s"] * (len(MOVEMENT_COLUMNS) + 1)) + ")"
    movement_rows = ", ".join([typed] + [plain_row] * (len(movements) - 1))
    balance_rows = ", ".join(
        ["(%s::bigint, %s::numeric, %s::numeric, %s::numeric, %s::numeric)"]
        + ["(%s, %s, %s, %s, %s)"] * (len(balances) - 1)
    )
    params: list[Any] = [
        posting.document_type, posting.document_number, posting.idempotency_key, posting.posted_at,
        posting.posted_by_id, posting.reverses_id, posting.memo,
    ]  # fmt: skip
    for position, movement in enumerate(movements):
        params += [position, *_movement_params(movement)]
    for balance in balances:
        params += [balance.pk, balance.on_hand, balance.reserved, balance.value, balance.avg_cost]
    columns = ", ".join(MOVEMENT_COLUMNS)
    sql = (
        f"WITH p AS (INSERT INTO {posting_table} (document_type, document_number, idempotency_key, posted_at, "  # noqa: S608
        "posted_by_id, reverses_id, memo) VALUES (%s, %s, %s, COALESCE(%s::timestamptz, statement_timestamp()), "
        "%s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, posted_at), "
        f"m AS (INSERT INTO {movement_table} (posting_id, posted_at, {columns}) "
        f"SELECT p.id, p.posted_at, {', '.join('v.' + c for c in MOVEMENT_COLUMNS)} "
        f"FROM p CROSS JOIN (VALUES {movement_rows}) AS v (position, {columns}) ORDER BY v.position RETURNING id), "
        f"u AS (UPDATE {balance_table} SET on_hand = b.on_hand, reserved = b.reserved, value = b.value, "
        "avg_cost = b.avg_cost, updated_at = p.posted_at "
        f"FROM p CROSS JOIN (VALUES {balance_rows}) AS b (id, on_hand, reserved, value, avg_cost) "
        f"WHERE {balance_table}.id = b.id) "
        "SELECT p.id, p.posted_at, ARRAY(SELECT id FROM m ORDER BY id) FROM p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    posting_id, posted_at, ids = row
    _saved(posting, posting_id)
    posting.posted_at = posted_at
    for movement, pk in zip(movements, ids, strict=True):
        _saved(movement, pk)
        movement.posting_id, movement.posted_at = posting_id, posted_at
    return True


def _write_sqlite(posting: StockPosting, movements: list[StockMovement], balances: list[_Balance]) -> bool:
    """The same writes as ``_write_postgresql`` in three statements (SQLite has no data-modifying CTEs),
    whatever the number of lines.

    SQLite runs inside the app server's process, on its clock: the IMMEDIATE transaction
    serialises writers, so the time read after the lock never runs backwards per balance.
    """
    if posting.posted_at is None:
        posting.posted_at = datetime.datetime.now(tz=datetime.UTC)
    posted_at = connection.ops.adapt_datetimefield_value(posting.posted_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StockPosting._meta.db_table} (document_type, document_number, idempotency_key, "  # noqa: S608
            "posted_at, posted_by_id, reverses_id, memo) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [
                posting.document_type, posting.document_number, posting.idempotency_key, posted_at,
                posting.posted_by_id, posting.reverses_id, posting.memo,
            ],
        )  # fmt: skip
        row = cursor.fetchone()
        if row is None:
            return False
        _saved(posting, row[0])
        columns = ("posting_id", "posted_at", *MOVEMENT_COLUMNS)
        cursor.execute(
            f"INSERT INTO {StockMovement._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT %s, %s, {_json_columns(len(MOVEMENT_COLUMNS))} FROM json_each(%s) ORDER BY key RETURNING id",
            [posting.pk, posted_at, _json_rows([_movement_params(movement) for movement in movements])],
        )
        # Ids are handed out in insertion order (the lines' order); RETURNING's row order is not guaranteed.
        ids = sorted(row[0] for row in cursor.fetchall())
    for movement, pk in zip(movements, ids, strict=True):
        _saved(movement, pk)
        movement.posting_id, movement.posted_at = posting.pk, posting.posted_at
    _write_balances(balances)
    return True


def _existing_posting(idempotency_key: str | None) -> StockPosting | None:
    """The posting already made under ``idempotency_key``, with its ``movement_list`` like a fresh one."""
    if not idempotency_key:
        return None
    posting = StockPosting.objects.filter(idempotency_key=idempotency_key).first()
    if posting is not None:
        # Movements are inserted in the order of the lines, so id order is line order.
        posting.movement_list = list(posting.movements.order_by("id"))
    return posting


def _refuse(locked: _Locked, error: ValidationError, idempotency_key: str | None) -> StockPosting:
    """Answer a refused posting: the posting made meanwhile under the same key, else raise ``error``.

    The key was read in the snapshot of the lock statement, before any wait for the locks; the
    request that held them may have posted this very key, so it is read again first (the
    second of two identical requests gets the first one's posting, not a shortage). Balance
    rows created for this posting are undone.
    """
    existing = _existing_posting(idempotency_key)
    if locked.savepoint is not None:
        transaction.savepoint_rollback(locked.savepoint)
    if existing is not None:
        return existing
    raise error  # in its own transaction, the raise rolls back the created rows


def _check_posted_at(keys: set[BalanceKey], posted_at: datetime.datetime) -> None:
    """Refuse an explicit ``posted_at`` earlier than the last movement of any of ``keys`` (under the lock),
    or inside a month already closed in the monthly snapshots."""
    if timezone.is_naive(posted_at):
        raise ValidationError(_("The posting time needs a time zone."), code="naive_posted_at")
    snapshot_horizon_check(posted_at)
    row_values = "VALUES " if connection.vendor == "sqlite" else ""
    with connection.cursor() as cursor:
        for pairs in _chunks(sorted(keys), 2):
            cursor.execute(
                f"SELECT product_id, warehouse_id FROM {StockMovement._meta.db_table} "  # noqa: S608
                f"WHERE (product_id, warehouse_id) IN ({row_values}{', '.join(['(%s, %s)'] * len(pairs))}) "
                "AND posted_at > %s ORDER BY product_id, warehouse_id LIMIT 1",
                [*(number for pair in pairs for number in pair), connection.ops.adapt_datetimefield_value(posted_at)],
            )
            later = cursor.fetchone()
            if later:
                code = Product.objects.filter(pk=later[0]).values_list("code", flat=True).first()
                warehouse = Warehouse.objects.filter(pk=later[1]).values_list("name", flat=True).first()
                raise ValidationError(
                    _(
                        "Cannot post at %(time)s: product %(code)s already has later movements in %(warehouse)s; "
                        "the ledger of a product is kept in time order."
                    )
                    % {"time": timezone.localtime(posted_at).strftime("%Y-%m-%d %H:%M"), "code": code,
                       "warehouse": warehouse},
                    code="posted_at_out_of_order",
                )  # fmt: skip


@_unit_of_work
def stock_post(
    *,
    document_type: str,
    document_number: str,
    lines: Sequence[StockLine],
    actor: Any,
    idempotency_key: str | None = None,
    memo: str = "",
    reverses: StockPosting | None = None,
    posted_at: datetime.datetime | None = None,
) -> StockPosting:
    """Post ``lines`` to the ledger as one unit and return the posting.

    Guarantees: every line is checked before anything is written; when stock would go below
    zero (unless the system setting allows it) or into stock reserved for others,
    ``InsufficientStock`` names every short line and nothing is written. Balance rows are
    locked in (product, warehouse) order. A posting with an ``idempotency_key`` that was
    already posted, or that a concurrent request posts while this one waits for the locks,
    is returned as it is, not applied twice (never refused as a shortage). The created
    movements are in ``posting.movement_list``, in the order of ``lines``.

    Ledger order and time come from the database: movements are ordered by their id, drawn
    from the database sequence while the balance locks are held, and ``posted_at`` is the
    database's clock when the movements are written (PostgreSQL ``statement_timestamp()``),
    never an app server's. ``posted_at`` overrides it for trusted callers that record the
    past in order: the demo seeder posting a year of history day by day, opening balances
    taken on at a cut-over date. It must be time-zone aware and not earlier than the last
    movement of any product × warehouse of the posting (``ValidationError`` otherwise), so
    as-of reports stay right. Document services pass it through unchanged.

    Inside a caller's transaction no savepoint is taken: a refusal writes nothing and leaves
    that transaction usable; a database error aborts it (let it propagate).
    Paired lines (``StockLine.paired_with``) take the value their outbound pair left with.
    """
    _validate_lines(lines)
    if posted_at is None:
        posted_at = hooks.posting_clock_time()
    keys = {(line.product_id, line.warehouse_id) for line in lines}
    locked = _lock_balances(keys, idempotency_key)
    if locked.existing_posting_id is not None:  # already posted: answer that posting, write nothing
        return _existing_posting(idempotency_key)
    balances, allow_negative = locked.balances, locked.allow_negative
    try:
        if posted_at is not None:
            _check_posted_at(keys, posted_at)
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
            paired_value = -movements[line.paired_with].value if line.paired_with is not None else None
            movements.append(_apply(balance, line, row, paired_value))
        if shortages:
            raise InsufficientStock(shortages, document_number)
    except ValidationError as error:
        return _refuse(locked, error, idempotency_key)

    posting = StockPosting(
        document_type=document_type,
        document_number=document_number,
        idempotency_key=idempotency_key or None,
        posted_by=actor,
        posted_at=posted_at,
        memo=memo,
        reverses=reverses,
    )
    write = _write_postgresql if connection.vendor == "postgresql" else _write_sqlite
    if not write(posting, movements, list(balances.values())):
        # Lost an idempotency race: the other request posted this key; nothing was written.
        return _existing_posting(idempotency_key)
    for movement in movements:
        movement.posting = posting
    posting.movement_list = movements
    _after_commit(posting, balances, locked.thresholds)
    return posting


def _after_commit(posting: StockPosting, balances: dict, thresholds: dict) -> None:
    """Tell the listeners of ``hooks`` once the posting is committed (no query; nothing if it rolls back)."""
    event = hooks.Posted(
        posting.document_type,
        posting.document_number,
        frozenset(balances),
        {key: balance.on_hand - balance.reserved for key, balance in balances.items()},
        {key: thresholds[key] for key in balances if key in thresholds},
    )
    transaction.on_commit(lambda: hooks.stock_posted(event))


def _apply(balance: _Balance, line: StockLine, row: int, paired_value: Decimal | None = None) -> StockMovement:
    """Move ``balance`` by ``line`` (moving weighted average) and return the unsaved movement.

    Values are rounded to the cent half up, like document amounts (``apps.core.amounts``).
    """
    quantity = line.quantity
    new_on_hand = balance.on_hand + quantity
    if paired_value is not None:
        value = paired_value
    elif line.value is not None:
        value = line.value
    elif quantity < 0 and new_on_hand == 0:
        value = -balance.value  # the last units take the remaining value: no residue at zero stock
    else:
        rate = line.unit_cost if line.unit_cost is not None else balance.avg_cost
        value = money(quantity * rate)
    unit_cost = cost(abs(value / quantity))

    balance.on_hand = new_on_hand
    balance.reserved -= line.release_reserved
    balance.value += value
    if balance.on_hand > 0:
        balance.avg_cost = cost(balance.value / balance.on_hand)
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
        reverses_id=line.reverses_id,
    )


@_unit_of_work
def stock_posting_reverse(
    *,
    posting: StockPosting,
    actor: Any,
    document_number: str | None = None,
    memo: str = "",
    posted_at: datetime.datetime | None = None,
) -> StockPosting:
    """Post the exact opposite of ``posting`` (same quantities, costs and values, negated).

    Refuses a posting that is already reversed, or is itself a reversal. Reversing a receipt
    whose goods have since left is refused like any other shortage. ``posted_at``: as for
    ``stock_post`` (trusted callers recording the past in order only).
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
        posted_at=posted_at,
    )


@dataclass(frozen=True)
class ReservationLine:
    """Reserve (positive) or release (negative) ``quantity`` of one product in one warehouse."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    line_no: int | None = None


@_unit_of_work
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
    locked = _lock_balances({(line.product_id, line.warehouse_id) for line in lines})
    balances = locked.balances
    reserved: list[Decimal] = []
    shortages: list[Shortage] = []
    try:
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
    except ValidationError as error:
        _refuse(locked, error, None)
    _write_balances(list(balances.values()))
    return reserved


def stock_lines_link(
    *, lines: Sequence[Any], movements: Sequence[StockMovement], field: str = "movement", model: Any = None
) -> None:
    """Point each document line at the movement it caused (``posting.movement_list``), in one UPDATE.

    For document services after ``stock_post``: ``lines`` are saved rows of one model with a
    foreign key ``field`` to StockMovement, in the order of the posted lines. Cheaper than
    ``bulk_update``, whose CASE expression takes ~1 ms per line to build. ``model`` names the
    lines' model when ``lines`` are lighter objects with a ``pk`` (thousands of count lines).
    """
    if not lines:
        return
    model = model or type(lines[0])
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"WITH v (id, movement_id) AS (SELECT {_json_columns(2)} FROM json_each(%s)) "  # noqa: S608
                f"UPDATE {table} SET {column} = v.movement_id FROM v WHERE {table}.id = v.id",
                [_json_rows([(line.pk, movement.pk) for line, movement in zip(lines, movements, strict=True)])],
            )
            chunks = []
        else:
            chunks = _chunks(list(zip(lines, movements, strict=True)), 2)
        for chunk in chunks:
            cursor.execute(
                f"WITH v (id, movement_id) AS (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) "  # noqa: S608
                f"UPDATE {table} SET {column} = v.movement_id FROM v WHERE {table}.id = v.id",
                [value for line, movement in chunk for value in (line.pk, movement.pk)],
            )
    for line, movement in zip(lines, movements, strict=True):
        setattr(line, field, movement)
