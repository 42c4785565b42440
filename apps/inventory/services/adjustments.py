"""Stock adjustment documents (期初库存, 其他入库单, 其他出库单, 库存调整单)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.models import AuditAction
from apps.core.services import audit_record, document_number_next, model_changes
from apps.inventory.models import (
    ADJUSTMENT_KINDS,
    ADJUSTMENT_TRANSITIONS,
    AdjustmentKind,
    AdjustmentStatus,
    StockAdjustment,
    StockAdjustmentLine,
)
from apps.inventory.services.ledger import (
    ADJUSTMENT_DOCUMENT_TYPE,
    StockLine,
    stock_lines_link,
    stock_post,
    stock_posting_reverse,
)
from apps.masterdata.models import Warehouse


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
