"""Stock adjustment documents (期初库存, 其他入库单, 其他出库单, 库存调整单), on the document core.

Pipeline (``ADJUSTMENT_PIPELINE``)::

    draft ──post──▶ posted ──reverse──▶ reversed            (worth at most the threshold)
    draft ──submit──▶ pending ──approve (posts)──▶ posted   (worth more than the threshold)
            ◀──withdraw / reject──┘

A document is worth Σ |quantity| × unit cost (the entered cost, else the current average cost
of the product in the warehouse). Above ``SystemSettings.adjustment_approval_threshold`` it is
approved — and so posted — by someone holding ``inventory.approve_stockadjustment`` who did not
enter it, and only such a person reverses it.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from apps.core.amounts import money
from apps.core.db import atomic_with_retry
from apps.core.documents.pipeline import Pipeline, Transition, document_transition, lock, replace, wrong_state
from apps.core.documents.registry import register
from apps.core.models import AuditAction, SystemSettings
from apps.core.services import audit_record, document_number_next, model_changes
from apps.inventory.models import (
    ADJUSTMENT_KINDS,
    AdjustmentKind,
    AdjustmentStatus,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
)
from apps.inventory.services.documents import document_post
from apps.inventory.services.ledger import StockLine, stock_posting_reverse
from apps.masterdata.models import Product, Warehouse

A = AdjustmentStatus
POST = "inventory.post_stockadjustment"
APPROVE = "inventory.approve_stockadjustment"


def adjustment_value(document: StockAdjustment) -> Decimal:
    """Σ |quantity| × unit cost of the lines (entered cost, else the current average cost). Cached."""
    cached = getattr(document, "_approval_value", None)
    if cached is not None:
        return cached
    lines = list(document.lines.values_list("product_id", "quantity", "unit_cost"))
    averages = {
        product_id: (value / on_hand if on_hand else Decimal(0))
        for product_id, on_hand, value in StockBalance.objects.filter(
            warehouse_id=document.warehouse_id, product_id__in={line[0] for line in lines}
        ).values_list("product_id", "on_hand", "value")
    }
    total = Decimal(0)
    for product_id, quantity, cost in lines:
        total += abs(quantity) * (cost if cost is not None else averages.get(product_id, Decimal(0)))
    document._approval_value = total
    return total


def needs_approval(document: StockAdjustment) -> bool:
    return adjustment_value(document) > SystemSettings.load().adjustment_approval_threshold


def _approval_rule(document: StockAdjustment, action: str, transition: Transition) -> Transition | None:
    """Above the threshold: no direct post, a submit instead, and only an approver reverses."""
    if action in ("post", "submit", "reverse"):
        above = needs_approval(document)
        if action == "post" and above:
            return None
        if action == "submit" and not above:
            return None
        if action == "reverse" and above:
            return replace(transition, permission=APPROVE, not_own=True)
    return transition


ADJUSTMENT_PIPELINE = register(
    StockAdjustment,
    Pipeline(
        {
            "post": Transition(
                frozenset({A.DRAFT}), A.POSTED, POST, gettext_lazy("Post"), pgettext_lazy("action", "posted"),
                AuditAction.POSTED, "success",
            ),
            "submit": Transition(
                frozenset({A.DRAFT}), A.PENDING, POST, gettext_lazy("Submit for approval"),
                pgettext_lazy("action", "submitted"), AuditAction.SUBMITTED, "primary",
            ),
            "withdraw": Transition(
                frozenset({A.PENDING}), A.DRAFT, POST, gettext_lazy("Withdraw"), pgettext_lazy("action", "withdrawn"),
                AuditAction.WITHDRAWN,
            ),
            "approve": Transition(
                frozenset({A.PENDING}), A.POSTED, APPROVE, gettext_lazy("Approve and post"),
                pgettext_lazy("action", "approved"), AuditAction.APPROVED, "success", not_own=True,
            ),
            "reject": Transition(
                frozenset({A.PENDING}), A.DRAFT, APPROVE, gettext_lazy("Reject"), pgettext_lazy("action", "rejected"),
                AuditAction.REJECTED, "outline-danger", not_own=True, needs_reason=True,
            ),
            "reverse": Transition(
                frozenset({A.POSTED}), A.REVERSED, POST, gettext_lazy("Reverse"), pgettext_lazy("action", "reversed"),
                AuditAction.REVERSED, "outline-danger",
                confirm=gettext_lazy("Reverse this document? Its exact opposite is posted to the stock ledger."),
            ),
        },
        url_name="inventory:adjustment_{action}",
        rule=_approval_rule,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class AdjustmentLineInput:
    """A line as entered: ``quantity`` positive except on adjustments, where it is signed."""

    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    remarks: str = ""


def adjustment_lines_with_hidden_costs(
    *,
    warehouse: Warehouse,
    lines: Sequence[AdjustmentLineInput],
    previous: StockAdjustment | None = None,
) -> list[AdjustmentLineInput]:
    """``lines`` entered by someone who may not see costs (价格屏蔽, ADR 0007): each line takes
    the unit cost it had on the draft being edited (same product), else the product's moving
    average cost in ``warehouse`` when it is in stock, else the product's purchase price. Saving
    never changes or needs a cost the user cannot see. At most three queries."""
    kept: dict[int, Decimal | None] = {}
    if previous is not None:
        kept = dict(previous.lines.order_by("-line_no").values_list("product_id", "unit_cost"))
    missing = {line.product_id for line in lines if line.product_id not in kept}
    defaults = dict(Product.objects.filter(pk__in=missing).values_list("pk", "purchase_price"))
    defaults.update(
        StockBalance.objects.filter(warehouse=warehouse, product_id__in=missing, on_hand__gt=0).values_list(
            "product_id", "avg_cost"
        )
    )
    return [
        dataclasses.replace(
            line, unit_cost=kept[line.product_id] if line.product_id in kept else defaults.get(line.product_id)
        )
        for line in lines
    ]


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
        # The fields only: the table's constraints (a non-zero quantity, one row number per line)
        # are checked above and held by the database; Django validates a check constraint with a
        # query per line, 10,000 of them inside an opening-stock import's transaction.
        row.full_clean(exclude=["document", "movement", "product"], validate_unique=False, validate_constraints=False)
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
    """Change a draft's header and replace its lines; any other status is refused (reverse a posted one)."""
    locked = lock(document)
    if locked.status != A.DRAFT:
        raise wrong_state(locked, pgettext("action", "edited"))
    before = {name: getattr(locked, name) for name in ADJUSTMENT_HEADER_FIELDS}
    locked.warehouse, locked.date, locked.reason, locked.remarks = warehouse, date, reason, remarks
    _adjustment_check_header(locked)
    _adjustment_clean_lines(locked.kind, lines)
    locked.save(update_fields=[*ADJUSTMENT_HEADER_FIELDS, "updated_at"])
    locked.lines.all().delete()
    _adjustment_write_lines(locked, lines)
    changes = model_changes(locked, before, ADJUSTMENT_HEADER_FIELDS)
    changes["lines"] = len(lines)
    audit_record(actor=actor, action=AuditAction.CHANGED, instance=locked, changes=changes)
    return locked


def adjustment_stock_lines(document: StockAdjustment, lines: Sequence[StockAdjustmentLine]) -> list[StockLine]:
    """The document's lines as ledger lines: issues leave at the moving average cost."""
    _prefix, movement_type, direction = ADJUSTMENT_KINDS[document.kind]
    return [
        StockLine(
            product_id=line.product_id,
            warehouse_id=document.warehouse_id,
            quantity=-line.quantity if direction < 0 else line.quantity,
            movement_type=movement_type,
            unit_cost=line.unit_cost if line.quantity > 0 and direction >= 0 else None,
            line_no=line.line_no,
        )
        for line in lines
    ]


def _post(document: StockAdjustment, *, actor: Any, action: str) -> StockAdjustment:
    locked = lock(document)
    if action == "post" and locked.status == A.DRAFT and needs_approval(locked):
        raise ValidationError(
            _(
                "%(number)s is worth %(value)s, more than %(threshold)s: submit it for approval; "
                "someone else approves and posts it."
            )
            % {
                "number": locked.number,
                "value": money(adjustment_value(locked)),
                "threshold": money(SystemSettings.load().adjustment_approval_threshold),
            },
            code="needs_approval",
        )
    ADJUSTMENT_PIPELINE.check(locked, action, actor)
    lines = list(locked.lines.order_by("line_no"))
    if not lines:
        raise ValidationError(_("Add at least one line."), code="empty")
    document_post(
        pipeline=ADJUSTMENT_PIPELINE,
        document=locked,
        stock_lines=adjustment_stock_lines(locked, lines),
        lines=lines,
        actor=actor,
        action=action,
        memo=locked.reason,
    )
    return locked


@atomic_with_retry
def stock_adjustment_post(*, actor: Any, document: StockAdjustment) -> StockAdjustment:
    """Post a draft worth at most the approval threshold: every line at once, or none.

    Locks the document row first, so a double submit finds it posted and is refused;
    ``InsufficientStock`` names each short line. Each line is linked to its movement.
    """
    return _post(document, actor=actor, action="post")


@atomic_with_retry
def stock_adjustment_approve(*, actor: Any, document: StockAdjustment) -> StockAdjustment:
    """Approve a submitted document — and so post it — as someone other than whoever entered it."""
    return _post(document, actor=actor, action="approve")


@atomic_with_retry
def stock_adjustment_transition(
    *, actor: Any, document: StockAdjustment, action: str, reason: str = ""
) -> StockAdjustment:
    """Submit, withdraw or reject (the transitions that post nothing)."""
    if action not in ("submit", "withdraw", "reject"):
        raise ValidationError(_("Unknown action."), code="unknown_action")
    return document_transition(
        pipeline=ADJUSTMENT_PIPELINE, document=document, action=action, actor=actor, reason=reason
    )


@atomic_with_retry
def stock_adjustment_reverse(*, actor: Any, document: StockAdjustment, memo: str = "") -> StockAdjustment:
    """Reverse (红冲) a posted document with the exact opposite posting; refused if its stock has left since."""
    locked = lock(document)
    transition = ADJUSTMENT_PIPELINE.check(locked, "reverse", actor)
    reversal = stock_posting_reverse(posting=locked.posting, actor=actor, memo=memo)
    locked.status = transition.target
    locked.reversal_posting = reversal
    locked.save(update_fields=["status", "reversal_posting", "updated_at"])
    audit_record(
        actor=actor,
        action=transition.audit_action,
        instance=locked,
        changes={"status": [A.POSTED, locked.status], "posting": reversal.pk},
    )
    return locked
