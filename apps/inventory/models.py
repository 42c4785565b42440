"""The stock ledger: append-only movements, and balances that cache their sum.

Only ``apps.inventory.services`` writes these tables (a test greps the tree to keep it so).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField, UnitCostField
from apps.core.prices import PriceKind
from apps.inventory.documents.models import StockDocument, StockDocumentLine
from apps.masterdata.models import Product, Warehouse


class MovementType(models.TextChoices):
    OPENING = "opening", _("Opening stock")
    PURCHASE_RECEIPT = "purchase_receipt", _("Purchase receipt")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    SALES_SHIPMENT = "sales_shipment", _("Sales delivery")
    SALES_RETURN = "sales_return", _("Sales return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT_GAIN = "count_gain", _("Count surplus")
    COUNT_LOSS = "count_loss", _("Count shortage")
    OTHER_RECEIPT = "other_receipt", _("Miscellaneous receipt")
    OTHER_ISSUE = "other_issue", _("Miscellaneous issue")
    ADJUSTMENT = "adjustment", _("Stock adjustment")
    REVERSAL = "reversal", _("Reversal")


INBOUND_TYPES = frozenset(
    {
        MovementType.OPENING,
        MovementType.PURCHASE_RECEIPT,
        MovementType.SALES_RETURN,
        MovementType.TRANSFER_IN,
        MovementType.COUNT_GAIN,
        MovementType.OTHER_RECEIPT,
    }
)
OUTBOUND_TYPES = frozenset(
    {
        MovementType.PURCHASE_RETURN,
        MovementType.SALES_SHIPMENT,
        MovementType.TRANSFER_OUT,
        MovementType.COUNT_LOSS,
        MovementType.OTHER_ISSUE,
    }
)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a posted ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; post a reversal instead")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; post a reversal instead")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only; post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only; post a reversal instead")


class StockPosting(AppendOnlyModel):
    """One call of the posting service: the movements one document caused, posted together."""

    document_type = models.CharField(_("document type"), max_length=40)
    document_number = models.CharField(_("document no."), max_length=40, db_index=True)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    memo = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock posting")
        verbose_name_plural = _("stock postings")
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_number} @ {self.posted_at:%Y-%m-%d %H:%M}"


class StockMovement(AppendOnlyModel):
    """A signed change of one product's stock in one warehouse, in the base unit.

    ``quantity_after`` / ``value_after`` are the balance right after this movement, so the
    ledger shows running balances without replaying history. The ledger order is the id order:
    ids are drawn from the database sequence while the balance locks are held (see
    ``services.ledger.stock_post``), and ``posted_at`` comes from the database clock at the same
    moment, so per product × warehouse it never runs backwards along the ids.
    """

    posting = models.ForeignKey(StockPosting, on_delete=models.PROTECT, related_name="movements")
    line_no = models.PositiveIntegerField(_("row"))
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    movement_type = models.CharField(_("movement type"), max_length=20, choices=MovementType.choices)
    quantity = QuantityField(_("quantity"))
    unit_cost = UnitCostField(_("unit cost"))
    value = MoneyField(_("value"))
    quantity_after = QuantityField(_("balance quantity"))
    value_after = MoneyField(_("balance value"))
    posted_at = models.DateTimeField(_("posted at"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["id"]
        indexes = [
            # The ledger of each product × warehouse in ledger order, covering on PostgreSQL: verify_ledger's
            # running-balance window reads it without a sort, and stock as of a date finds a key's last
            # movement before the cut-off with an index-only scan (SQLite ignores INCLUDE).
            models.Index(
                fields=["product", "warehouse", "id"],
                include=["posted_at", "quantity", "value", "quantity_after", "value_after"],
                name="inv_mv_prod_wh_seq_idx",
            ),
            models.Index(fields=["warehouse", "posted_at"], name="inv_mv_wh_time_idx"),
            # Covering on PostgreSQL: stock-as-of totals sum quantity and value over a posted_at range
            # with an index-only scan (SQLite ignores INCLUDE).
            models.Index(
                fields=["posted_at", "id"],
                include=["quantity", "value", "product", "warehouse"],
                name="inv_mv_time_cover_idx",
            ),
        ]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="inv_mv_quantity_nonzero")]

    def __str__(self) -> str:
        return f"{self.posting.document_number}#{self.line_no} {self.product_id}@{self.warehouse_id} {self.quantity}"


class StockBalance(models.Model):
    """On-hand, reserved and value of one product in one warehouse: a cache of the ledger."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    on_hand = QuantityField(_("on hand"), default=0)
    reserved = QuantityField(_("reserved"), default=0)
    available = models.GeneratedField(
        verbose_name=_("available"),
        expression=F("on_hand") - F("reserved"),
        output_field=QuantityField(),
        db_persist=True,
    )
    value = MoneyField(_("stock value"), default=0)
    avg_cost = UnitCostField(_("average cost"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inv_balance_product_wh_uniq"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inv_balance_reserved_nonneg"),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="inv_balance_wh_prod_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:movement_list") + f"?product={self.product_id}&warehouse={self.warehouse_id}"


class AdjustmentKind(models.TextChoices):
    """What a stock adjustment document does; each kind has its own number prefix and movement type."""

    OPENING = "opening", _("Opening stock")
    OTHER_RECEIPT = "other_receipt", _("Miscellaneous receipt")
    OTHER_ISSUE = "other_issue", _("Miscellaneous issue")
    ADJUSTMENT = "adjustment", _("Stock adjustment")


# kind -> (number prefix, movement type, direction: +1 inbound, -1 outbound, 0 signed lines)
ADJUSTMENT_KINDS: dict[str, tuple[str, str, int]] = {
    AdjustmentKind.OPENING: ("QCKC", MovementType.OPENING, 1),
    AdjustmentKind.OTHER_RECEIPT: ("QTRK", MovementType.OTHER_RECEIPT, 1),
    AdjustmentKind.OTHER_ISSUE: ("QTCK", MovementType.OTHER_ISSUE, -1),
    AdjustmentKind.ADJUSTMENT: ("KCTZ", MovementType.ADJUSTMENT, 0),
}


class AdjustmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class StockAdjustment(StockDocument):
    """Opening stock (期初库存), miscellaneous receipt/issue (其他入库单/其他出库单) or a stock adjustment (库存调整单).

    A draft is edited freely; posting writes its lines to the ledger through the posting service
    and links each line to the movement it caused. A document worth more than
    ``SystemSettings.adjustment_approval_threshold`` is submitted and posted by a manager's
    approval, never by whoever entered it. A posted document is never edited: it is reversed
    (红冲) as a whole. The pipeline is ``apps.inventory.services.adjustments.ADJUSTMENT_PIPELINE``.
    """

    price_kind = PriceKind.COST  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    kind = models.CharField(_("type"), max_length=20, choices=AdjustmentKind.choices)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("document date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AdjustmentStatus.choices, default=AdjustmentStatus.DRAFT, db_index=True
    )
    reversal_posting = models.OneToOneField(
        StockPosting,
        verbose_name=_("reversal posting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        ordering = ["-date", "-id"]
        permissions = [
            ("post_stockadjustment", _("Can post and reverse stock adjustments")),
            ("approve_stockadjustment", _("Can approve stock adjustments above the approval threshold")),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="inv_adj_kind_status_idx")]

    def get_absolute_url(self) -> str:
        return reverse("inventory:adjustment_detail", args=[self.pk])

    @property
    def direction(self) -> int:
        return ADJUSTMENT_KINDS[self.kind][2]

    @property
    def is_editable(self) -> bool:
        return self.status == AdjustmentStatus.DRAFT


class StockAdjustmentLine(StockDocumentLine):
    """One row of a stock adjustment: a quantity in the product's base unit.

    Receipts and opening stock give a positive quantity and a unit cost; issues a positive
    quantity (posted as an outflow at the moving average cost); adjustments a signed quantity
    (a gain may give a unit cost, else it enters at the current average cost).
    """

    document = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))
    unit_cost = UnitCostField(_("unit cost"), null=True, blank=True)
    remarks = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock adjustment line")
        verbose_name_plural = _("stock adjustment lines")
        ordering = ["document", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["document", "line_no"], name="inv_adjline_doc_row_uniq"),
            models.CheckConstraint(condition=~Q(quantity=0), name="inv_adjline_quantity_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.line_no}"


# Inventory operations keep their models in their own modules; importing them here registers them.
from apps.inventory.models_counts import (  # noqa: E402, F401
    COUNT_PREFIX,
    CountScope,
    CountStatus,
    StockCount,
    StockCountEntry,
    StockCountLine,
)
from apps.inventory.models_levels import (  # noqa: E402, F401
    AbcClass,
    InventoryPolicy,
    StockClassification,
    StockLevel,
    StorageLocation,
    XyzClass,
)
from apps.inventory.models_snapshots import StockMonthEnd, StockMonthTotal, StockSnapshotMonth  # noqa: E402, F401
from apps.inventory.models_transfers import (  # noqa: E402, F401
    TRANSFER_PREFIX,
    StockTransfer,
    StockTransferLine,
    StockTransferReceipt,
    TransferStatus,
)
