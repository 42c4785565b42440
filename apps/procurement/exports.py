"""The purchase-order list as an export table (written by ``apps.core.exports``)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exports import CHUNK_SIZE, Table, priced_table
from apps.procurement.models import PurchaseOrder


def purchase_orders_table(queryset: QuerySet[PurchaseOrder], *, user: Any) -> Table:
    """The orders; the amounts only for a user who may see purchase prices (ADR 0007)."""
    columns = [
        ("number", _("Document no.")),
        ("order_date", _("Order date")),
        ("expected_date", _("Expected date")),
        ("supplier", _("Supplier")),
        ("warehouse", _("Warehouse")),
        ("buyer", _("Buyer")),
        ("status", _("Status")),
        ("purchase_net_amount", _("Amount")),
        ("purchase_tax_amount", _("Tax amount")),
        ("purchase_total_amount", _("Total incl. tax")),
        ("remarks", _("Remarks")),
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
    filename = f"purchase-orders-{timezone.localdate():%Y%m%d}"
    return priced_table(user, _("Purchase orders"), filename, columns, rows, count=queryset.count())
