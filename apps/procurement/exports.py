"""Streamed Excel exports (openpyxl write-only: rows are written as they are read)."""

import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from apps.procurement.models import PurchaseOrder

CHUNK = 64 * 1024


def purchase_orders_xlsx(queryset: QuerySet[PurchaseOrder]) -> Iterator[bytes]:
    """Yield an .xlsx of ``queryset`` in chunks; the workbook is spooled to a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Purchase orders"))
    sheet.append(
        [
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
    )
    for order in queryset.iterator(chunk_size=2000):
        sheet.append(
            [
                order.number,
                order.order_date,
                order.expected_date,
                str(order.supplier),
                str(order.warehouse),
                str(order.buyer),
                str(order.get_status_display()),
                order.net_amount,
                order.tax_amount,
                order.total_amount,
                order.remarks,
            ]
        )
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
