"""Purchasing: supplier price lists, purchase orders, goods receipts with inspection, purchase
returns and the supplier ledger (payables, payments, allocations).

Quantities on document lines are entered in a chosen unit (the base unit or a secondary unit);
each line keeps that unit, the conversion ratio at the time and the quantity in the base unit,
which is what the stock ledger receives. Unit prices are net of tax, per the chosen unit; unit
costs are net of tax, per base unit.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.documents.models import Document, DocumentLine
from apps.core.fields import MoneyField, PriceField, QuantityField, RateField, UnitCostField
from apps.core.models import TimeStampedModel
from apps.core.prices import PriceKind
from apps.core.subledger import Subledger, SubledgerAllocation, SubledgerEntry
from apps.inventory.documents.models import StockDocument, StockDocumentLine
from apps.masterdata.models import Product, Supplier, Unit, Warehouse

NON_NEGATIVE = MinValueValidator(Decimal(0))
TAX_RATE_VALIDATORS = [NON_NEGATIVE, MaxValueValidator(Decimal(100))]


class SupplierPrice(TimeStampedModel):
    """One row of a supplier's price list (供货价格表): what one product costs from one supplier.

    ``price`` is per base unit, net of tax. Rows of one supplier × product may not overlap in time.
    """

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="price_list"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="supplier_prices"
    )
    price = PriceField(_("price (net of tax, per base unit)"), validators=[NON_NEGATIVE])
    min_order_qty = QuantityField(_("minimum order quantity"), default=Decimal(0), validators=[NON_NEGATIVE])
    pack_size = QuantityField(
        _("pack size"),
        default=Decimal(0),
        validators=[NON_NEGATIVE],
        help_text=_("Orders must be a multiple of this many base units; 0 for any quantity."),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=0, validators=[MaxValueValidator(365)]
    )
    is_preferred = models.BooleanField(_("preferred"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Leave blank for open-ended."))
    notes = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier price list")
        ordering = ["product__code", "supplier__code", "-valid_from"]
        permissions = [("view_supplier_scorecard", _("Can view supplier scorecards and comparisons"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="proc_supplierprice_valid_range",
            )
        ]
        indexes = [models.Index(fields=["product", "supplier", "valid_from"], name="proc_sp_prod_sup_idx")]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.product}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:supplierprice_update", args=[self.pk])

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity cannot be before its start.")})


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Pending approval")
    APPROVED = "approved", _("Approved")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Completed")
    CLOSED = "closed", _("Force closed")
    CANCELLED = "cancelled", _("Voided")


class PurchaseOrder(Document):
    """A purchase order (采购订单). Its status pipeline is ``services.ORDER_PIPELINE``."""

    price_kind = PriceKind.PURCHASE_PRICE  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected date"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.DRAFT,
        db_index=True,
    )
    net_amount = MoneyField(_("amount"), default=Decimal(0))
    tax_amount = MoneyField(_("tax amount"), default=Decimal(0))
    total_amount = MoneyField(_("total incl. tax"), default=Decimal(0))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the order was approved automatically (below the approval threshold)."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-order_date", "-id"]
        permissions = [("approve_purchaseorder", _("Can approve purchase orders"))]
        indexes = [
            models.Index(fields=["status", "order_date"], name="proc_po_status_date_idx"),
            models.Index(fields=["supplier", "order_date"], name="proc_po_supplier_date_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("procurement:purchaseorder_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == PurchaseOrderStatus.DRAFT


class PurchaseOrderLine(DocumentLine):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1), validators=[MinValueValidator(Decimal("0.0001"))])
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.0001"))])
    base_quantity = QuantityField(_("quantity (base unit)"))
    unit_price = PriceField(_("unit price"), validators=[NON_NEGATIVE])
    tax_rate = RateField(_("tax rate %"), default=Decimal(0), validators=TAX_RATE_VALIDATORS)
    unit_cost = UnitCostField(_("unit cost"))
    list_unit_cost = UnitCostField(_("price-list price"), null=True, blank=True)
    price_source = models.CharField(_("price source"), max_length=16, blank=True)
    net_amount = MoneyField(_("amount"))
    tax_amount = MoneyField(_("tax amount"))
    total_amount = MoneyField(_("total incl. tax"))
    received_quantity = QuantityField(
        _("received"), default=Decimal(0), help_text=_("Arrived at the dock, accepted or rejected (base unit).")
    )
    accepted_quantity = QuantityField(_("stocked in"), default=Decimal(0))
    remarks = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="proc_poline_order_line_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proc_poline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"

    @property
    def open_quantity(self) -> Decimal:
        """Base quantity still to come into stock."""
        return max(self.base_quantity - self.accepted_quantity, Decimal(0))

    @property
    def rejected_quantity(self) -> Decimal:
        return self.received_quantity - self.accepted_quantity


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Voided")


class GoodsReceipt(StockDocument):
    """A purchase receipt with inspection (采购入库单 / 入库验收).

    Only accepted quantities go into stock; rejected ones are recorded for the supplier return
    and the scorecard. ``lead_time_days`` is set at posting: receipt date − order approval date.
    """

    price_kind = PriceKind.PURCHASE_PRICE  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="goods_receipts"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="goods_receipts"
    )
    receipt_date = models.DateField(_("receipt date"))
    reason = models.CharField(
        _("reason (receipt without order)"), max_length=200, blank=True, help_text=_("Required without an order.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    net_amount = MoneyField(_("amount"), default=Decimal(0))
    tax_amount = MoneyField(_("tax amount"), default=Decimal(0))
    total_amount = MoneyField(_("total incl. tax"), default=Decimal(0))
    lead_time_days = models.IntegerField(_("lead time (days)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("purchase receipt")
        verbose_name_plural = _("purchase receipts")
        ordering = ["-receipt_date", "-id"]
        permissions = [("post_goodsreceipt", _("Can post purchase receipts"))]
        indexes = [
            models.Index(fields=["supplier", "status", "receipt_date"], name="proc_gr_sup_status_date_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("procurement:goodsreceipt_detail", args=[self.pk])


class GoodsReceiptLine(StockDocumentLine):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipt_lines",
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1), validators=[MinValueValidator(Decimal("0.0001"))])
    received_quantity = QuantityField(_("received"), validators=[NON_NEGATIVE])
    accepted_quantity = QuantityField(_("accepted"), validators=[NON_NEGATIVE])
    rejected_quantity = QuantityField(_("rejected"), default=Decimal(0), validators=[NON_NEGATIVE])
    received_base = QuantityField(_("received (base unit)"))
    accepted_base = QuantityField(_("accepted (base unit)"))
    rejected_base = QuantityField(_("rejected (base unit)"), default=Decimal(0))
    returned_base = QuantityField(_("returned (base unit)"), default=Decimal(0))
    rejection_reason = models.CharField(_("rejection reason"), max_length=200, blank=True)
    unit_price = PriceField(_("unit price"), validators=[NON_NEGATIVE])
    tax_rate = RateField(_("tax rate %"), default=Decimal(0), validators=TAX_RATE_VALIDATORS)
    unit_cost = UnitCostField(_("unit cost"))
    list_unit_cost = UnitCostField(_("price-list price"), null=True, blank=True)
    net_amount = MoneyField(_("amount"), default=Decimal(0))
    tax_amount = MoneyField(_("tax amount"), default=Decimal(0))
    total_amount = MoneyField(_("total incl. tax"), default=Decimal(0))

    class Meta:
        verbose_name = _("purchase receipt line")
        verbose_name_plural = _("purchase receipt lines")
        ordering = ["receipt", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "line_no"], name="proc_grline_receipt_line_uniq"),
            models.CheckConstraint(
                condition=Q(received_quantity=models.F("accepted_quantity") + models.F("rejected_quantity")),
                name="proc_grline_received_split",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}#{self.line_no}"

    @property
    def returnable_base(self) -> Decimal:
        return self.accepted_base - self.returned_base


class PurchaseReturn(StockDocument):
    """A purchase return (采购退货单) against one posted receipt, at the cost the goods came in with."""

    price_kind = PriceKind.PURCHASE_PRICE  # its amounts are protected (价格屏蔽, ADR 0007; the audit trail masks them)

    receipt = models.ForeignKey(
        GoodsReceipt, verbose_name=_("purchase receipt"), on_delete=models.PROTECT, related_name="returns"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_returns"
    )
    return_date = models.DateField(_("return date"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    net_amount = MoneyField(_("amount"), default=Decimal(0))
    tax_amount = MoneyField(_("tax amount"), default=Decimal(0))
    total_amount = MoneyField(_("total incl. tax"), default=Decimal(0))

    class Meta:
        verbose_name = _("purchase return")
        verbose_name_plural = _("purchase returns")
        ordering = ["-return_date", "-id"]
        permissions = [("post_purchasereturn", _("Can post purchase returns"))]

    def get_absolute_url(self) -> str:
        return reverse("procurement:purchasereturn_detail", args=[self.pk])


class PurchaseReturnLine(StockDocumentLine):
    purchase_return = models.ForeignKey(PurchaseReturn, on_delete=models.CASCADE, related_name="lines")
    receipt_line = models.ForeignKey(
        GoodsReceiptLine, verbose_name=_("receipt line"), on_delete=models.PROTECT, related_name="return_lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1))
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.0001"))])
    base_quantity = QuantityField(_("quantity (base unit)"))
    unit_price = PriceField(_("unit price"), validators=[NON_NEGATIVE])
    tax_rate = RateField(_("tax rate %"), default=Decimal(0), validators=TAX_RATE_VALIDATORS)
    unit_cost = UnitCostField(_("unit cost"))
    net_amount = MoneyField(_("amount"), default=Decimal(0))
    tax_amount = MoneyField(_("tax amount"), default=Decimal(0))
    total_amount = MoneyField(_("total incl. tax"), default=Decimal(0))

    class Meta:
        verbose_name = _("purchase return line")
        verbose_name_plural = _("purchase return lines")
        ordering = ["purchase_return", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_return", "line_no"], name="proc_prline_return_line_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_return_id}#{self.line_no}"


class PayableKind(models.TextChoices):
    RECEIPT = "receipt", _("Purchase receipt")
    RETURN = "return", _("Purchase return")
    PAYMENT = "payment", _("Supplier payment")


class Payable(SubledgerEntry):
    """The payables sub-ledger (应付账款, ``apps.core.subledger``): one signed amount per event.

    A posted receipt owes its total (+), a return credits the receipt it returns against (−), a
    payment subtracts each allocation from its receipt and the unallocated rest with no receipt
    (paid on account). A receipt's outstanding amount, a supplier's balance, statements and
    ageing as of any date are sums of these rows.
    """

    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=PayableKind.choices)
    receipt = models.ForeignKey(
        GoodsReceipt,
        verbose_name=_("purchase receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payables",
    )
    purchase_return = models.OneToOneField(
        PurchaseReturn,
        verbose_name=_("purchase return"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payable",
    )
    payment = models.ForeignKey(
        "SupplierPayment",
        verbose_name=_("supplier payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    due_date = models.DateField(_("due date"))

    class Meta(SubledgerEntry.Meta):
        verbose_name = _("payable")
        verbose_name_plural = _("accounts payable")
        indexes = [models.Index(fields=["supplier", "document_date"], name="proc_payable_sup_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt"], condition=Q(kind="receipt"), name="proc_payable_one_per_receipt"
            ),
        ]


PAYABLES = Subledger(
    entry_model=Payable,
    party_field="supplier",
    item_field="receipt",
    item_date_path="receipt__receipt_date",
    item_due_path=None,
    money_kind=PayableKind.PAYMENT,
    kind_order=(PayableKind.RECEIPT, PayableKind.RETURN, PayableKind.PAYMENT),
)


class SupplierPayment(TimeStampedModel):
    """A supplier payment (付款单), matched to receipts by allocations; the rest is on account."""

    number = models.CharField(_("document no."), max_length=40, unique=True, editable=False)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="supplier_payments"
    )
    payment_date = models.DateField(_("payment date"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    account = models.CharField(_("settlement account"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        ordering = ["-payment_date", "-id"]
        indexes = [models.Index(fields=["supplier", "payment_date"], name="proc_payment_sup_date_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("procurement:supplierpayment_detail", args=[self.pk])


class PaymentAllocation(SubledgerAllocation):
    payment = models.ForeignKey(SupplierPayment, on_delete=models.CASCADE, related_name="allocations")
    receipt = models.ForeignKey(
        GoodsReceipt, verbose_name=_("purchase receipt"), on_delete=models.PROTECT, related_name="allocations"
    )

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["payment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "receipt"], name="proc_alloc_payment_receipt_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="proc_alloc_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.receipt_id}: {self.amount}"
