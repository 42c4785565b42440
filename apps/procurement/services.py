"""Writes for purchasing. Every service runs in one transaction and writes its audit rows there.

Purchase order status pipeline (``ORDER_PIPELINE``, rows in ``ORDER_TRANSITIONS``)::

    draft ──submit──▶ submitted ──approve──▶ approved ──receipts──▶ partially_received ──▶ received
      ▲   ◀─withdraw/reject─┘                   │  ▲                     │
      └───────────unapprove (nothing received)──┘  │                     └─close─▶ closed
    draft / submitted / approved (nothing received) ──cancel──▶ cancelled

Approval: an order whose total incl. tax is at least ``SystemSettings.purchase_approval_threshold``
waits in ``submitted`` for someone holding ``procurement.approve_purchaseorder`` who is neither its
buyer nor its creator. Below the threshold, submitting approves it automatically (recorded as an
approval by the system, ``approved_by`` empty); such an order can be unapproved by its buyer.

Receipts: only accepted quantities enter stock. The order line's ``accepted_quantity`` (stocked
in) drives the order's open quantity and status; ``received_quantity`` (arrived, accepted or
rejected) feeds the fill rate. Rejected goods do not consume the order, so the supplier may
deliver replacements.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from apps.core.amounts import HUNDRED, line_amounts, money, plain, set_totals
from apps.core.db import atomic_with_retry
from apps.core.documents.pipeline import (
    Pipeline,
    Transition,
    document_transition,
    lock,
    posting_pipeline,
    replace,
    wrong_state,
)
from apps.core.documents.registry import register
from apps.core.fields import COST_QUANT, PRICE_QUANT, QUANTITY_QUANT, ZERO
from apps.core.models import AuditAction, SystemSettings
from apps.core.services import audit_record, document_number_next, model_changes
from apps.core.subledger import allocation_entries, money_entries
from apps.inventory.models import MovementType
from apps.inventory.services import StockLine, document_post
from apps.masterdata.models import Product, ProductUnit, Supplier, Unit, Warehouse
from apps.procurement.models import (
    PAYABLES,
    DocumentStatus,
    GoodsReceipt,
    GoodsReceiptLine,
    Payable,
    PayableKind,
    PaymentAllocation,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReturn,
    PurchaseReturnLine,
    SupplierPayment,
    SupplierPrice,
)
from apps.procurement.selectors import price_defaults, receipts_with_outstanding, valid_price_rows

S = PurchaseOrderStatus


# --- numbers ----------------------------------------------------------------------------------


def _require(actor: Any, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))


def _units_of(products: Sequence[Product]) -> dict[tuple[int, int], Decimal]:
    """``{(product_id, unit_id): ratio}`` for the products' base and secondary units (one query)."""
    ratios = {(product.pk, product.base_unit_id): Decimal(1) for product in products}
    for product_id, unit_id, ratio in ProductUnit.objects.filter(product__in=products).values_list(
        "product_id", "unit_id", "ratio"
    ):
        ratios[(product_id, unit_id)] = ratio
    return ratios


# --- supplier price list ----------------------------------------------------------------------

PRICE_FIELDS = [
    "supplier",
    "product",
    "price",
    "min_order_qty",
    "pack_size",
    "lead_time_days",
    "is_preferred",
    "valid_from",
    "valid_to",
    "notes",
]


def _check_price_overlap(row: SupplierPrice) -> None:
    overlapping = SupplierPrice.objects.filter(supplier=row.supplier, product=row.product).exclude(pk=row.pk)
    if row.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=row.valid_to)
    overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=row.valid_from)).first()
    if overlapping is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(product)s already has a price from %(supplier)s valid %(start)s – %(end)s; "
                    "end that one first or choose dates that do not overlap."
                )
                % {
                    "product": row.product.code,
                    "supplier": row.supplier.name,
                    "start": overlapping.valid_from,
                    "end": overlapping.valid_to or "…",
                }
            }
        )


@atomic_with_retry
def supplier_price_create(*, actor: Any, data: dict[str, Any]) -> SupplierPrice:
    """Add a price-list row; refuses a validity range overlapping another row of the same pair."""
    row = SupplierPrice(**{name: data[name] for name in PRICE_FIELDS if name in data})
    row.full_clean()
    _check_price_overlap(row)
    row.save()
    audit_record(actor=actor, action=AuditAction.CREATED, instance=row)
    return row


@atomic_with_retry
def supplier_price_update(*, actor: Any, row: SupplierPrice, data: dict[str, Any]) -> SupplierPrice:
    row = SupplierPrice.objects.select_for_update().get(pk=row.pk)
    before = {name: getattr(row, name) for name in PRICE_FIELDS}
    for name in PRICE_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    row.full_clean()
    _check_price_overlap(row)
    row.save()
    changes = model_changes(row, before, PRICE_FIELDS)
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=row, changes=changes)
    return row


@atomic_with_retry
def supplier_price_delete(*, actor: Any, row: SupplierPrice) -> None:
    audit_record(actor=actor, action=AuditAction.DEACTIVATED, instance=row, changes={"deleted": True})
    row.delete()


# --- purchase orders --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineInput:
    """One line as the buyer entered it. ``unit`` defaults to the base unit; ``unit_price`` (net,
    per ``unit``) and ``tax_rate`` left ``None`` take the supplier's price and the product's rate."""

    product: Product
    quantity: Decimal
    unit: Unit | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None
    remarks: str = ""


def _build_order_lines(
    *, supplier: Supplier, order_date: datetime.date, lines: Sequence[OrderLineInput]
) -> tuple[list[PurchaseOrderLine], int | None]:
    """Unsaved order lines with prices, base quantities and amounts; raises naming every bad row.

    Also returns the longest price-list lead time of the lines (``None`` when none has one).
    """
    if not lines:
        raise ValidationError(_("An order needs at least one line."), code="empty")
    products = list({line.product.pk: line.product for line in lines}.values())
    ratios = _units_of(products)
    defaults = price_defaults(supplier_id=supplier.pk, products=products, on_date=order_date)
    errors: list[str] = []
    built: list[PurchaseOrderLine] = []
    lead_times: list[int] = []
    for row, line in enumerate(lines, start=1):
        product = line.product
        unit_id = line.unit.pk if line.unit is not None else product.base_unit_id
        ratio = ratios.get((product.pk, unit_id))
        if ratio is None:
            errors.append(
                _("Row %(row)s: product %(code)s has no unit %(unit)s.")
                % {"row": row, "code": product.code, "unit": line.unit}
            )
            continue
        if line.quantity is None or line.quantity <= 0:
            errors.append(
                _("Row %(row)s: product %(code)s: the quantity must be above zero.")
                % {"row": row, "code": product.code}
            )
            continue
        if line.unit_price is not None and line.unit_price < 0:
            errors.append(
                _("Row %(row)s: product %(code)s: the price cannot be negative.") % {"row": row, "code": product.code}
            )
            continue
        default = defaults[product.pk]
        base_quantity = (line.quantity * ratio).quantize(QUANTITY_QUANT)
        if default.min_order_qty and base_quantity < default.min_order_qty:
            errors.append(
                _("Row %(row)s: product %(code)s: %(quantity)s is below the supplier's minimum order quantity %(moq)s.")
                % {
                    "row": row,
                    "code": product.code,
                    "quantity": plain(base_quantity),
                    "moq": plain(default.min_order_qty),
                }
            )
            continue
        if default.pack_size and base_quantity % default.pack_size:
            errors.append(
                _("Row %(row)s: product %(code)s: %(quantity)s is not a multiple of the pack size %(pack)s.")
                % {
                    "row": row,
                    "code": product.code,
                    "quantity": plain(base_quantity),
                    "pack": plain(default.pack_size),
                }
            )
            continue
        if line.unit_price is None:
            unit_price, source = (default.unit_price * ratio).quantize(Decimal("0.0001")), default.source
        else:
            unit_price, source = line.unit_price, "manual"
        tax_rate = line.tax_rate if line.tax_rate is not None else product.tax_rate
        net, tax, total = line_amounts(quantity=line.quantity, unit_price=unit_price, tax_rate=tax_rate)
        if default.lead_time_days is not None:
            lead_times.append(default.lead_time_days)
        built.append(
            PurchaseOrderLine(
                line_no=row,
                product=product,
                unit_id=unit_id,
                ratio=ratio,
                quantity=line.quantity,
                base_quantity=base_quantity,
                unit_price=unit_price,
                tax_rate=tax_rate,
                unit_cost=(unit_price / ratio).quantize(COST_QUANT),
                list_unit_cost=default.list_price,
                price_source=source,
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
                remarks=line.remarks,
            )
        )
    if errors:
        raise ValidationError(errors, code="invalid_line")
    return built, (max(lead_times) if lead_times else None)


def _save_order_lines(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    for line in lines:
        line.order = order
        line.full_clean(exclude=["order", "product", "unit"], validate_unique=False, validate_constraints=False)
    PurchaseOrderLine.objects.bulk_create(lines)
    set_totals(order, lines)


HEADER_FIELDS = ["supplier", "warehouse", "order_date", "expected_date", "buyer", "remarks"]


@atomic_with_retry
def purchase_order_create(
    *,
    actor: Any,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[OrderLineInput],
    order_date: datetime.date | None = None,
    expected_date: datetime.date | None = None,
    buyer: Any = None,
    remarks: str = "",
) -> PurchaseOrder:
    """Create a draft order. Blank prices come from the supplier's price list (else the last
    purchase price, else the product's purchase price); a blank expected date is the order date
    plus the longest price-list lead time of its lines. Raises ValidationError naming every bad row."""
    _require(actor, "procurement.add_purchaseorder")
    order_date = order_date or timezone.localdate()
    built, lead = _build_order_lines(supplier=supplier, order_date=order_date, lines=lines)
    order = PurchaseOrder(
        number=document_number_next(prefix="CGDD", day=order_date),
        supplier=supplier,
        warehouse=warehouse,
        order_date=order_date,
        expected_date=expected_date or order_date + datetime.timedelta(days=lead or 0),
        buyer=buyer or actor,
        remarks=remarks,
        created_by=actor,
    )
    order.full_clean()
    order.save()
    _save_order_lines(order, built)
    order.save(update_fields=["net_amount", "tax_amount", "total_amount", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        instance=order,
        changes={"lines": [None, len(built)], "total_amount": [None, str(order.total_amount)]},
    )
    return order


def _locked_order(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=order.pk)


@atomic_with_retry
def purchase_order_update(
    *,
    actor: Any,
    order: PurchaseOrder,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[OrderLineInput],
    order_date: datetime.date | None = None,
    expected_date: datetime.date | None = None,
    buyer: Any = None,
    remarks: str = "",
) -> PurchaseOrder:
    """Replace a draft order's header and lines. Only drafts can be edited."""
    _require(actor, "procurement.change_purchaseorder")
    order = _locked_order(order)
    if order.status != S.DRAFT:
        raise wrong_state(order, pgettext("action", "edited"))
    before = {name: getattr(order, name) for name in [*HEADER_FIELDS, "total_amount"]}
    order_date = order_date or order.order_date
    built, lead = _build_order_lines(supplier=supplier, order_date=order_date, lines=lines)
    order.supplier, order.warehouse, order.order_date, order.remarks = supplier, warehouse, order_date, remarks
    order.expected_date = expected_date or order_date + datetime.timedelta(days=lead or 0)
    order.buyer = buyer or order.buyer
    order.full_clean()
    order.lines.all().delete()
    _save_order_lines(order, built)
    order.save()
    changes = model_changes(order, before, [*HEADER_FIELDS, "total_amount"])
    changes["lines"] = [None, len(built)]
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=order, changes=changes)
    return order


CHANGE = "procurement.change_purchaseorder"
APPROVE = "procurement.approve_purchaseorder"

ORDER_TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        frozenset({S.DRAFT}), S.SUBMITTED, CHANGE,
        gettext_lazy("Submit"), pgettext_lazy("action", "submitted"), AuditAction.SUBMITTED, "primary",
    ),
    "withdraw": Transition(
        frozenset({S.SUBMITTED}), S.DRAFT, CHANGE,
        gettext_lazy("Withdraw"), pgettext_lazy("action", "withdrawn"), AuditAction.WITHDRAWN, "outline-secondary",
    ),
    "approve": Transition(
        frozenset({S.SUBMITTED}), S.APPROVED, APPROVE,
        gettext_lazy("Approve"), pgettext_lazy("action", "approved"), AuditAction.APPROVED, "success", not_own=True,
    ),
    "reject": Transition(
        frozenset({S.SUBMITTED}), S.DRAFT, APPROVE,
        gettext_lazy("Reject"), pgettext_lazy("action", "rejected"), AuditAction.REJECTED, "outline-danger",
        needs_reason=True,
    ),
    "unapprove": Transition(
        frozenset({S.APPROVED}), S.DRAFT, APPROVE,
        gettext_lazy("Unapprove"), pgettext_lazy("action", "unapproved"), AuditAction.UNAPPROVED, "outline-warning",
    ),
    "close": Transition(
        frozenset({S.APPROVED, S.PARTIALLY_RECEIVED}), S.CLOSED, CHANGE,
        gettext_lazy("Force close"), pgettext_lazy("action", "closed"), AuditAction.CLOSED, "outline-dark",
        needs_reason=True,
    ),
    "cancel": Transition(
        frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED}), S.CANCELLED, CHANGE,
        gettext_lazy("Void"), pgettext_lazy("action", "voided"), AuditAction.CANCELLED, "outline-danger",
    ),
}  # fmt: skip

# Status changes made by posting receipts (not user actions).
RECEIVING_TRANSITIONS = {
    S.APPROVED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED}),
    S.PARTIALLY_RECEIVED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED}),
}

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(
        {t.target for t in ORDER_TRANSITIONS.values() if status in t.sources}
        | RECEIVING_TRANSITIONS.get(status, frozenset())
        | ({S.APPROVED} if status == S.DRAFT else set())  # submit below the threshold approves at once
    )
    for status in S.values
}


def _order_rule(order: PurchaseOrder, action: str, transition: Transition) -> Transition:
    """An order approved automatically (below the threshold) may be taken back by its buyer."""
    if action == "unapprove" and order.approved_by_id is None:
        return replace(transition, permission=CHANGE)
    return transition


ORDER_PIPELINE = register(
    PurchaseOrder,
    Pipeline(
        ORDER_TRANSITIONS,
        url_name="procurement:purchaseorder_{action}",
        owner_fields=("created_by_id", "buyer_id"),
        rule=_order_rule,
    ),
)


def _has_receipts(order: PurchaseOrder) -> bool:
    return order.receipts.exclude(status=DocumentStatus.CANCELLED).exists()


@atomic_with_retry
def purchase_order_transition(*, actor: Any, order: PurchaseOrder, action: str, reason: str = "") -> PurchaseOrder:
    """Move ``order`` along ``ORDER_PIPELINE[action]`` under a row lock and record who and when.

    Refuses (ValidationError) a transition from the wrong status, a second submit, approving
    one's own order, unapproving or voiding an order that has receipts, a reject/close without a
    reason; refuses (PermissionDenied) a role without the transition's permission.
    """
    if action not in ORDER_TRANSITIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    order = _locked_order(order)
    transition = ORDER_PIPELINE.check(order, action, actor, reason=reason)
    before_status = order.status
    now = timezone.now()
    changes: dict[str, Any] = {"status": [before_status, transition.target]}
    if reason:
        changes["reason"] = [None, reason]
    update_fields = ["status", "updated_at"]
    extra_audit = None
    if action == "submit":
        if not order.lines.exists():
            raise ValidationError(_("%(number)s has no lines.") % {"number": order.number}, code="empty")
        order.submitted_at = now
        update_fields.append("submitted_at")
        threshold = SystemSettings.load().purchase_approval_threshold
        order.status = transition.target
        if order.total_amount < threshold:
            order.status = S.APPROVED
            order.approved_at, order.approved_by = now, None
            update_fields += ["approved_at", "approved_by"]
            extra_audit = {
                "status": [S.SUBMITTED, S.APPROVED],
                "auto": [None, _("below the approval threshold %(threshold)s") % {"threshold": threshold}],
            }
    elif action == "approve":
        order.status = transition.target
        order.approved_at, order.approved_by = now, actor
        update_fields += ["approved_at", "approved_by"]
    elif action in ("unapprove", "cancel"):
        if _has_receipts(order) or order.lines.filter(received_quantity__gt=0).exists():
            raise ValidationError(
                _("%(number)s already has receipts; it cannot be %(action)s.")
                % {"number": order.number, "action": transition.past},
                code="has_receipts",
            )
        order.status = transition.target
        if action == "unapprove":
            order.approved_at, order.approved_by, order.submitted_at = None, None, None
            update_fields += ["approved_at", "approved_by", "submitted_at"]
    else:
        order.status = transition.target
        if action == "close":
            order.closed_at = now
            update_fields.append("closed_at")
        if action in ("withdraw", "reject"):
            order.submitted_at = None
            update_fields.append("submitted_at")
    if order.status not in ALLOWED_TRANSITIONS[before_status]:  # the table is the guard of last resort
        raise wrong_state(order, str(transition.past))
    order.save(update_fields=update_fields)
    if extra_audit:
        changes["status"] = [before_status, S.SUBMITTED]
    audit_record(actor=actor, action=transition.audit_action, instance=order, changes=changes)
    if extra_audit:
        audit_record(actor=None, action=AuditAction.APPROVED, instance=order, changes=extra_audit)
    return order


def purchase_order_submit(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="submit")


def purchase_order_withdraw(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="withdraw")


def purchase_order_approve(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="approve")


def purchase_order_reject(*, actor: Any, order: PurchaseOrder, reason: str) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="reject", reason=reason)


def purchase_order_unapprove(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="unapprove")


def purchase_order_close(*, actor: Any, order: PurchaseOrder, reason: str) -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="close", reason=reason)


def purchase_order_cancel(*, actor: Any, order: PurchaseOrder, reason: str = "") -> PurchaseOrder:
    return purchase_order_transition(actor=actor, order=order, action="cancel", reason=reason)


# --- goods receipts ---------------------------------------------------------------------------

RECEIVABLE_STATUSES = frozenset({S.APPROVED, S.PARTIALLY_RECEIVED})


RECEIPT_PIPELINE = register(
    GoodsReceipt,
    posting_pipeline(
        post_permission="procurement.post_goodsreceipt",
        cancel_permission="procurement.change_goodsreceipt",
        url_name="procurement:goodsreceipt_{action}",
    ),
)
RETURN_PIPELINE = register(
    PurchaseReturn,
    posting_pipeline(
        post_permission="procurement.post_purchasereturn",
        cancel_permission="procurement.change_purchasereturn",
        url_name="procurement:purchasereturn_{action}",
    ),
)


@dataclass(frozen=True)
class ReceiptLineInput:
    """One inspected line. Against an order give ``order_line`` (or just ``product``: its first
    open order line is taken); without an order give ``product`` and ``unit_price``. Quantities
    are in ``unit`` (default: the order line's unit; another unit of the product is converted
    through its ratio); ``accepted_quantity`` ``None`` = received − rejected."""

    received_quantity: Decimal
    order_line: PurchaseOrderLine | None = None
    product: Product | None = None
    accepted_quantity: Decimal | None = None
    rejected_quantity: Decimal = ZERO
    rejection_reason: str = ""
    unit: Unit | None = None
    warehouse: Warehouse | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None


def _tolerance() -> Decimal:
    return SystemSettings.load().receipt_tolerance_percent


def _over_receipt_errors(
    rows: Sequence[tuple[int, GoodsReceiptLine]], order_lines: dict[int, PurchaseOrderLine], tolerance: Decimal
) -> list[str]:
    """Rows whose accepted quantity takes an order line beyond ordered × (1 + tolerance)."""
    accepted_by_order_line: dict[int, Decimal] = defaultdict(Decimal)
    errors = []
    for row, line in rows:
        if line.order_line_id is None:
            continue
        order_line = order_lines[line.order_line_id]
        already = accepted_by_order_line[order_line.pk]
        accepted_by_order_line[order_line.pk] += line.accepted_base
        limit = order_line.base_quantity * (HUNDRED + tolerance) / HUNDRED - order_line.accepted_quantity - already
        if line.accepted_base > limit:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: receiving %(quantity)s %(unit)s exceeds the open %(open)s "
                    "%(unit)s (tolerance %(tolerance)s%%: at most %(limit)s %(unit)s)"
                )
                % {
                    "row": row,
                    "code": line.product.code,
                    "unit": line.product.base_unit.name,
                    "quantity": plain(line.accepted_base),
                    "open": plain(max(order_line.base_quantity - order_line.accepted_quantity - already, ZERO)),
                    "tolerance": plain(tolerance),
                    "limit": plain(max(limit, ZERO)),
                }
            )
    return errors


def _build_receipt_lines(
    *,
    order: PurchaseOrder | None,
    supplier: Supplier,
    warehouse: Warehouse,
    receipt_date: datetime.date,
    lines: Sequence[ReceiptLineInput],
) -> list[GoodsReceiptLine]:
    errors: list[str] = []
    built: list[GoodsReceiptLine] = []
    order_lines: dict[int, PurchaseOrderLine] = {}
    if order is not None:
        order_lines = {line.pk: line for line in order.lines.select_related("product__base_unit", "unit")}
    products = [line.product for line in lines if line.product is not None]
    products += [line.product for line in order_lines.values()]
    ratios = _units_of(products)
    list_prices = (
        valid_price_rows(supplier_id=supplier.pk, product_ids=[p.pk for p in products], on_date=receipt_date)
        if order is None
        else {}
    )
    by_product: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    for order_line in sorted(order_lines.values(), key=lambda ol: ol.line_no):
        by_product[order_line.product_id].append(order_line)
    for row, entry in enumerate(lines, start=1):
        order_line = None
        if order is not None:
            if entry.order_line is not None:
                order_line = order_lines.get(entry.order_line.pk)
                if order_line is None:
                    errors.append(
                        _("Row %(row)s: that line is not on order %(order)s.") % {"row": row, "order": order.number}
                    )
                    continue
            elif entry.product is not None and by_product.get(entry.product.pk):
                candidates = by_product[entry.product.pk]
                order_line = next((ol for ol in candidates if ol.open_quantity > 0), candidates[0])
            else:
                code = entry.product.code if entry.product else "?"
                errors.append(
                    _("Row %(row)s: product %(code)s is not on order %(order)s.")
                    % {"row": row, "code": code, "order": order.number}
                )
                continue
            product, unit_id, ratio = order_line.product, order_line.unit_id, order_line.ratio
            unit_price, tax_rate, list_cost = order_line.unit_price, order_line.tax_rate, order_line.list_unit_cost
            if entry.unit is not None and entry.unit.pk != unit_id:
                # Counted in another unit of the product (a bottle scanned against a line ordered by
                # the case): the quantity is in that unit, the price the order's, per that unit.
                ratio = ratios.get((product.pk, entry.unit.pk))
                if ratio is None:
                    errors.append(
                        _("Row %(row)s: product %(code)s has no unit %(unit)s.")
                        % {"row": row, "code": product.code, "unit": entry.unit}
                    )
                    continue
                unit_id = entry.unit.pk
                unit_price = (order_line.unit_price * ratio / order_line.ratio).quantize(PRICE_QUANT)
        else:
            product = entry.product
            if product is None:
                errors.append(_("Row %(row)s: choose a product.") % {"row": row})
                continue
            unit_id = entry.unit.pk if entry.unit is not None else product.base_unit_id
            ratio = ratios.get((product.pk, unit_id))
            if ratio is None:
                errors.append(
                    _("Row %(row)s: product %(code)s has no unit %(unit)s.")
                    % {"row": row, "code": product.code, "unit": entry.unit}
                )
                continue
            if entry.unit_price is None or entry.unit_price < 0:
                errors.append(
                    _("Row %(row)s: product %(code)s: a receipt without an order needs a unit price.")
                    % {"row": row, "code": product.code}
                )
                continue
            unit_price = entry.unit_price
            tax_rate = entry.tax_rate if entry.tax_rate is not None else product.tax_rate
            list_row = list_prices.get(product.pk)
            list_cost = list_row.price if list_row else None
        received = entry.received_quantity or ZERO
        rejected = entry.rejected_quantity or ZERO
        accepted = entry.accepted_quantity if entry.accepted_quantity is not None else received - rejected
        if received < 0 or rejected < 0 or accepted < 0:
            errors.append(
                _("Row %(row)s: product %(code)s: quantities cannot be negative.") % {"row": row, "code": product.code}
            )
            continue
        if accepted + rejected != received:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: accepted %(accepted)s + rejected %(rejected)s "
                    "must equal received %(received)s."
                )
                % {
                    "row": row,
                    "code": product.code,
                    "accepted": plain(accepted),
                    "rejected": plain(rejected),
                    "received": plain(received),
                }
            )
            continue
        if rejected > 0 and not entry.rejection_reason.strip():
            errors.append(
                _("Row %(row)s: product %(code)s: give the rejection reason.") % {"row": row, "code": product.code}
            )
            continue
        if received == 0:
            continue  # a pulled-in line the goods did not come for
        net, tax, total = line_amounts(quantity=accepted, unit_price=unit_price, tax_rate=tax_rate)
        built.append(
            GoodsReceiptLine(
                line_no=len(built) + 1,
                order_line=order_line,
                product=product,
                warehouse=entry.warehouse or warehouse,
                unit_id=unit_id,
                ratio=ratio,
                received_quantity=received,
                accepted_quantity=accepted,
                rejected_quantity=rejected,
                received_base=(received * ratio).quantize(QUANTITY_QUANT),
                accepted_base=(accepted * ratio).quantize(QUANTITY_QUANT),
                rejected_base=(rejected * ratio).quantize(QUANTITY_QUANT),
                rejection_reason=entry.rejection_reason.strip(),
                unit_price=unit_price,
                tax_rate=tax_rate,
                unit_cost=(unit_price / ratio).quantize(COST_QUANT),
                list_unit_cost=list_cost,
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
            )
        )
    if not errors and not built:
        errors.append(_("Enter the received quantity of at least one line."))
    if not errors and order is not None:
        errors = _over_receipt_errors([(line.line_no, line) for line in built], order_lines, _tolerance())
    if errors:
        raise ValidationError(errors, code="invalid_line")
    return built


def _save_receipt_lines(receipt: GoodsReceipt, lines: list[GoodsReceiptLine]) -> None:
    for line in lines:
        line.receipt = receipt
        line.full_clean(
            exclude=["receipt", "product", "unit", "warehouse", "order_line", "movement"],
            validate_unique=False,
            validate_constraints=False,
        )
    GoodsReceiptLine.objects.bulk_create(lines)
    set_totals(receipt, lines)


def open_receipt_lines(order: PurchaseOrder) -> list[ReceiptLineInput]:
    """An order's open lines as receipt lines: the open quantity, in the order line's unit."""
    inputs = []
    for line in order.lines.select_related("product").order_by("line_no"):
        if line.open_quantity <= 0:
            continue
        quantity = (line.open_quantity / line.ratio).quantize(QUANTITY_QUANT)
        inputs.append(ReceiptLineInput(order_line=line, received_quantity=quantity))
    return inputs


@atomic_with_retry
def goods_receipt_create(
    *,
    actor: Any,
    order: PurchaseOrder | None = None,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    receipt_date: datetime.date | None = None,
    reason: str = "",
    remarks: str = "",
    lines: Sequence[ReceiptLineInput] | None = None,
) -> GoodsReceipt:
    """Create a draft receipt: from an approved order (``lines`` ``None`` pulls in all its open
    lines) or, with a reason and unit prices, without one. Quantities beyond the order's open
    quantity plus the tolerance are refused here already, and again when posting."""
    _require(actor, "procurement.add_goodsreceipt")
    receipt_date = receipt_date or timezone.localdate()
    if order is not None:
        order = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("supplier", "warehouse")
            .get(pk=order.pk)
        )
        if order.status not in RECEIVABLE_STATUSES:
            raise ValidationError(
                _("%(number)s is %(status)s; goods can only be received against an approved order.")
                % {"number": order.number, "status": order.get_status_display()},
                code="wrong_state",
            )
        supplier, warehouse = order.supplier, warehouse or order.warehouse
        lines = open_receipt_lines(order) if lines is None else lines
    else:
        errors = {}
        if not reason.strip():
            errors["reason"] = _("A receipt without an order needs a reason.")
        if supplier is None:
            errors["supplier"] = _("Choose the supplier.")
        if warehouse is None:
            errors["warehouse"] = _("Choose the warehouse.")
        if errors:
            raise ValidationError(errors, code="required")
    built = _build_receipt_lines(
        order=order, supplier=supplier, warehouse=warehouse, receipt_date=receipt_date, lines=lines or []
    )
    receipt = GoodsReceipt(
        number=document_number_next(prefix="CGRK", day=receipt_date),
        order=order,
        supplier=supplier,
        warehouse=warehouse,
        receipt_date=receipt_date,
        reason=reason.strip(),
        remarks=remarks,
        created_by=actor,
    )
    receipt.full_clean(exclude=["posting"])
    receipt.save()
    _save_receipt_lines(receipt, built)
    receipt.save(update_fields=["net_amount", "tax_amount", "total_amount", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CREATED, instance=receipt, changes={"lines": [None, len(built)]})
    return receipt


def _locked_receipt(receipt: GoodsReceipt) -> GoodsReceipt:
    return lock(receipt, "supplier", "order")


@atomic_with_retry
def goods_receipt_update(
    *,
    actor: Any,
    receipt: GoodsReceipt,
    lines: Sequence[ReceiptLineInput],
    warehouse: Warehouse | None = None,
    supplier: Supplier | None = None,
    receipt_date: datetime.date | None = None,
    reason: str | None = None,
    remarks: str = "",
) -> GoodsReceipt:
    """Replace a draft receipt's lines (and header). Posted or voided receipts are refused."""
    _require(actor, "procurement.change_goodsreceipt")
    receipt = _locked_receipt(receipt)
    if receipt.status != DocumentStatus.DRAFT:
        raise wrong_state(receipt, pgettext("action", "edited"))
    if receipt.order_id is None:
        if reason is not None and not reason.strip():
            raise ValidationError({"reason": _("A receipt without an order needs a reason.")})
        receipt.supplier = supplier or receipt.supplier
        receipt.reason = reason.strip() if reason is not None else receipt.reason
    receipt.warehouse = warehouse or receipt.warehouse
    receipt.receipt_date = receipt_date or receipt.receipt_date
    receipt.remarks = remarks
    built = _build_receipt_lines(
        order=receipt.order,
        supplier=receipt.supplier,
        warehouse=receipt.warehouse,
        receipt_date=receipt.receipt_date,
        lines=lines,
    )
    receipt.full_clean(exclude=["posting"])
    receipt.lines.all().delete()
    _save_receipt_lines(receipt, built)
    receipt.save()
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=receipt, changes={"lines": [None, len(built)]})
    return receipt


def receipt_lines_with_hidden_prices(
    *,
    supplier: Supplier,
    receipt_date: datetime.date,
    lines: Sequence[ReceiptLineInput],
    previous: GoodsReceipt | None = None,
) -> list[ReceiptLineInput]:
    """``lines`` of a receipt without an order, entered by someone who may not see purchase
    prices (价格屏蔽, ADR 0007): each line takes the price and tax rate it had on the draft being
    edited (same product and unit), else the supplier's valid list price, else the product's
    purchase price. Saving the form never changes or needs a price its user cannot see."""
    products = [line.product for line in lines if line.product is not None]
    ratios = _units_of(products)
    list_prices = valid_price_rows(supplier_id=supplier.pk, product_ids=[p.pk for p in products], on_date=receipt_date)
    kept: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    if previous is not None:
        for product_id, unit_id, unit_price, tax_rate in previous.lines.order_by("-line_no").values_list(
            "product_id", "unit_id", "unit_price", "tax_rate"
        ):
            kept[(product_id, unit_id)] = (unit_price, tax_rate)
    priced = []
    for line in lines:
        product = line.product
        if product is None or line.order_line is not None:
            priced.append(line)
            continue
        unit_id = line.unit.pk if line.unit is not None else product.base_unit_id
        if (product.pk, unit_id) in kept:
            unit_price, tax_rate = kept[(product.pk, unit_id)]
        else:
            list_row = list_prices.get(product.pk)
            base_price = list_row.price if list_row is not None else product.purchase_price
            unit_price = (base_price * ratios.get((product.pk, unit_id), Decimal(1))).quantize(PRICE_QUANT)
            tax_rate = None
        priced.append(dataclasses.replace(line, unit_price=unit_price, tax_rate=tax_rate))
    return priced


@atomic_with_retry
def goods_receipt_cancel(*, actor: Any, receipt: GoodsReceipt) -> GoodsReceipt:
    """Void a draft receipt (a posted one is corrected by a purchase return)."""
    receipt = document_transition(pipeline=RECEIPT_PIPELINE, document=receipt, action="cancel", actor=actor)
    # A voided draft no longer holds on to the order's lines, so the order can be edited again.
    receipt.lines.update(order_line=None)
    return receipt


def _order_status_after_receipt(order: PurchaseOrder, order_lines: Sequence[PurchaseOrderLine]) -> str:
    if not any(line.accepted_quantity > 0 for line in order_lines):
        return order.status  # everything so far was rejected: nothing is in stock yet
    if all(line.accepted_quantity >= line.base_quantity for line in order_lines):
        return S.RECEIVED
    return S.PARTIALLY_RECEIVED


@atomic_with_retry
def goods_receipt_post(*, actor: Any, receipt: GoodsReceipt) -> GoodsReceipt:
    """Post a draft receipt: accepted base quantities into stock at the order's net unit cost.

    Locks the receipt row (a second post is refused and changes nothing), then the order and
    its lines; checks every line against the open quantity plus
    ``SystemSettings.receipt_tolerance_percent`` and names every offending row; posts through
    ``apps.inventory.services.stock_post`` with the idempotency key
    ``procurement.goodsreceipt:<pk>:post``; links each line to its movement; updates the order
    lines' received / accepted quantities and the order status; creates the payable (due after
    the supplier's credit term). A constant number of queries whatever the number of lines.
    """
    receipt = _locked_receipt(receipt)
    RECEIPT_PIPELINE.check(receipt, "post", actor)
    lines = list(receipt.lines.select_related("product__base_unit").order_by("line_no"))
    if not lines:
        raise ValidationError(_("%(number)s has no lines.") % {"number": receipt.number}, code="empty")
    order = receipt.order
    if order is not None:
        order = _locked_order(order)
        _receive_into_order(actor=actor, receipt=receipt, order=order, lines=lines)
    stocked = [line for line in lines if line.accepted_base > 0]
    document_post(
        pipeline=RECEIPT_PIPELINE,
        document=receipt,
        stock_lines=receipt_stock_lines(stocked),
        lines=stocked,
        actor=actor,
        memo=receipt.order.number if receipt.order_id else receipt.reason,
        finish=lambda _posting: ["lead_time_days"],
        changes={"total_amount": [None, str(receipt.total_amount)]},
    )
    if receipt.total_amount:
        Payable.objects.create(
            supplier=receipt.supplier,
            kind=PayableKind.RECEIPT,
            receipt=receipt,
            document_number=receipt.number,
            document_date=receipt.receipt_date,
            due_date=receipt.receipt_date + datetime.timedelta(days=receipt.supplier.payment_terms_days),
            amount=receipt.total_amount,
        )
    return receipt


def receipt_stock_lines(lines: Sequence[GoodsReceiptLine]) -> list[StockLine]:
    """Accepted base quantities into stock at the order's net unit cost."""
    return [
        StockLine(
            product_id=line.product_id,
            warehouse_id=line.warehouse_id,
            quantity=line.accepted_base,
            movement_type=MovementType.PURCHASE_RECEIPT,
            unit_cost=line.unit_cost,
            line_no=line.line_no,
        )
        for line in lines
    ]


def _receive_into_order(
    *, actor: Any, receipt: GoodsReceipt, order: PurchaseOrder, lines: Sequence[GoodsReceiptLine]
) -> None:
    """Check the lines against the locked order's open quantities, then add them to it."""
    if order.status not in RECEIVABLE_STATUSES:
        raise ValidationError(
            _("%(number)s is %(status)s; goods can only be received against an approved order.")
            % {"number": order.number, "status": order.get_status_display()},
            code="wrong_state",
        )
    order_lines = {
        line.pk: line for line in PurchaseOrderLine.objects.select_for_update().filter(order=order).order_by("line_no")
    }
    errors = _over_receipt_errors([(line.line_no, line) for line in lines], order_lines, _tolerance())
    if errors:
        raise ValidationError(errors, code="over_receipt")
    for line in lines:
        order_line = order_lines[line.order_line_id]
        order_line.received_quantity += line.received_base
        order_line.accepted_quantity += line.accepted_base
    PurchaseOrderLine.objects.bulk_update(list(order_lines.values()), ["received_quantity", "accepted_quantity"])
    new_status = _order_status_after_receipt(order, list(order_lines.values()))
    if new_status not in ALLOWED_TRANSITIONS[order.status]:
        raise wrong_state(order, pgettext("action", "received"))
    if new_status != order.status:
        audit_record(
            actor=actor,
            action=AuditAction.CHANGED,
            instance=order,
            changes={"status": [order.status, new_status], "receipt": [None, receipt.number]},
        )
        order.status = new_status
        order.save(update_fields=["status", "updated_at"])
    if order.approved_at is not None:
        receipt.lead_time_days = (receipt.receipt_date - timezone.localtime(order.approved_at).date()).days


# --- purchase returns -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLineInput:
    """Return ``quantity`` (in the receipt line's unit) of one posted receipt line."""

    receipt_line: GoodsReceiptLine
    quantity: Decimal


def _returnable_errors(rows: Sequence[tuple[int, GoodsReceiptLine, Decimal]]) -> list[str]:
    taken: dict[int, Decimal] = defaultdict(Decimal)
    errors = []
    for row, receipt_line, base_quantity in rows:
        available = receipt_line.accepted_base - receipt_line.returned_base - taken[receipt_line.pk]
        taken[receipt_line.pk] += base_quantity
        if base_quantity > available:
            errors.append(
                _(
                    "Row %(row)s: product %(code)s: returning %(quantity)s %(unit)s exceeds the returnable "
                    "%(available)s %(unit)s"
                )
                % {
                    "row": row,
                    "code": receipt_line.product.code,
                    "unit": receipt_line.product.base_unit.name,
                    "quantity": plain(base_quantity),
                    "available": plain(max(available, ZERO)),
                }
            )
    return errors


@atomic_with_retry
def purchase_return_create(
    *,
    actor: Any,
    receipt: GoodsReceipt,
    reason: str,
    lines: Sequence[ReturnLineInput],
    return_date: datetime.date | None = None,
    remarks: str = "",
) -> PurchaseReturn:
    """Create a draft return against a posted receipt. Each line may return at most what was
    accepted minus what was already returned on posted returns."""
    _require(actor, "procurement.add_purchasereturn")
    if receipt.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is not posted; only posted receipts can be returned against.") % {"number": receipt.number},
            code="wrong_state",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")}, code="reason_required")
    receipt_lines = {line.pk: line for line in receipt.lines.select_related("product__base_unit")}
    errors: list[str] = []
    built: list[PurchaseReturnLine] = []
    checks = []
    for row, entry in enumerate((entry for entry in lines if entry.quantity), start=1):
        receipt_line = receipt_lines.get(entry.receipt_line.pk)
        if receipt_line is None:
            errors.append(
                _("Row %(row)s: that line is not on receipt %(number)s.") % {"row": row, "number": receipt.number}
            )
            continue
        if entry.quantity < 0:
            errors.append(
                _("Row %(row)s: product %(code)s: the quantity must be above zero.")
                % {"row": row, "code": receipt_line.product.code}
            )
            continue
        base_quantity = (entry.quantity * receipt_line.ratio).quantize(QUANTITY_QUANT)
        checks.append((row, receipt_line, base_quantity))
        net, tax, total = line_amounts(
            quantity=entry.quantity, unit_price=receipt_line.unit_price, tax_rate=receipt_line.tax_rate
        )
        built.append(
            PurchaseReturnLine(
                line_no=row,
                receipt_line=receipt_line,
                product=receipt_line.product,
                warehouse_id=receipt_line.warehouse_id,
                unit_id=receipt_line.unit_id,
                ratio=receipt_line.ratio,
                quantity=entry.quantity,
                base_quantity=base_quantity,
                unit_price=receipt_line.unit_price,
                tax_rate=receipt_line.tax_rate,
                unit_cost=receipt_line.unit_cost,
                net_amount=net,
                tax_amount=tax,
                total_amount=total,
            )
        )
    errors += _returnable_errors(checks)
    if not errors and not built:
        errors.append(_("Enter the quantity to return on at least one line."))
    if errors:
        raise ValidationError(errors, code="invalid_line")
    purchase_return = PurchaseReturn(
        number=document_number_next(prefix="CGTH", day=return_date or timezone.localdate()),
        receipt=receipt,
        supplier=receipt.supplier,
        return_date=return_date or timezone.localdate(),
        reason=reason.strip(),
        remarks=remarks,
        created_by=actor,
    )
    set_totals(purchase_return, built)
    purchase_return.full_clean(exclude=["posting"])
    purchase_return.save()
    for line in built:
        line.purchase_return = purchase_return
    PurchaseReturnLine.objects.bulk_create(built)
    audit_record(
        actor=actor, action=AuditAction.CREATED, instance=purchase_return, changes={"lines": [None, len(built)]}
    )
    return purchase_return


@atomic_with_retry
def purchase_return_post(*, actor: Any, purchase_return: PurchaseReturn) -> PurchaseReturn:
    """Post a draft return: stock leaves at the cost it came in with, the receipt lines'
    returned quantities grow and the supplier's payable is credited. Locks the return and the
    receipt lines; a second post is refused; short stock raises the ledger's InsufficientStock
    and nothing changes."""
    purchase_return = lock(purchase_return, "supplier", "receipt")
    RETURN_PIPELINE.check(purchase_return, "post", actor)
    lines = list(purchase_return.lines.order_by("line_no"))
    receipt_lines = {
        line.pk: line
        for line in GoodsReceiptLine.objects.select_for_update(of=("self",))
        .select_related("product__base_unit", "movement")
        .filter(pk__in=[line.receipt_line_id for line in lines])
    }
    errors = _returnable_errors(
        [(line.line_no, receipt_lines[line.receipt_line_id], line.base_quantity) for line in lines]
    )
    if errors:
        raise ValidationError(errors, code="over_return")
    for line in lines:
        receipt_line = receipt_lines[line.receipt_line_id]
        line.unit_cost = receipt_line.movement.unit_cost if receipt_line.movement_id else receipt_line.unit_cost
        receipt_line.returned_base += line.base_quantity
    document_post(
        pipeline=RETURN_PIPELINE,
        document=purchase_return,
        stock_lines=[
            StockLine(
                product_id=line.product_id,
                warehouse_id=line.warehouse_id,
                quantity=-line.base_quantity,
                movement_type=MovementType.PURCHASE_RETURN,
                unit_cost=line.unit_cost,
                line_no=line.line_no,
            )
            for line in lines
        ],
        lines=lines,
        actor=actor,
        memo=purchase_return.receipt.number,
    )
    PurchaseReturnLine.objects.bulk_update(lines, ["unit_cost"])
    GoodsReceiptLine.objects.bulk_update(list(receipt_lines.values()), ["returned_base"])
    if purchase_return.total_amount:
        Payable.objects.create(
            supplier=purchase_return.supplier,
            kind=PayableKind.RETURN,
            receipt=purchase_return.receipt,
            purchase_return=purchase_return,
            document_number=purchase_return.number,
            document_date=purchase_return.return_date,
            due_date=purchase_return.return_date,
            amount=-purchase_return.total_amount,
        )
    return purchase_return


@atomic_with_retry
def purchase_return_cancel(*, actor: Any, purchase_return: PurchaseReturn) -> PurchaseReturn:
    """Void a draft return."""
    return document_transition(pipeline=RETURN_PIPELINE, document=purchase_return, action="cancel", actor=actor)


# --- supplier payments ------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationInput:
    receipt: GoodsReceipt
    amount: Decimal


def _allocate(
    *,
    payment: SupplierPayment,
    available: Decimal,
    allocations: Sequence[AllocationInput] | None,
    auto: bool,
    exclude: frozenset[int] = frozenset(),
) -> list[PaymentAllocation]:
    """Match up to ``available`` of ``payment`` to the supplier's receipts (manual or FIFO)."""
    outstanding = {receipt.pk: receipt for receipt in receipts_with_outstanding(supplier_id=payment.supplier_id)}
    created: list[PaymentAllocation] = []
    errors: list[str] = []
    if allocations:
        total = ZERO
        for row, entry in enumerate(allocations, start=1):
            if not entry.amount:
                continue
            receipt = outstanding.get(entry.receipt.pk)
            if receipt is None:
                errors.append(
                    _("Row %(row)s: %(number)s is not a posted receipt of %(supplier)s.")
                    % {"row": row, "number": entry.receipt.number, "supplier": payment.supplier.name}
                )
                continue
            if entry.amount < 0 or entry.amount > receipt.outstanding:
                errors.append(
                    _("Row %(row)s: %(number)s: %(amount)s is more than its outstanding %(outstanding)s.")
                    % {
                        "row": row,
                        "number": receipt.number,
                        "amount": money(entry.amount),
                        "outstanding": money(receipt.outstanding),
                    }
                )
                continue
            total += entry.amount
            created.append(PaymentAllocation(payment=payment, receipt=receipt, amount=money(entry.amount)))
        if total > available:
            errors.append(
                _("The allocations total %(total)s, more than the %(available)s available on the payment.")
                % {"total": money(total), "available": money(available)}
            )
    elif auto:
        remaining = available
        for receipt in outstanding.values():  # oldest first
            if remaining <= 0:
                break
            if receipt.outstanding <= 0 or receipt.pk in exclude:
                continue
            amount = min(remaining, receipt.outstanding)
            created.append(PaymentAllocation(payment=payment, receipt=receipt, amount=amount))
            remaining -= amount
    if errors:
        raise ValidationError(errors, code="invalid_allocation")
    return PaymentAllocation.objects.bulk_create(created)


@atomic_with_retry
def supplier_payment_create(
    *,
    actor: Any,
    supplier: Supplier,
    amount: Decimal,
    payment_date: datetime.date | None = None,
    account: str = "",
    reference: str = "",
    remarks: str = "",
    allocations: Sequence[AllocationInput] | None = None,
    auto_allocate: bool = False,
) -> SupplierPayment:
    """Record a payment (付款单) and match it to receipts: the given allocations, or with
    ``auto_allocate`` oldest outstanding receipt first. What is not matched stays on account.
    Locks the supplier row so two payments never match the same outstanding amount."""
    _require(actor, "procurement.add_supplierpayment")
    Supplier.objects.select_for_update(no_key=True).filter(pk=supplier.pk).first()
    payment_date = payment_date or timezone.localdate()
    payment = SupplierPayment(
        number=document_number_next(prefix="FKD", day=payment_date),
        supplier=supplier,
        payment_date=payment_date,
        amount=money(amount) if amount is not None else amount,
        account=account,
        reference=reference,
        remarks=remarks,
        created_by=actor,
    )
    payment.full_clean()
    payment.save()
    created = _allocate(payment=payment, available=payment.amount, allocations=allocations, auto=auto_allocate)
    Payable.objects.bulk_create(
        money_entries(
            PAYABLES,
            party=supplier,
            document_date=payment.payment_date,
            document_number=payment.number,
            amount=payment.amount,
            allocations=[(allocation.receipt, allocation.amount) for allocation in created],
            payment=payment,
            due_date=payment.payment_date,
        )
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        instance=payment,
        changes={
            "amount": [None, str(payment.amount)],
            "allocations": [None, {a.receipt.number: str(a.amount) for a in created}],
        },
    )
    return payment


@atomic_with_retry
def supplier_payment_allocate(
    *, actor: Any, payment: SupplierPayment, allocations: Sequence[AllocationInput] | None = None
) -> SupplierPayment:
    """Match the unallocated rest of a payment: the given allocations, else oldest receipt first."""
    _require(actor, "procurement.change_supplierpayment")
    Supplier.objects.select_for_update(no_key=True).filter(pk=payment.supplier_id).first()
    payment = SupplierPayment.objects.select_related("supplier").get(pk=payment.pk)
    allocated = sum(payment.allocations.values_list("amount", flat=True), ZERO)
    available = payment.amount - allocated
    if available <= 0:
        raise ValidationError(_("%(number)s is fully allocated.") % {"number": payment.number}, code="allocated")
    existing = set(payment.allocations.values_list("receipt_id", flat=True))
    if allocations and any(entry.receipt.pk in existing for entry in allocations):
        raise ValidationError(_("A receipt is already matched to this payment."), code="duplicate")
    created = _allocate(
        payment=payment,
        available=available,
        allocations=allocations,
        auto=not allocations,
        exclude=frozenset(existing),
    )
    # The money paid on account moves onto the receipts, on the payment's date.
    Payable.objects.bulk_create(
        allocation_entries(
            PAYABLES,
            party=payment.supplier_id,
            document_date=payment.payment_date,
            document_number=payment.number,
            allocations=[(allocation.receipt, allocation.amount) for allocation in created],
            payment=payment,
            due_date=payment.payment_date,
        )
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        instance=payment,
        changes={"allocations": [None, {a.receipt.number: str(a.amount) for a in created}]},
    )
    return payment
