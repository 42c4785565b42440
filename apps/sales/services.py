"""Writes of the sales area: orders, shipments, returns, receivables, customers' sales data.

Every service is a retried unit of work (``atomic_with_retry``) that first checks the actor's
permission (``PermissionDenied``), validates all lines before it writes, raises
``ValidationError`` with messages that name the row and the product, writes its audit row in the
same transaction, and leaves stock to ``apps.inventory.services`` (reservations and postings).

Lock order, everywhere: sales order rows (by id) → the customer row (credit checks) → order
lines (by id) → shipment/return lines → stock balances (inside the ledger) → receivables. The
customer row is locked ``FOR NO KEY UPDATE`` so that foreign-key checks on it never wait.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.amounts import HUNDRED, line_amounts, money, plain, set_totals
from apps.core.db import atomic_with_retry
from apps.core.documents.pipeline import WRONG_STATE, document_transition, lock, wrong_state
from apps.core.fields import MONEY_QUANT, PRICE_QUANT, ZERO
from apps.core.models import AuditAction
from apps.core.permissions import require_permission
from apps.core.services import audit_record, document_number_next, model_changes
from apps.core.subledger import allocation_entries, money_entries
from apps.inventory.models import MovementType
from apps.inventory.services import InsufficientStock, ReservationLine, StockLine, document_post, stock_reserve
from apps.masterdata.models import Customer, PriceLevel, Product, ProductUnit, Unit, Warehouse
from apps.sales.models import (
    RECEIVABLES,
    CustomerFollowUp,
    CustomerReceipt,
    CustomerTag,
    CustomerTagging,
    DocumentStatus,
    EntryKind,
    ReceiptAllocation,
    Receivable,
    ReceivableEntry,
    ReturnDisposition,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)
from apps.sales.pipelines import SALES_ORDER_PIPELINE, SALES_RETURN_PIPELINE, SHIPMENT_PIPELINE, SHIPPING_TRANSITIONS
from apps.sales.selectors import customer_credit_position

S = SalesOrderStatus

# Every status an order may go to from each status: the pipeline's rows and the deliveries.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    status: SALES_ORDER_PIPELINE.targets_from(status) | SHIPPING_TRANSITIONS.get(status, frozenset())
    for status in S.values
}


def _check_transition(order: SalesOrder, target: str) -> None:
    """The guard of last resort for the status changes deliveries make."""
    if target not in ALLOWED_TRANSITIONS[order.status]:
        raise ValidationError(
            _("Sales order %(number)s is %(current)s and cannot become %(target)s.")
            % {
                "number": order.number,
                "current": SalesOrderStatus(order.status).label,
                "target": SalesOrderStatus(target).label,
            },
            code=WRONG_STATE,
        )


def _lock_order(order: SalesOrder) -> SalesOrder:
    return SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)


def _lock_customer(customer_id: int) -> None:
    """Serialise the credit checks of one customer.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: the foreign-key checks of rows that point at the
    customer (a delivery's receivable, posted while it holds stock balances) take a key-share
    lock on it, which ``FOR UPDATE`` blocks; an approval holding the customer and waiting for a
    balance such a delivery holds would deadlock with it.
    """
    Customer.objects.select_for_update(no_key=True).filter(pk=customer_id).first()


# ---------------------------------------------------------------------------------------------
# Prices and lines
# ---------------------------------------------------------------------------------------------


def default_unit_price(*, customer: Customer, product: Product, ratio: Decimal = Decimal(1)) -> Decimal:
    """The customer's price for one ``ratio``-sized unit: its price level, less its discount."""
    base = product.retail_price if customer.price_level == PriceLevel.RETAIL else product.sale_price
    price = base * ratio * (HUNDRED - customer.discount_percent) / HUNDRED
    return price.quantize(PRICE_QUANT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OrderLineInput:
    """One row of an order as entered. ``unit`` None means the base unit; ``unit_price`` None the
    customer's price; ``tax_rate`` None the product's rate."""

    product: Product
    quantity: Decimal
    unit: Unit | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO
    tax_rate: Decimal | None = None


def _build_order_lines(*, customer: Customer, lines: Sequence[OrderLineInput]) -> list[SalesOrderLine]:
    """Validate every row and return unsaved lines; raise naming every bad row."""
    if not lines:
        raise ValidationError(_("An order needs at least one line."), code="empty")
    ratios = {
        (pu.product_id, pu.unit_id): pu.ratio
        for pu in ProductUnit.objects.filter(product_id__in={line.product.pk for line in lines})
    }
    errors: list[str] = []
    built: list[SalesOrderLine] = []
    for row, line in enumerate(lines, start=1):
        product = line.product
        unit_id = line.unit.pk if line.unit else product.base_unit_id
        ratio = Decimal(1) if unit_id == product.base_unit_id else ratios.get((product.pk, unit_id))
        if not product.is_active:
            errors.append(_("Row %(row)s: product %(code)s is inactive.") % {"row": row, "code": product.code})
            continue
        if ratio is None:
            errors.append(
                _("Row %(row)s: %(unit)s is not a unit of product %(code)s.")
                % {"row": row, "unit": line.unit, "code": product.code}
            )
            continue
        if line.quantity is None or line.quantity <= 0:
            errors.append(
                _("Row %(row)s: product %(code)s needs a quantity above zero.") % {"row": row, "code": product.code}
            )
            continue
        discount = line.discount_percent or ZERO
        if not ZERO <= discount <= HUNDRED:
            errors.append(_("Row %(row)s: the discount must be between 0 and 100%%.") % {"row": row})
            continue
        unit_price = (
            line.unit_price
            if line.unit_price is not None
            else default_unit_price(customer=customer, product=product, ratio=ratio)
        )
        if unit_price < 0:
            errors.append(_("Row %(row)s: the unit price cannot be negative.") % {"row": row})
            continue
        net_unit_price = unit_price * (HUNDRED - discount) / HUNDRED
        minimum = product.min_sale_price * ratio
        if minimum > 0 and net_unit_price < minimum:
            errors.append(
                _("Row %(row)s: product %(code)s price %(price)s is below the minimum selling price %(minimum)s")
                % {"row": row, "code": product.code, "price": money(net_unit_price), "minimum": money(minimum)}
            )
            continue
        tax_rate = line.tax_rate if line.tax_rate is not None else product.tax_rate
        net, tax, total = line_amounts(
            quantity=line.quantity, unit_price=unit_price, discount_percent=discount, tax_rate=tax_rate
        )
        built.append(
            SalesOrderLine(
                line_no=row,
                product=product,
                unit_id=unit_id,
                ratio=ratio,
                quantity=line.quantity,
                base_quantity=line.quantity * ratio,
                unit_price=unit_price,
                discount_percent=discount,
                tax_rate=tax_rate,
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
            )
        )
    if errors:
        raise ValidationError(errors, code="invalid_line")
    return built


HEADER_FIELDS = ["customer", "warehouse", "salesperson", "order_date", "delivery_date", "remarks"]


def _insert_document(document, lines: list, *, prefix: str, day: datetime.date, actor: Any, total_in_audit=False):
    """Save a new draft ``document`` (its number drawn for ``day`` once it is valid) and its ``lines``."""
    set_totals(document, lines)
    document.full_clean(exclude=["number"])
    document.number = document_number_next(prefix=prefix, day=day)
    document.save()
    link = document.lines.field.name  # the lines' foreign key to the document
    for line in lines:
        setattr(line, link, document)
    document.lines.model.objects.bulk_create(lines)
    changes = {"lines": [None, len(lines)]}
    if total_in_audit:
        changes["total_amount"] = [None, str(document.total_amount)]
    audit_record(actor=actor, action=AuditAction.CREATED, instance=document, changes=changes)
    return document


@atomic_with_retry
def sales_order_create(
    *,
    customer: Customer,
    warehouse: Warehouse,
    order_date: datetime.date,
    lines: Sequence[OrderLineInput],
    actor: Any,
    salesperson: Any = None,
    delivery_date: datetime.date | None = None,
    remarks: str = "",
) -> SalesOrder:
    """Create a draft order (XSDD number of ``order_date``); refuses bad rows and prices below minimum."""
    require_permission(actor, "sales.add_salesorder")
    built = _build_order_lines(customer=customer, lines=lines)
    order = SalesOrder(
        customer=customer,
        warehouse=warehouse,
        order_date=order_date,
        delivery_date=delivery_date,
        salesperson=salesperson or customer.salesperson,
        remarks=remarks,
        created_by=actor if actor and actor.is_authenticated else None,
        number="-",
    )
    return _insert_document(order, built, prefix="XSDD", day=order_date, actor=actor, total_in_audit=True)


@atomic_with_retry
def sales_order_update(
    *,
    order: SalesOrder,
    actor: Any,
    customer: Customer,
    warehouse: Warehouse,
    order_date: datetime.date,
    lines: Sequence[OrderLineInput],
    salesperson: Any = None,
    delivery_date: datetime.date | None = None,
    remarks: str = "",
) -> SalesOrder:
    """Replace the header and lines of a draft order."""
    require_permission(actor, "sales.change_salesorder")
    order = _lock_order(order)
    if order.status != S.DRAFT:
        raise wrong_state(order, pgettext("action", "edited"))
    built = _build_order_lines(customer=customer, lines=lines)
    before = {name: getattr(order, name) for name in [*HEADER_FIELDS, "total_amount"]}
    order.customer = customer
    order.warehouse = warehouse
    order.order_date = order_date
    order.delivery_date = delivery_date
    order.salesperson = salesperson or customer.salesperson
    order.remarks = remarks
    set_totals(order, built)
    order.full_clean()
    order.save()
    order.lines.all().delete()
    for line in built:
        line.order = order
    SalesOrderLine.objects.bulk_create(built)
    changes = model_changes(order, before, [*HEADER_FIELDS, "total_amount"])
    changes["lines"] = [None, len(built)]
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=order, changes=changes)
    return order


def _credit_check(order: SalesOrder) -> tuple[bool, dict]:
    """Whether outstanding + open orders + this order exceed the customer's limit (None: no limit)."""
    position = customer_credit_position(order.customer, exclude_order=order)
    if position["limit"] is None:
        return False, position
    exposure = position["outstanding"] + position["open_orders"] + order.total_amount
    return exposure > position["limit"], {**position, "exposure": exposure}


def _credit_error(order: SalesOrder, position: dict) -> ValidationError:
    return ValidationError(
        _(
            "Sales order %(number)s would take customer %(customer)s to %(exposure)s, over the credit limit "
            "%(limit)s: a manager must approve it."
        )
        % {
            "number": order.number,
            "customer": order.customer.code,
            "exposure": money(position["exposure"]),
            "limit": money(position["limit"]),
        },
        code="credit_limit",
    )


@atomic_with_retry
def sales_order_submit(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Draft → pending approval; flags the order when it would exceed the customer's credit limit."""
    require_permission(actor, "sales.change_salesorder")
    order = _lock_order(order)
    SALES_ORDER_PIPELINE.check(order, "submit", actor)
    _lock_customer(order.customer_id)
    exceeded, _position = _credit_check(order)
    before = {"status": order.status, "over_credit_limit": order.over_credit_limit}
    order.status = S.PENDING
    order.over_credit_limit = exceeded
    order.save(update_fields=["status", "over_credit_limit", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.SUBMITTED,
        instance=order,
        changes=model_changes(order, before, ["status", "over_credit_limit"]),
    )
    return order


@atomic_with_retry
def sales_order_withdraw(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Pending → draft so the clerk can edit it again; a credit approval is dropped."""
    require_permission(actor, "sales.change_salesorder")
    order = _lock_order(order)
    SALES_ORDER_PIPELINE.check(order, "withdraw", actor)
    order.status = S.DRAFT
    order.credit_approved_by = None
    order.credit_approved_at = None
    order.save(update_fields=["status", "credit_approved_by", "credit_approved_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.WITHDRAWN, instance=order, changes={"status": [S.PENDING, S.DRAFT]})
    return order


def _approve_credit(order: SalesOrder, actor: Any) -> None:
    order.credit_approved_by = actor
    order.credit_approved_at = timezone.now()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVED,
        instance=order,
        changes={"credit_approved_by": [None, str(actor)]},
    )


@atomic_with_retry
def sales_order_approve(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """A manager accepts a pending order over the customer's credit limit (it can then be approved)."""
    order = _lock_order(order)
    SALES_ORDER_PIPELINE.check(order, "approve", actor)
    _approve_credit(order, actor)
    order.save(update_fields=["credit_approved_by", "credit_approved_at", "updated_at"])
    return order


@atomic_with_retry
def sales_order_confirm(*, order: SalesOrder, actor: Any, allow_backorder: bool = False) -> SalesOrder:
    """Pending → approved (已审核): re-check credit and reserve stock for every line.

    Credit: over the limit without a manager's approval is refused (a manager confirming approves
    it). Stock: all-or-nothing (``InsufficientStock`` naming every short row, nothing reserved),
    or with ``allow_backorder`` each line reserves what is available and backorders the rest.
    Locks the order, then the customer (serialising credit checks), then the stock balances.
    """
    require_permission(actor, "sales.change_salesorder")
    order = _lock_order(order)
    SALES_ORDER_PIPELINE.check(order, "confirm", actor)
    _lock_customer(order.customer_id)
    exceeded, position = _credit_check(order)
    order.over_credit_limit = exceeded
    if exceeded and order.credit_approved_by_id is None:
        if not actor.has_perm("sales.approve_salesorder"):
            raise _credit_error(order, position)
        _approve_credit(order, actor)
    lines = list(order.lines.select_for_update().order_by("pk"))
    try:
        reserved = stock_reserve(
            lines=[
                ReservationLine(line.product_id, order.warehouse_id, line.base_quantity, line.line_no) for line in lines
            ],
            allow_partial=allow_backorder,
        )
    except InsufficientStock as error:
        error.error_list.insert(
            0,
            ValidationError(
                _("Sales order %(number)s cannot be approved: insufficient stock.") % {"number": order.number}
            ),
        )
        raise
    backordered = {}
    for line, granted in zip(lines, reserved, strict=True):
        line.reserved_quantity = granted
        if granted < line.base_quantity:
            backordered[str(line.line_no)] = plain(line.base_quantity - granted)
    SalesOrderLine.objects.bulk_update(lines, ["reserved_quantity"])
    order.status = S.CONFIRMED
    order.confirmed_by = actor
    order.confirmed_at = timezone.now()
    order.save(
        update_fields=[
            "status",
            "over_credit_limit",
            "credit_approved_by",
            "credit_approved_at",
            "confirmed_by",
            "confirmed_at",
            "updated_at",
        ]
    )
    changes: dict = {"status": [S.PENDING, S.CONFIRMED]}
    if backordered:
        changes["backordered"] = [None, backordered]
    audit_record(actor=actor, action=AuditAction.APPROVED, instance=order, changes=changes)
    return order


@atomic_with_retry
def sales_order_reserve_backorders(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Reserve what has become available for the backordered part of an approved order."""
    require_permission(actor, "sales.change_salesorder")
    order = _lock_order(order)
    SALES_ORDER_PIPELINE.check(order, "reserve", actor)
    lines = [
        line
        for line in order.lines.select_for_update().order_by("pk")
        if line.base_quantity - line.reserved_quantity - line.shipped_quantity > 0
    ]
    if not lines:
        raise ValidationError(_("Sales order %(number)s has no backorders.") % {"number": order.number})
    granted = stock_reserve(
        lines=[
            ReservationLine(
                line.product_id,
                order.warehouse_id,
                line.base_quantity - line.reserved_quantity - line.shipped_quantity,
                line.line_no,
            )
            for line in lines
        ],
        document_number=order.number,
        allow_partial=True,
    )
    for line, quantity in zip(lines, granted, strict=True):
        line.reserved_quantity += quantity
    SalesOrderLine.objects.bulk_update(lines, ["reserved_quantity"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        instance=order,
        changes={"reserved": [None, {str(line.line_no): plain(q) for line, q in zip(lines, granted, strict=True)}]},
    )
    return order


def _release_reservations(order: SalesOrder) -> dict[str, str]:
    lines = [line for line in order.lines.select_for_update().order_by("pk") if line.reserved_quantity > 0]
    if not lines:
        return {}
    stock_reserve(
        lines=[
            ReservationLine(line.product_id, order.warehouse_id, -line.reserved_quantity, line.line_no)
            for line in lines
        ],
        document_number=order.number,
    )
    released = {str(line.line_no): plain(line.reserved_quantity) for line in lines}
    for line in lines:
        line.reserved_quantity = ZERO
    SalesOrderLine.objects.bulk_update(lines, ["reserved_quantity"])
    return released


def _end_order(order: SalesOrder, actor: Any, action: str) -> SalesOrder:
    order = _lock_order(order)
    transition = SALES_ORDER_PIPELINE.check(order, action, actor)
    before = order.status
    released = _release_reservations(order) if order.is_open else {}
    order.status = transition.target
    order.save(update_fields=["status", "updated_at"])
    changes: dict = {"status": [before, transition.target]}
    if released:
        changes["released"] = [released, None]
    audit_record(actor=actor, action=transition.audit_action, instance=order, changes=changes)
    return order


@atomic_with_retry
def sales_order_close(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Approved or partially shipped → closed: nothing more ships; the remaining reservation is released."""
    return _end_order(order, actor, "close")


@atomic_with_retry
def sales_order_cancel(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Void an order that shipped nothing; an approved order's reservation is released."""
    return _end_order(order, actor, "cancel")


# ---------------------------------------------------------------------------------------------
# Shipments
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentLineInput:
    """Ship ``quantity`` (in the order line's unit) of one order line."""

    order_line: SalesOrderLine
    quantity: Decimal


def _build_shipment_lines(
    *, customer: Customer, warehouse: Warehouse, lines: Sequence[ShipmentLineInput]
) -> list[ShipmentLine]:
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ValidationError(_("A delivery needs at least one line with a quantity."), code="empty")
    order_lines = {
        ol.pk: ol
        for ol in SalesOrderLine.objects.select_related("order", "product").filter(
            pk__in={line.order_line.pk for line in lines}
        )
    }
    errors: list[str] = []
    built: list[ShipmentLine] = []
    requested: dict[int, Decimal] = defaultdict(Decimal)
    for row, line in enumerate(lines, start=1):
        order_line = order_lines[line.order_line.pk]
        order = order_line.order
        code = order_line.product.code
        if order.customer_id != customer.pk or order.warehouse_id != warehouse.pk:
            errors.append(
                _("Row %(row)s: order %(order)s is not for this customer and warehouse.")
                % {"row": row, "order": order.number}
            )
            continue
        if not order.is_open:
            errors.append(
                _("Row %(row)s: order %(order)s is %(status)s and cannot ship.")
                % {"row": row, "order": order.number, "status": order.get_status_display()}
            )
            continue
        if line.quantity < 0:
            errors.append(_("Row %(row)s: product %(code)s needs a quantity above zero.") % {"row": row, "code": code})
            continue
        base_quantity = line.quantity * order_line.ratio
        requested[order_line.pk] += base_quantity
        if requested[order_line.pk] > order_line.open_quantity:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: shipping %(requested)s is more than the %(open)s "
                    "still open on %(order)s"
                )
                % {
                    "row": row,
                    "code": code,
                    "requested": plain(requested[order_line.pk]),
                    "open": plain(order_line.open_quantity),
                    "order": order.number,
                }
            )
            continue
        net_unit = (order_line.unit_price * (HUNDRED - order_line.discount_percent) / HUNDRED).quantize(
            PRICE_QUANT, rounding=ROUND_HALF_UP
        )
        net, tax, total = line_amounts(
            quantity=line.quantity, unit_price=net_unit, discount_percent=ZERO, tax_rate=order_line.tax_rate
        )
        built.append(
            ShipmentLine(
                line_no=row,
                order_line=order_line,
                product_id=order_line.product_id,
                unit_id=order_line.unit_id,
                ratio=order_line.ratio,
                quantity=line.quantity,
                base_quantity=base_quantity,
                unit_price=net_unit,
                tax_rate=order_line.tax_rate,
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
            )
        )
    if errors:
        raise ValidationError(errors, code="invalid_line")
    return built


@atomic_with_retry
def shipment_create(
    *,
    customer: Customer,
    warehouse: Warehouse,
    ship_date: datetime.date,
    lines: Sequence[ShipmentLineInput],
    actor: Any,
    remarks: str = "",
) -> Shipment:
    """A draft delivery picking open lines of the customer's approved orders in ``warehouse``."""
    require_permission(actor, "sales.add_shipment")
    built = _build_shipment_lines(customer=customer, warehouse=warehouse, lines=lines)
    shipment = Shipment(
        customer=customer,
        warehouse=warehouse,
        ship_date=ship_date,
        remarks=remarks,
        created_by=actor if actor and actor.is_authenticated else None,
        number="-",
    )
    return _insert_document(shipment, built, prefix="XSCK", day=ship_date, actor=actor)


@atomic_with_retry
def shipment_update(
    *, shipment: Shipment, ship_date: datetime.date, lines: Sequence[ShipmentLineInput], actor: Any, remarks: str = ""
) -> Shipment:
    """Replace the date, remarks and lines of a draft delivery."""
    require_permission(actor, "sales.change_shipment")
    shipment = lock(shipment, "customer", "warehouse")
    if shipment.status != DocumentStatus.DRAFT:
        raise wrong_state(shipment, pgettext("action", "edited"))
    built = _build_shipment_lines(customer=shipment.customer, warehouse=shipment.warehouse, lines=lines)
    before = {"ship_date": shipment.ship_date, "remarks": shipment.remarks, "total_amount": shipment.total_amount}
    shipment.ship_date = ship_date
    shipment.remarks = remarks
    set_totals(shipment, built)
    shipment.full_clean()
    shipment.save()
    shipment.lines.all().delete()
    for line in built:
        line.shipment = shipment
    ShipmentLine.objects.bulk_create(built)
    changes = model_changes(shipment, before, ["ship_date", "remarks", "total_amount"])
    changes["lines"] = [None, len(built)]
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=shipment, changes=changes)
    return shipment


@atomic_with_retry
def shipment_cancel(*, shipment: Shipment, actor: Any) -> Shipment:
    """Void a draft delivery (a posted one is corrected by a sales return)."""
    return document_transition(pipeline=SHIPMENT_PIPELINE, document=shipment, action="cancel", actor=actor)


@atomic_with_retry
def shipment_post(*, shipment: Shipment, actor: Any) -> Shipment:
    """Post a draft delivery: issue its stock, consume reservations, record cost and margin, owe it.

    Locks the delivery (a second post is refused), the orders it ships and all their lines, then
    validates every row at once (over-shipment against what is still open; short stock from the
    ledger naming every short row). Each line issues at moving average cost, consuming up to its
    order line's remaining reservation; the rest must be free stock. Records cost (= −movement
    value), revenue, gross profit and margin % per line, moves the orders to partially shipped /
    completed and creates the receivable (due after the customer's credit term). Runs a
    constant number of queries whatever the number of lines.
    """
    shipment = lock(shipment, "customer")
    SHIPMENT_PIPELINE.check(shipment, "post", actor)
    lines = list(shipment.lines.select_related("product").order_by("line_no"))
    order_line_ids = {line.order_line_id for line in lines}
    order_ids = set(SalesOrderLine.objects.filter(pk__in=order_line_ids).values_list("order_id", flat=True))
    orders = {
        order.pk: order for order in SalesOrder.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")
    }
    all_order_lines = list(SalesOrderLine.objects.select_for_update().filter(order_id__in=order_ids).order_by("pk"))
    order_lines = {ol.pk: ol for ol in all_order_lines}
    prior = {
        row["order_line_id"]: row
        for row in ShipmentLine.objects.filter(order_line_id__in=order_line_ids, shipment__status=DocumentStatus.POSTED)
        .values("order_line_id")
        .annotate(net=Sum("net_amount"), tax=Sum("tax_amount"))
    }

    errors: list[str] = []
    stock_lines: list[StockLine] = []
    shipped_now: dict[int, Decimal] = defaultdict(Decimal)
    reserved_left = {ol.pk: ol.reserved_quantity for ol in all_order_lines}
    for line in lines:
        order_line = order_lines[line.order_line_id]
        order = orders[order_line.order_id]
        if not order.is_open:
            errors.append(
                _("Row %(row)s: order %(order)s is %(status)s and cannot ship.")
                % {"row": line.line_no, "order": order.number, "status": order.get_status_display()}
            )
            continue
        shipped_now[order_line.pk] += line.base_quantity
        open_quantity = order_line.base_quantity - order_line.shipped_quantity
        if shipped_now[order_line.pk] > open_quantity:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: shipping %(requested)s is more than the %(open)s "
                    "still open on %(order)s"
                )
                % {
                    "row": line.line_no,
                    "code": line.product.code,
                    "requested": plain(shipped_now[order_line.pk]),
                    "open": plain(open_quantity),
                    "order": order.number,
                }
            )
            continue
        release = min(reserved_left[order_line.pk], line.base_quantity)
        reserved_left[order_line.pk] -= release
        stock_lines.append(
            StockLine(
                product_id=line.product_id,
                warehouse_id=shipment.warehouse_id,
                quantity=-line.base_quantity,
                movement_type=MovementType.SALES_SHIPMENT,
                release_reserved=release,
                line_no=line.line_no,
            )
        )
    if errors:
        raise ValidationError(errors, code="over_shipment")

    def finish(posting) -> list[str]:
        """Revenue, cost and margin per line from its movement; the orders' shipped quantities."""
        # Revenue: pro rata per delivery, except the delivery that completes an order line takes
        # what is left of the line's amount, so the line's deliveries add up to the order exactly.
        taken: dict[int, tuple[Decimal, Decimal]] = {
            pk: (row["net"] or ZERO, row["tax"] or ZERO) for pk, row in prior.items()
        }
        for line, movement in zip(lines, posting.movement_list, strict=True):
            order_line = order_lines[line.order_line_id]
            order_line.shipped_quantity += line.base_quantity
            prior_net, prior_tax = taken.get(order_line.pk, (ZERO, ZERO))
            if order_line.shipped_quantity == order_line.base_quantity:
                line.net_amount = order_line.net_amount - prior_net
                line.tax_amount = order_line.tax_amount - prior_tax
                line.total_amount = line.net_amount + line.tax_amount
            taken[order_line.pk] = (prior_net + line.net_amount, prior_tax + line.tax_amount)
            line.movement = movement
            line.cost_amount = -movement.value
            line.margin_amount = line.net_amount - line.cost_amount
            line.margin_percent = money(line.margin_amount * HUNDRED / line.net_amount) if line.net_amount else ZERO
        for order_line in all_order_lines:
            order_line.reserved_quantity = reserved_left[order_line.pk]
        ShipmentLine.objects.bulk_update(
            lines,
            ["net_amount", "tax_amount", "total_amount", "movement", "cost_amount", "margin_amount", "margin_percent"],
        )
        touched = [ol for ol in all_order_lines if ol.pk in order_line_ids]
        SalesOrderLine.objects.bulk_update(touched, ["shipped_quantity", "reserved_quantity"])
        set_totals(shipment, lines)
        shipment.cost_amount = sum((line.cost_amount for line in lines), ZERO)
        shipment.margin_amount = shipment.net_amount - shipment.cost_amount
        return ["net_amount", "tax_amount", "total_amount", "cost_amount", "margin_amount"]

    document_post(
        pipeline=SHIPMENT_PIPELINE,
        document=shipment,
        stock_lines=stock_lines,
        lines=None,  # linked in ``finish``, with the revenue, cost and margin of each line
        actor=actor,
        finish=finish,
        changes=lambda: {"cost_amount": [None, str(shipment.cost_amount)]},
    )

    lines_by_order: dict[int, list[SalesOrderLine]] = defaultdict(list)
    for order_line in all_order_lines:
        lines_by_order[order_line.order_id].append(order_line)
    changed_orders = []
    for order in orders.values():
        done = all(ol.shipped_quantity >= ol.base_quantity for ol in lines_by_order[order.pk])
        target = S.COMPLETED if done else S.PARTIAL
        _check_transition(order, target)
        if order.status != target:
            changed_orders.append((order, order.status))
            order.status = target
    if changed_orders:
        SalesOrder.objects.bulk_update([order for order, _before in changed_orders], ["status"])
        for order, before in changed_orders:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGED,
                instance=order,
                changes={"status": [before, order.status]},
            )
    receivable = Receivable.objects.create(
        customer=shipment.customer,
        shipment=shipment,
        document_date=shipment.ship_date,
        due_date=shipment.ship_date + datetime.timedelta(days=shipment.customer.payment_terms_days),
        amount=shipment.total_amount,
    )
    ReceivableEntry.objects.create(
        customer=shipment.customer,
        receivable=receivable,
        document_date=shipment.ship_date,
        kind=EntryKind.SHIPMENT,
        document_number=shipment.number,
        amount=shipment.total_amount,
        shipment=shipment,
    )
    return shipment


# ---------------------------------------------------------------------------------------------
# Returns
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLineInput:
    """Return ``quantity`` (in the delivery line's unit) of one delivery line."""

    shipment_line: ShipmentLine
    quantity: Decimal
    disposition: str = ReturnDisposition.RESTOCK
    scrap_reason: str = ""


def _build_return_lines(*, shipment: Shipment, lines: Sequence[ReturnLineInput]) -> list[SalesReturnLine]:
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ValidationError(_("A return needs at least one line with a quantity."), code="empty")
    shipment_lines = {
        sl.pk: sl
        for sl in ShipmentLine.objects.select_related("product").filter(
            pk__in={line.shipment_line.pk for line in lines}
        )
    }
    errors: list[str] = []
    built: list[SalesReturnLine] = []
    requested: dict[int, Decimal] = defaultdict(Decimal)
    for seq, line in enumerate(lines, start=1):
        shipment_line = shipment_lines[line.shipment_line.pk]
        code = shipment_line.product.code
        if shipment_line.shipment_id != shipment.pk:
            errors.append(_("Row %(row)s: the line is not on delivery %(number)s.") % {"row": seq, "number": shipment})
            continue
        row = shipment_line.line_no  # the "#" the return form shows, whichever rows were left empty
        if line.quantity < 0:
            errors.append(_("Row %(row)s: product %(code)s needs a quantity above zero.") % {"row": row, "code": code})
            continue
        if line.disposition == ReturnDisposition.SCRAP and not line.scrap_reason.strip():
            errors.append(_("Row %(row)s: product %(code)s is scrapped; give the reason.") % {"row": row, "code": code})
            continue
        base_quantity = line.quantity * shipment_line.ratio
        requested[shipment_line.pk] += base_quantity
        if requested[shipment_line.pk] > shipment_line.returnable_quantity:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: returning %(requested)s is more than the %(left)s "
                    "shipped and not yet returned"
                )
                % {
                    "row": row,
                    "code": code,
                    "requested": plain(requested[shipment_line.pk]),
                    "left": plain(shipment_line.returnable_quantity),
                }
            )
            continue
        net, tax, total = line_amounts(
            quantity=line.quantity,
            unit_price=shipment_line.unit_price,
            discount_percent=ZERO,
            tax_rate=shipment_line.tax_rate,
        )
        built.append(
            SalesReturnLine(
                line_no=seq,
                shipment_line=shipment_line,
                product_id=shipment_line.product_id,
                unit_id=shipment_line.unit_id,
                ratio=shipment_line.ratio,
                quantity=line.quantity,
                base_quantity=base_quantity,
                disposition=line.disposition,
                scrap_reason=line.scrap_reason.strip() if line.disposition == ReturnDisposition.SCRAP else "",
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
            )
        )
    if errors:
        raise ValidationError(errors, code="invalid_line")
    return built


@atomic_with_retry
def sales_return_create(
    *,
    shipment: Shipment,
    return_date: datetime.date,
    lines: Sequence[ReturnLineInput],
    actor: Any,
    reason: str = "",
) -> SalesReturn:
    """A draft return against a posted delivery; refuses more than shipped minus already returned."""
    require_permission(actor, "sales.add_salesreturn")
    if shipment.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("Delivery %(number)s is not posted; only posted goods can be returned.") % {"number": shipment.number}
        )
    built = _build_return_lines(shipment=shipment, lines=lines)
    sales_return = SalesReturn(
        customer_id=shipment.customer_id,
        shipment=shipment,
        warehouse_id=shipment.warehouse_id,
        return_date=return_date,
        reason=reason,
        created_by=actor if actor and actor.is_authenticated else None,
        number="-",
    )
    return _insert_document(sales_return, built, prefix="XSTH", day=return_date, actor=actor)


@atomic_with_retry
def sales_return_cancel(*, sales_return: SalesReturn, actor: Any) -> SalesReturn:
    """Void a draft return."""
    return document_transition(pipeline=SALES_RETURN_PIPELINE, document=sales_return, action="cancel", actor=actor)


@atomic_with_retry
def sales_return_post(*, sales_return: SalesReturn, actor: Any) -> SalesReturn:
    """Post a draft return: goods come back at the cost they left with; the receivable is credited.

    Restocked lines post SALES_RETURN at the delivery movement's unit cost. Scrapped lines are
    posted in at that cost and straight out again as a miscellaneous issue of the same value,
    so the ledger shows the goods came back and were written off, and the sales analysis
    reverses revenue and cost of every returned line alike. The return that brings a delivery
    line back in full takes what is left of its revenue and cost (no rounding residue).
    """
    sales_return = lock(sales_return, "customer")
    SALES_RETURN_PIPELINE.check(sales_return, "post", actor)
    lines = list(sales_return.lines.select_related("product").order_by("line_no"))
    shipment_lines = {
        sl.pk: sl
        for sl in ShipmentLine.objects.select_for_update(of=("self",))
        .select_related("movement")
        .filter(pk__in={line.shipment_line_id for line in lines})
        .order_by("pk")
    }
    prior = {
        row["shipment_line_id"]: row
        for row in SalesReturnLine.objects.filter(
            shipment_line_id__in=shipment_lines.keys(), sales_return__status=DocumentStatus.POSTED
        )
        .values("shipment_line_id")
        .annotate(net=Sum("net_amount"), tax=Sum("tax_amount"), cost=Sum("cost_amount"))
    }
    errors: list[str] = []
    for line in lines:
        shipment_line = shipment_lines[line.shipment_line_id]
        if shipment_line.returned_quantity + line.base_quantity > shipment_line.base_quantity:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: returning %(requested)s is more than the %(left)s "
                    "shipped and not yet returned"
                )
                % {
                    "row": line.line_no,
                    "code": line.product.code,
                    "requested": plain(line.base_quantity),
                    "left": plain(shipment_line.returnable_quantity),
                }
            )
            continue
        shipment_line.returned_quantity += line.base_quantity
    if errors:
        raise ValidationError(errors, code="over_return")

    stock_lines: list[StockLine] = []
    taken = {pk: (row["net"] or ZERO, row["tax"] or ZERO, row["cost"] or ZERO) for pk, row in prior.items()}
    for line in lines:
        shipment_line = shipment_lines[line.shipment_line_id]
        unit_cost = shipment_line.movement.unit_cost
        prior_net, prior_tax, prior_cost = taken.get(shipment_line.pk, (ZERO, ZERO, ZERO))
        if shipment_line.returned_quantity == shipment_line.base_quantity:
            line.net_amount = shipment_line.net_amount - prior_net
            line.tax_amount = shipment_line.tax_amount - prior_tax
            line.total_amount = line.net_amount + line.tax_amount
            line.cost_amount = shipment_line.cost_amount - prior_cost
        else:
            line.cost_amount = money(line.base_quantity * unit_cost)
        taken[shipment_line.pk] = (
            prior_net + line.net_amount,
            prior_tax + line.tax_amount,
            prior_cost + line.cost_amount,
        )
        line.unit_cost = unit_cost
        stock_lines.append(
            StockLine(
                product_id=line.product_id,
                warehouse_id=sales_return.warehouse_id,
                quantity=line.base_quantity,
                movement_type=MovementType.SALES_RETURN,
                unit_cost=unit_cost,
                value=line.cost_amount,
                line_no=line.line_no,
            )
        )
        if line.disposition == ReturnDisposition.SCRAP:
            stock_lines.append(
                StockLine(
                    product_id=line.product_id,
                    warehouse_id=sales_return.warehouse_id,
                    quantity=-line.base_quantity,
                    movement_type=MovementType.OTHER_ISSUE,
                    unit_cost=unit_cost,
                    value=-line.cost_amount,
                    line_no=line.line_no,
                )
            )

    def finish(posting) -> list[str]:
        """Each line points at its movement (and a scrapped line at its write-off)."""
        movements = iter(posting.movement_list)
        for line in lines:
            line.movement = next(movements)
            if line.disposition == ReturnDisposition.SCRAP:
                line.scrap_movement = next(movements)
        SalesReturnLine.objects.bulk_update(
            lines,
            ["net_amount", "tax_amount", "total_amount", "cost_amount", "unit_cost", "movement", "scrap_movement"],
        )
        ShipmentLine.objects.bulk_update(list(shipment_lines.values()), ["returned_quantity"])
        set_totals(sales_return, lines)
        sales_return.cost_amount = sum((line.cost_amount for line in lines), ZERO)
        return ["net_amount", "tax_amount", "total_amount", "cost_amount"]

    document_post(
        pipeline=SALES_RETURN_PIPELINE,
        document=sales_return,
        stock_lines=stock_lines,
        lines=None,  # linked in ``finish``: a scrapped line has two movements
        actor=actor,
        memo=sales_return.reason,
        finish=finish,
    )
    receivable = Receivable.objects.select_for_update().get(shipment_id=sales_return.shipment_id)
    receivable.credited_amount = F("credited_amount") + sales_return.total_amount
    receivable.save(update_fields=["credited_amount"])
    ReceivableEntry.objects.create(
        customer_id=sales_return.customer_id,
        receivable=receivable,
        document_date=sales_return.return_date,
        kind=EntryKind.RETURN,
        document_number=sales_return.number,
        amount=-sales_return.total_amount,
        sales_return=sales_return,
    )
    return sales_return


# ---------------------------------------------------------------------------------------------
# Receipts
# ---------------------------------------------------------------------------------------------


def _allocate(
    *,
    receipt: CustomerReceipt,
    amount: Decimal,
    allocations: Sequence[tuple[Receivable, Decimal]] | None,
) -> list[ReceiptAllocation]:
    """Match up to ``amount`` of ``receipt`` to receivables: as given, or oldest first (FIFO).

    Locks the customer's open receivables in id order. Refuses an allocation above what a
    receivable still owes, to another customer's receivable, or adding up to more than ``amount``.
    """
    open_receivables = {
        r.pk: r
        for r in Receivable.objects.select_for_update(of=("self",))
        .select_related("shipment")
        .filter(customer_id=receipt.customer_id, outstanding__gte=MONEY_QUANT)  # a cent: see open_receivables
        .order_by("pk")
    }
    plan: list[tuple[Receivable, Decimal]] = []
    if allocations is None:
        left = amount
        for receivable in sorted(open_receivables.values(), key=lambda r: (r.document_date, r.pk)):
            if left <= 0:
                break
            share = min(left, receivable.outstanding)
            plan.append((receivable, share))
            left -= share
    else:
        errors: list[str] = []
        requested: dict[int, tuple[Receivable, Decimal]] = {}
        for given, share in allocations:  # one allocation per receivable, however often it is named
            if share:
                requested[given.pk] = (given, requested.get(given.pk, (given, ZERO))[1] + share)
        for given, share in requested.values():
            receivable = open_receivables.get(given.pk)
            if receivable is None:
                errors.append(
                    _("%(document)s owes nothing or is not this customer's.") % {"document": given.shipment.number}
                )
            elif share < 0 or share > receivable.outstanding:
                errors.append(
                    _("%(document)s: allocating %(amount)s is more than the %(outstanding)s outstanding.")
                    % {
                        "document": receivable.shipment.number,
                        "amount": money(share),
                        "outstanding": money(receivable.outstanding),
                    }
                )
            else:
                plan.append((receivable, share))
        total = sum((share for _r, share in plan), ZERO)
        if total > amount:
            errors.append(
                _("The allocations add up to %(total)s, more than the %(amount)s available.")
                % {"total": money(total), "amount": money(amount)}
            )
        if errors:
            raise ValidationError(errors, code="over_allocation")
    rows = [ReceiptAllocation(receipt=receipt, receivable=receivable, amount=share) for receivable, share in plan]
    ReceiptAllocation.objects.bulk_create(rows)
    for receivable, share in plan:
        receivable.received_amount += share
    Receivable.objects.bulk_update([receivable for receivable, _share in plan], ["received_amount"])
    return rows


@atomic_with_retry
def customer_receipt_create(
    *,
    customer: Customer,
    receipt_date: datetime.date,
    amount: Decimal,
    actor: Any,
    method: str = "bank",
    reference: str = "",
    notes: str = "",
    allocations: Sequence[tuple[Receivable, Decimal]] | None = None,
) -> CustomerReceipt:
    """Record money received (SKD number) and match it to the customer's receivables.

    ``allocations`` None matches oldest first; a list matches as given. What is not matched
    stays on the receipt as an advance (allocate it later with ``customer_receipt_allocate``).
    """
    require_permission(actor, "sales.add_customerreceipt")
    receipt = CustomerReceipt(
        customer=customer,
        receipt_date=receipt_date,
        amount=amount,
        method=method,
        reference=reference,
        notes=notes,
        created_by=actor if actor and actor.is_authenticated else None,
        number="-",
    )
    receipt.full_clean(exclude=["number"])
    receipt.number = document_number_next(prefix="SKD", day=receipt_date)
    receipt.save()
    rows = _allocate(receipt=receipt, amount=amount, allocations=allocations)
    receipt.allocated_amount = sum((row.amount for row in rows), ZERO)
    receipt.save(update_fields=["allocated_amount"])
    entries = money_entries(
        RECEIVABLES,
        party=customer,
        document_date=receipt_date,
        document_number=receipt.number,
        amount=amount,
        allocations=[(row.receivable, row.amount) for row in rows],
        receipt=receipt,
    )
    ReceivableEntry.objects.bulk_create(entries)
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        instance=receipt,
        changes={"amount": [None, str(amount)], "allocated_amount": [None, str(receipt.allocated_amount)]},
    )
    return receipt


@atomic_with_retry
def customer_receipt_allocate(
    *, receipt: CustomerReceipt, actor: Any, allocations: Sequence[tuple[Receivable, Decimal]] | None = None
) -> CustomerReceipt:
    """Match the unallocated rest of a receipt (an advance) to receivables, oldest first by default."""
    require_permission(actor, "sales.change_customerreceipt")
    receipt = CustomerReceipt.objects.select_for_update().get(pk=receipt.pk)
    rest = receipt.unallocated_amount
    if rest <= 0:
        raise ValidationError(_("Receipt %(number)s is fully allocated.") % {"number": receipt.number})
    rows = _allocate(receipt=receipt, amount=rest, allocations=allocations)
    allocated = sum((row.amount for row in rows), ZERO)
    if not allocated:
        raise ValidationError(_("Customer %(customer)s owes nothing to allocate to.") % {"customer": receipt.customer})
    receipt.allocated_amount += allocated
    receipt.save(update_fields=["allocated_amount", "updated_at"])
    # The advance moves onto the receivables, on the receipt's date.
    entries = allocation_entries(
        RECEIVABLES,
        party=receipt.customer_id,
        document_date=receipt.receipt_date,
        document_number=receipt.number,
        allocations=[(row.receivable, row.amount) for row in rows],
        receipt=receipt,
    )
    ReceivableEntry.objects.bulk_create(entries)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        instance=receipt,
        changes={"allocated_amount": [str(receipt.allocated_amount - allocated), str(receipt.allocated_amount)]},
    )
    return receipt


# ---------------------------------------------------------------------------------------------
# Customers' sales data
# ---------------------------------------------------------------------------------------------


@atomic_with_retry
def customer_tags_set(*, customer: Customer, names: Sequence[str], actor: Any) -> list[CustomerTag]:
    """Give the customer exactly these tags, creating tags that do not exist yet."""
    require_permission(actor, "sales.change_customertag")
    wanted = []
    for name in names:
        name = name.strip()
        if name and name not in wanted:
            wanted.append(name)
    errors = [_("The tag %(name)s is longer than 32 characters.") % {"name": n} for n in wanted if len(n) > 32]
    if errors:
        raise ValidationError(errors, code="invalid_tag")
    before = sorted(CustomerTag.objects.filter(customers=customer).values_list("name", flat=True))
    existing = {tag.name: tag for tag in CustomerTag.objects.filter(name__in=wanted)}
    created = CustomerTag.objects.bulk_create([CustomerTag(name=n) for n in wanted if n not in existing])
    tags = [*existing.values(), *created]
    if not created or any(tag.pk is None for tag in created):  # SQLite before 3.35 gives no ids back
        tags = list(CustomerTag.objects.filter(name__in=wanted))
    CustomerTagging.objects.filter(customer=customer).exclude(tag__in=tags).delete()
    CustomerTagging.objects.bulk_create(
        [CustomerTagging(customer=customer, tag=tag) for tag in tags], ignore_conflicts=True
    )
    after = sorted(tag.name for tag in tags)
    if before != after:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=customer, changes={"tags": [before, after]})
    return sorted(tags, key=lambda tag: tag.name)


@atomic_with_retry
def customer_follow_up_create(
    *,
    customer: Customer,
    date: datetime.date,
    channel: str,
    note: str,
    actor: Any,
    next_action: str = "",
    next_action_date: datetime.date | None = None,
) -> CustomerFollowUp:
    """Add an entry to the customer's follow-up log."""
    require_permission(actor, "sales.add_customerfollowup")
    follow_up = CustomerFollowUp(
        customer=customer,
        date=date,
        channel=channel,
        note=note,
        next_action=next_action,
        next_action_date=next_action_date,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    follow_up.full_clean()
    if next_action_date and next_action_date < date:
        raise ValidationError({"next_action_date": _("The next action cannot be before the follow-up date.")})
    follow_up.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        instance=follow_up,
        changes={"channel": [None, follow_up.get_channel_display()], "next_action": [None, next_action]},
    )
    return follow_up
