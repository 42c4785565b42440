"""The purchase-order list as an export table (written by ``apps.core.exports``)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import CHUNK_SIZE, Table
from apps.procurement.models import PurchaseOrder

AMOUNT_COLUMNS = slice(7, 10)


def purchase_orders_table(queryset: QuerySet[PurchaseOrder], *, with_amounts: bool = True) -> Table:
    """The orders; ``with_amounts=False`` leaves out the amounts (价格屏蔽, ADR 0007)."""
    headers = [
        _("Document no."),
        _("Order date"),
        _("Expected date"),
        _("Supplier"),
        _("Warehouse"),
        _("Buyer"),
        _("Status"),
        _("Amount"),
        _("Tax amount"),
        _("Total incl. tax"),
        _("Remarks"),
    ]
    rows = (
        (
            order.number,
            order.order_date,
            order.expected_date,
            str(order.supplier),
            str(order.warehouse),
            str(order.buyer),
            order.get_status_display(),
            order.net_amount,
            order.tax_amount,
            order.total_amount,
            order.remarks,
        )
        for order in queryset.iterator(chunk_size=CHUNK_SIZE)
    )
    if not with_amounts:
        del headers[AMOUNT_COLUMNS]
        rows = ((*row[: AMOUNT_COLUMNS.start], *row[AMOUNT_COLUMNS.stop :]) for row in rows)
    filename = f"purchase-orders-{timezone.localdate():%Y%m%d}"
    return Table(_("Purchase orders"), filename, headers, rows, count=queryset.count())
