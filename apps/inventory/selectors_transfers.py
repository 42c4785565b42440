"""Reads of transfers: scoped lists, lines with locations and goods in transit, in-transit totals."""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.inventory.models import StockLevel, StockTransfer, StockTransferLine, TransferStatus
from apps.masterdata.selectors import warehouse_scope_ids

QUANTITY = DecimalField(max_digits=18, decimal_places=4)
OPEN = (TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED)


def stock_transfers(*, user: Any) -> QuerySet[StockTransfer]:
    """Transfers from or to a warehouse the user may see."""
    queryset = StockTransfer.objects.select_related("source", "destination", "created_by", "posted_by")
    ids = warehouse_scope_ids(user)
    return queryset if ids is None else queryset.filter(Q(source_id__in=ids) | Q(destination_id__in=ids))


def transfer_lines(*, transfer: StockTransfer) -> QuerySet[StockTransferLine]:
    """Lines with product, unit, the default location at both ends and the quantity still in transit."""

    def location(warehouse_id: int) -> Subquery:
        level = StockLevel.objects.filter(product_id=OuterRef("product_id"), warehouse_id=warehouse_id)
        return Subquery(level.values("location__code")[:1])

    return (
        transfer.lines.select_related("product", "product__base_unit")
        .annotate(
            source_location=location(transfer.source_id),
            destination_location=location(transfer.destination_id),
            in_transit=ExpressionWrapper(
                F("quantity") - F("received_quantity") - F("lost_quantity"), output_field=QUANTITY
            ),
        )
        .order_by("line_no")
    )


def in_transit_totals(*, user: Any, warehouse_id: int | None = None) -> dict[str, Decimal]:
    """Quantity and value in transit on transfers from or to the user's warehouses, in one aggregate."""
    lines = StockTransferLine.objects.filter(transfer__status__in=OPEN)
    ids = warehouse_scope_ids(user)
    if ids is not None:
        lines = lines.filter(Q(transfer__source_id__in=ids) | Q(transfer__destination_id__in=ids))
    if warehouse_id:
        lines = lines.filter(Q(transfer__source_id=warehouse_id) | Q(transfer__destination_id=warehouse_id))
    zero = Value(Decimal(0))
    return lines.aggregate(
        quantity=Coalesce(
            Sum(F("quantity") - F("received_quantity") - F("lost_quantity"), output_field=QUANTITY), zero
        ),
        value=Coalesce(Sum("transit_value"), zero),
    )
