"""Transfers between warehouses (调拨单) on the document core, with goods in transit.

Goods in transit are stock of the transit warehouse (``InventoryPolicy.transit_warehouse``, an
inactive warehouse nobody picks): dispatch moves them from the source into transit, each receipt
from transit into the destination, each loss out of transit — one posting per event, with paired
lines so the value travels with the goods. See docs/adr/0007-inventory-operations.md.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField, UnitCostField
from apps.core.prices import PriceKind
from apps.inventory.documents.models import StockDocument, StockDocumentLine
from apps.masterdata.models import Product, Warehouse

TRANSFER_PREFIX = "DBD"


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_TRANSIT = "in_transit", _("In transit")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Completed")
    CANCELLED = "cancelled", _("Voided")


class StockTransfer(StockDocument):
    """A transfer (调拨单) from a source warehouse (调出仓库) to a destination (调入仓库).

    ``posting`` (from the core) is the dispatch; receipts are ``StockTransferReceipt`` rows.
    """

    price_kind = PriceKind.COST  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    status = models.CharField(
        _("status"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.DRAFT, db_index=True
    )
    source = models.ForeignKey(
        Warehouse, verbose_name=_("source warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("destination warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    transit = models.ForeignKey(
        Warehouse,
        verbose_name=_("in transit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("document date"))

    class Meta:
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        ordering = ["-date", "-id"]
        permissions = [
            ("dispatch_stocktransfer", _("Can dispatch stock transfers")),
            ("receive_stocktransfer", _("Can receive stock transfers")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("destination")), name="inv_transfer_distinct_wh"),
        ]
        indexes = [
            models.Index(fields=["source", "status"], name="inv_transfer_src_status_idx"),
            models.Index(fields=["destination", "status"], name="inv_transfer_dst_status_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("inventory:transfer_detail", args=[self.pk])


class StockTransferLine(StockDocumentLine):
    """A product of a transfer. ``movement`` (from the core) is its dispatch out of the source."""

    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))
    unit_cost = UnitCostField(_("unit cost"), null=True, blank=True)
    received_quantity = QuantityField(_("received"), default=Decimal(0))
    lost_quantity = QuantityField(_("lost in transit"), default=Decimal(0))
    transit_value = MoneyField(_("value in transit"), default=Decimal(0))
    remarks = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock transfer line")
        verbose_name_plural = _("stock transfer lines")
        ordering = ["transfer", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "line_no"], name="inv_transferline_row_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inv_transferline_qty_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0, lost_quantity__gte=0)
                & Q(quantity__gte=F("received_quantity") + F("lost_quantity")),
                name="inv_transferline_within_qty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}#{self.line_no}"

    @property
    def in_transit_quantity(self) -> Decimal:
        return self.quantity - self.received_quantity - self.lost_quantity


class StockTransferReceipt(models.Model):
    """One receipt of a transfer at its destination: what arrived and what was lost, posted together."""

    transfer = models.ForeignKey(StockTransfer, on_delete=models.PROTECT, related_name="receipts")
    posting = models.OneToOneField(
        "inventory.StockPosting", verbose_name=_("stock posting"), on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    reason = models.CharField(_("reason for the difference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transfer receipt")
        verbose_name_plural = _("transfer receipts")
        ordering = ["transfer", "received_at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer} @ {self.received_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return self.transfer.get_absolute_url()
