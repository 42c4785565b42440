"""Stock counts (盘点单) on the document core: header, lines with book quantities, and who counted what."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField, UnitCostField
from apps.core.prices import PriceKind
from apps.inventory.documents.models import StockDocument, StockDocumentLine
from apps.masterdata.models import Category, Product, Unit, Warehouse

COUNT_PREFIX = "PDD"


class CountStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    PENDING = "pending", _("Pending approval")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Voided")


class CountScope(models.TextChoices):
    ALL = "all", _("Everything in stock")
    CATEGORY = "category", _("A product category")
    ABC = "abc", _("An ABC class")
    LOCATIONS = "locations", _("A range of storage locations")
    PRODUCTS = "products", _("Chosen products")


class StockCount(StockDocument):
    """A stock count (盘点单) of one warehouse.

    Opening it records every line's book quantity (账面数量). People then record what they count
    (``StockCountEntry``); each line keeps the on-hand of the moment it was last counted
    (``snapshot_quantity``), so posting adjusts by ``counted − snapshot`` and movements posted
    after the line was counted are neither lost nor counted twice.
    """

    price_kind = PriceKind.COST  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    status = models.CharField(
        _("status"), max_length=20, choices=CountStatus.choices, default=CountStatus.COUNTING, db_index=True
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("count scope"), max_length=16, choices=CountScope.choices, default=CountScope.ALL)
    category = models.ForeignKey(
        Category, verbose_name=_("product category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    abc_class = models.CharField(_("ABC class"), max_length=1, blank=True)
    location_from = models.CharField(_("from location"), max_length=32, blank=True)
    location_to = models.CharField(_("to location"), max_length=32, blank=True)
    blind = models.BooleanField(_("blind count"), default=False, help_text=_("Counters do not see the book quantity."))
    gain_value = MoneyField(_("surplus value"), default=Decimal(0))
    loss_value = MoneyField(_("shortage value"), default=Decimal(0))

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("post_stockcount", _("Can post stock counts")),
            ("approve_stockcount", _("Can approve stock counts above the threshold")),
        ]
        indexes = [models.Index(fields=["warehouse", "status"], name="inv_count_wh_status_idx")]

    def get_absolute_url(self) -> str:
        return reverse("inventory:count_detail", args=[self.pk])

    @property
    def variance_value(self) -> Decimal:
        """Gains plus losses in absolute value: what the approval threshold is compared with."""
        return self.gain_value + self.loss_value


class StockCountLine(StockDocumentLine):
    """One product of a count: book quantity at opening, the counted quantity of the current round."""

    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    location_code = models.CharField(_("location"), max_length=32, blank=True)
    book_quantity = QuantityField(_("book qty"), default=Decimal(0))
    book_cost = UnitCostField(_("average cost"), default=Decimal(0))
    counted_quantity = QuantityField(_("counted qty"), null=True, blank=True)
    first_count_quantity = QuantityField(_("first count"), null=True, blank=True)
    snapshot_quantity = QuantityField(_("on hand when counted"), default=Decimal(0))
    snapshot_movement_id = models.BigIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("count round"), default=1)
    added = models.BooleanField(_("found, not listed"), default=False)

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        ordering = ["count", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["count", "line_no"], name="inv_countline_row_uniq"),
            models.UniqueConstraint(fields=["count", "product"], name="inv_countline_product_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.count_id}#{self.line_no}"

    @property
    def variance(self) -> Decimal | None:
        return None if self.counted_quantity is None else self.counted_quantity - self.snapshot_quantity


class StockCountEntry(models.Model):
    """What one person counted of one line in one round (初盘 round 1, 复盘 round 2 …), in the base unit."""

    line = models.ForeignKey(StockCountLine, on_delete=models.CASCADE, related_name="entries")
    round = models.PositiveSmallIntegerField(_("count round"), default=1)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counted by"), on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"))
    quantity = QuantityField(_("counted qty"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_quantity = QuantityField(_("quantity entered"), null=True, blank=True)

    class Meta:
        verbose_name = _("count entry")
        verbose_name_plural = _("count entries")
        ordering = ["line", "round", "counted_at"]
        constraints = [
            models.UniqueConstraint(fields=["line", "round", "counted_by"], name="inv_countentry_who_uniq"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="inv_countentry_quantity_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}/{self.round}: {self.quantity}"
