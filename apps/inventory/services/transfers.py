"""Transfers between warehouses (调拨单) with goods in transit.

In transit is stock of the transit warehouse (see ``transit_warehouse``). Each event is one
posting under one ordered set of balance locks, its inbound lines paired with the outbound line
whose value they take:

- dispatch: out of the source (at the moving average cost) → into transit, paired;
- receipt: out of transit at the line's own dispatch cost → into the destination, paired; a
  loss in transit (lost or damaged) goes out of transit as a miscellaneous issue with a reason.

Two transfers A→B and B→A lock their balance rows in the same (product, warehouse) order inside
``stock_post`` and each locks only its own document row, so they never deadlock.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.db import atomic_with_retry
from apps.core.documents.pipeline import Pipeline, Transition, document_transition, lock
from apps.core.documents.registry import register
from apps.core.fields import MONEY_QUANT, ZERO
from apps.core.models import AuditAction
from apps.core.services import audit_record, document_number_next
from apps.inventory.models import (
    TRANSFER_PREFIX,
    InventoryPolicy,
    MovementType,
    StockTransfer,
    StockTransferLine,
    StockTransferReceipt,
    TransferStatus,
)
from apps.inventory.services.documents import document_post
from apps.inventory.services.ledger import StockLine, stock_lines_link, stock_post
from apps.masterdata.models import Warehouse
from apps.masterdata.selectors import warehouse_scope_ids

TRANSIT_CODE = "IN-TRANSIT"

TRANSFER_PIPELINE = register(
    StockTransfer,
    Pipeline(
        {
            "dispatch": Transition(
                sources=frozenset({TransferStatus.DRAFT}),
                target=TransferStatus.IN_TRANSIT,
                permission="inventory.dispatch_stocktransfer",
                label=gettext_lazy("Dispatch"),
                past=gettext_lazy("dispatched"),
                audit_action=AuditAction.POSTED,
                style="success",
            ),
            "receive": Transition(
                sources=frozenset({TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED}),
                target=TransferStatus.RECEIVED,
                permission="inventory.receive_stocktransfer",
                label=gettext_lazy("Receive everything in transit"),
                past=gettext_lazy("received"),
                audit_action=AuditAction.POSTED,
                style="primary",
            ),
            "cancel": Transition(
                sources=frozenset({TransferStatus.DRAFT}),
                target=TransferStatus.CANCELLED,
                permission="inventory.change_stocktransfer",
                label=gettext_lazy("Void"),
                past=gettext_lazy("voided"),
                style="outline-danger",
                confirm=gettext_lazy("Void this transfer?"),
            ),
        },
        url_name="inventory:transfer_{action}",
    ),
)


@dataclass(frozen=True)
class TransferLineInput:
    product_id: int
    quantity: Decimal
    remarks: str = ""


@dataclass(frozen=True)
class TransferReceiptInput:
    """What arrived of one transfer line (``quantity``) and what was lost or damaged (``lost``)."""

    line_id: int
    quantity: Decimal
    lost: Decimal = ZERO


def _check_warehouse(actor: Any, warehouse: Warehouse | int, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))
    warehouse_id = warehouse if isinstance(warehouse, int) else warehouse.pk
    scope = warehouse_scope_ids(actor)
    if scope is not None and warehouse_id not in scope:
        name = warehouse if isinstance(warehouse, Warehouse) else Warehouse.objects.get(pk=warehouse_id)
        raise PermissionDenied(
            _("%(warehouse)s is outside your data scope: you cannot act on it.") % {"warehouse": name}
        )


def transit_warehouse() -> Warehouse:
    """The warehouse that holds goods in transit: inactive, so nobody picks it for a document."""
    policy = InventoryPolicy.load()
    if policy.transit_warehouse_id:
        return policy.transit_warehouse
    warehouse, _created = Warehouse.objects.get_or_create(
        code=TRANSIT_CODE, defaults={"name": "在途 In transit", "is_active": False}
    )
    InventoryPolicy.objects.filter(pk=policy.pk).update(transit_warehouse=warehouse)
    return warehouse


def _clean(source: Warehouse, destination: Warehouse, lines: Sequence[TransferLineInput]) -> None:
    errors: dict[str, list[str]] = {}
    if source.pk == destination.pk:
        errors["destination"] = [_("The source and destination warehouses must differ.")]
    if not lines:
        errors["__all__"] = [_("Add at least one line.")]
    rows = [
        _("Row %(row)s: enter a positive quantity.") % {"row": row}
        for row, line in enumerate(lines, start=1)
        if line.quantity <= 0
    ]
    if rows:
        errors.setdefault("__all__", []).extend(rows)
    if errors:
        raise ValidationError(errors, code="invalid_transfer")


@atomic_with_retry
def stock_transfer_create(
    *,
    actor: Any,
    source: Warehouse,
    destination: Warehouse,
    date: datetime.date,
    lines: Sequence[TransferLineInput],
    remarks: str = "",
) -> StockTransfer:
    """Save a draft transfer (DBD…). Refused: same source and destination, no lines, a quantity
    that is not positive, a source outside the actor's scope."""
    _check_warehouse(actor, source, "inventory.add_stocktransfer")
    _clean(source, destination, lines)
    transfer = StockTransfer(source=source, destination=destination, date=date, remarks=remarks, created_by=actor)
    transfer.number = document_number_next(prefix=TRANSFER_PREFIX, day=date)
    transfer.save()
    StockTransferLine.objects.bulk_create(
        [
            StockTransferLine(
                transfer=transfer, line_no=row, product_id=line.product_id, quantity=line.quantity, remarks=line.remarks
            )
            for row, line in enumerate(lines, start=1)
        ]
    )
    audit_record(actor=actor, action=AuditAction.CREATED, instance=transfer, changes={"lines": len(lines)})
    return transfer


@atomic_with_retry
def stock_transfer_dispatch(*, actor: Any, transfer: StockTransfer, reason: str = "") -> StockTransfer:
    """Take the goods out of the source into transit, in one posting at the source's moving average cost.

    ``InsufficientStock`` names every short line and nothing is written.
    """
    _check_warehouse(actor, transfer.source_id, "inventory.dispatch_stocktransfer")
    locked = lock(transfer)
    TRANSFER_PIPELINE.check(locked, "dispatch", actor)
    transit = transit_warehouse()
    lines = list(locked.lines.order_by("line_no"))
    stock_lines: list[StockLine] = []
    for line in lines:
        out_index = len(stock_lines)
        stock_lines.append(
            StockLine(
                product_id=line.product_id,
                warehouse_id=locked.source_id,
                quantity=-line.quantity,
                movement_type=MovementType.TRANSFER_OUT,
                line_no=line.line_no,
            )
        )
        stock_lines.append(
            StockLine(
                product_id=line.product_id,
                warehouse_id=transit.pk,
                quantity=line.quantity,
                movement_type=MovementType.TRANSFER_IN,
                line_no=line.line_no,
                paired_with=out_index,
            )
        )

    def finish(posting) -> list[str]:
        outbound = posting.movement_list[0::2]
        stock_lines_link(lines=lines, movements=outbound)
        for line, movement in zip(lines, outbound, strict=True):
            line.unit_cost, line.transit_value = movement.unit_cost, -movement.value
        StockTransferLine.objects.bulk_update(lines, ["unit_cost", "transit_value"])
        locked.transit = transit
        return ["transit"]

    document_post(
        pipeline=TRANSFER_PIPELINE,
        document=locked,
        stock_lines=stock_lines,
        lines=None,  # two movements per line: ``finish`` links each line to its outbound one
        actor=actor,
        action="dispatch",
        memo=_("Dispatch to %(warehouse)s") % {"warehouse": locked.destination},
        finish=finish,
    )
    return locked


def _receipt_problems(
    locked: StockTransfer, lines: dict[int, StockTransferLine], receipts: Sequence[TransferReceiptInput], reason: str
) -> list[str]:
    errors = []
    for receipt in receipts:
        line = lines.get(receipt.line_id)
        if line is None:
            errors.append(_("A line does not belong to %(number)s.") % {"number": locked.number})
            continue
        row = line.line_no
        if receipt.quantity < 0 or receipt.lost < 0:
            errors.append(_("Row %(row)s: quantities cannot be negative.") % {"row": row})
        elif receipt.quantity + receipt.lost > line.in_transit_quantity:
            errors.append(
                _("Row %(row)s: %(quantity)s received and lost, but only %(transit)s is in transit.")
                % {
                    "row": row,
                    "quantity": _plain(receipt.quantity + receipt.lost),
                    "transit": _plain(line.in_transit_quantity),
                }
            )
    if not any(r.quantity > 0 or r.lost > 0 for r in receipts) and not errors:
        errors.append(_("Enter what arrived."))
    if any(r.lost > 0 for r in receipts) and not reason.strip():
        errors.append(_("Give the reason for the goods lost or damaged in transit."))
    return errors


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _share(line: StockTransferLine, quantity: Decimal) -> Decimal:
    """The dispatch value of ``quantity`` of the line; the last units in transit take what is left."""
    if quantity == line.in_transit_quantity:
        return line.transit_value
    return (quantity * line.unit_cost).quantize(MONEY_QUANT)


@atomic_with_retry
def stock_transfer_receive(
    *,
    actor: Any,
    transfer: StockTransfer,
    receipts: Sequence[TransferReceiptInput] | None = None,
    reason: str = "",
) -> StockTransferReceipt:
    """Receive goods at the destination, possibly in part, with losses in transit; one posting.

    ``receipts`` None receives everything still in transit. Refused: receiving (plus losing)
    more than is in transit on a line, a loss without a reason, a destination outside the
    actor's scope, a transfer not in transit. Each unit leaves transit at its own dispatch cost.
    """
    _check_warehouse(actor, transfer.destination_id, "inventory.receive_stocktransfer")
    locked = lock(transfer)
    transition = TRANSFER_PIPELINE.check(locked, "receive", actor)
    lines = {line.pk: line for line in locked.lines.order_by("line_no")}
    if receipts is None:
        receipts = [TransferReceiptInput(line.pk, line.in_transit_quantity) for line in lines.values()]
        receipts = [r for r in receipts if r.quantity > 0]
    errors = _receipt_problems(locked, lines, receipts, reason)
    if errors:
        raise ValidationError(errors, code="invalid_receipt")
    stock_lines: list[StockLine] = []
    for receipt in receipts:
        line = lines[receipt.line_id]
        received_value = _share(line, receipt.quantity) if receipt.quantity else ZERO
        if receipt.quantity:
            out_index = len(stock_lines)
            stock_lines.append(
                StockLine(
                    product_id=line.product_id,
                    warehouse_id=locked.transit_id,
                    quantity=-receipt.quantity,
                    movement_type=MovementType.TRANSFER_OUT,
                    value=-received_value,
                    line_no=line.line_no,
                )
            )
            stock_lines.append(
                StockLine(
                    product_id=line.product_id,
                    warehouse_id=locked.destination_id,
                    quantity=receipt.quantity,
                    movement_type=MovementType.TRANSFER_IN,
                    line_no=line.line_no,
                    paired_with=out_index,
                )
            )
        lost_value = ZERO
        if receipt.lost:
            lost_value = (
                line.transit_value - received_value
                if receipt.quantity + receipt.lost == line.in_transit_quantity
                else _share(line, receipt.lost)
            )
            stock_lines.append(
                StockLine(
                    product_id=line.product_id,
                    warehouse_id=locked.transit_id,
                    quantity=-receipt.lost,
                    movement_type=MovementType.OTHER_ISSUE,
                    value=-lost_value,
                    line_no=line.line_no,
                )
            )
        line.received_quantity += receipt.quantity
        line.lost_quantity += receipt.lost
        line.transit_value -= received_value + lost_value
    sequence = locked.receipts.count() + 1
    posting = stock_post(
        document_type=StockTransferReceipt._meta.label_lower,
        document_number=locked.number,
        lines=stock_lines,
        actor=actor,
        idempotency_key=f"{locked._meta.label_lower}:{locked.pk}:receive:{sequence}",
        memo=(reason or _("Received from %(warehouse)s") % {"warehouse": locked.source})[:200],
    )
    receipt_row = StockTransferReceipt.objects.create(
        transfer=locked, posting=posting, received_by=actor, received_at=posting.posted_at, reason=reason[:200]
    )
    StockTransferLine.objects.bulk_update(list(lines.values()), ["received_quantity", "lost_quantity", "transit_value"])
    before = locked.status
    done = all(line.in_transit_quantity == 0 for line in lines.values())
    locked.status = transition.target if done else TransferStatus.PARTIALLY_RECEIVED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=transition.audit_action,
        instance=locked,
        changes={"status": [before, locked.status], "posting": posting.pk, "receipt": sequence},
    )
    return receipt_row


@atomic_with_retry
def stock_transfer_cancel(*, actor: Any, transfer: StockTransfer, reason: str = "") -> StockTransfer:
    """Void a draft transfer; nothing was posted."""
    _check_warehouse(actor, transfer.source_id, "inventory.change_stocktransfer")
    return document_transition(pipeline=TRANSFER_PIPELINE, document=transfer, action="cancel", actor=actor)
