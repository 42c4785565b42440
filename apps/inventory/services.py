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
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
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
from apps.masterdata.models import Product, Warehouse

BalanceKey = tuple[int, int]  # (product_id, warehouse_id)


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


def _lock_balances(keys: set[BalanceKey]) -> dict[BalanceKey, StockBalance]:
    """Lock (creating where missing) the balance rows of ``keys``, in key order."""

    def select() -> dict[BalanceKey, StockBalance]:
        condition = reduce(or_, (Q(product_id=p, warehouse_id=w) for p, w in sorted(keys)))
        rows = StockBalance.objects.select_for_update().filter(condition).order_by("product_id", "warehouse_id")
        return {(row.product_id, row.warehouse_id): row for row in rows}

    balances = select()
    missing = keys - balances.keys()
    if missing:
        StockBalance.objects.bulk_create(
            [StockBalance(product_id=p, warehouse_id=w) for p, w in sorted(missing)], ignore_conflicts=True
        )
        balances = select()
    return balances


def _existing_posting(idempotency_key: str | None) -> StockPosting | None:
    if not idempotency_key:
        return None
    return StockPosting.objects.filter(idempotency_key=idempotency_key).first()


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
    existing = _existing_posting(idempotency_key)
    if existing is not None:
        return existing

    balances = _lock_balances({(line.product_id, line.warehouse_id) for line in lines})
    allow_negative = SystemSettings.load().allow_negative_stock
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
        transaction.set_rollback(True)
        return _existing_posting(idempotency_key)
    for movement in movements:
        movement.posting = posting
    posting.movement_list = StockMovement.objects.bulk_create(movements)
    now = timezone.now()
    for balance in balances.values():
        balance.updated_at = now
    StockBalance.objects.bulk_update(
        list(balances.values()), ["on_hand", "reserved", "value", "avg_cost", "updated_at"]
    )
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
    """Insert the posting row; an unsaved instance means another request holds the key."""
    posting = StockPosting(idempotency_key=idempotency_key or None, **fields)
    if not idempotency_key:
        posting.save()
        return posting
    try:
        with transaction.atomic():
            posting.save()
    except IntegrityError:
        return StockPosting(idempotency_key=idempotency_key, **fields)
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
    balances = _lock_balances({(line.product_id, line.warehouse_id) for line in lines})
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
    now = timezone.now()
    for balance in balances.values():
        balance.updated_at = now
    StockBalance.objects.bulk_update(list(balances.values()), ["reserved", "updated_at"])
    return reserved
