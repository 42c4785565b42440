"""Sales documents and the sales side of customers.

Orders reserve stock when approved, shipments issue it through the stock ledger and record
cost and margin per line, returns bring goods back at the cost they left with, and every
posted shipment leaves a receivable that customer receipts settle.

Quantities named ``*_quantity`` on order lines (reserved, shipped) and ``base_quantity`` are
in the product's base unit; ``quantity`` is in the line's unit (``ratio`` base units each).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.documents.models import Document, DocumentLine
from apps.core.fields import ZERO, MoneyField, PriceField, QuantityField, RateField, UnitCostField
from apps.core.models import TimeStampedModel
from apps.core.subledger import Subledger, SubledgerAllocation, SubledgerEntry
from apps.inventory.documents.models import StockDocument, StockDocumentLine
from apps.inventory.models import StockMovement
from apps.masterdata.models import Customer, Product, Unit, Warehouse

NON_NEGATIVE = MinValueValidator(Decimal(0))
PERCENT = [NON_NEGATIVE, MaxValueValidator(Decimal(100))]


class CustomerTag(models.Model):
    """A free label on customers (VIP, 华东, 经销商) used to filter the customer list."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    customers = models.ManyToManyField(
        Customer, through="CustomerTagging", related_name="sales_tags", verbose_name=_("customers")
    )

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerTagging(models.Model):
    tag = models.ForeignKey(CustomerTag, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "customer"], name="sales_tagging_uniq")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.tag_id}"


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class CustomerFollowUp(models.Model):
    """One entry of a customer's follow-up log."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_follow_ups"
    )
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=FollowUpChannel.choices)
    note = models.TextField(_("note"), max_length=2000)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_action_date = models.DateField(_("next action date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer follow-up")
        verbose_name_plural = _("customer follow-ups")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.date:%Y-%m-%d} · {self.get_channel_display()}"


class SalesOrderStatus(models.TextChoices):
    # "document status" context: 已关闭 / 已作废 as statuses, where the bare words are actions.
    DRAFT = "draft", pgettext_lazy("document status", "Draft")
    PENDING = "pending", pgettext_lazy("document status", "Pending approval")
    CONFIRMED = "confirmed", pgettext_lazy("document status", "Approved")
    PARTIAL = "partial", pgettext_lazy("document status", "Partially shipped")
    COMPLETED = "completed", pgettext_lazy("document status", "Completed")
    CLOSED = "closed", pgettext_lazy("document status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("document status", "Voided")


OPEN_ORDER_STATUSES = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIAL)


class SalesOrder(Document):
    """A sales order (销售订单). Its status pipeline is ``apps.sales.pipelines.SALES_ORDER_PIPELINE``."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_orders"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order_date = models.DateField(_("order date"))
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SalesOrderStatus.choices, default=SalesOrderStatus.DRAFT, db_index=True
    )
    over_credit_limit = models.BooleanField(
        _("over the credit limit"),
        default=False,
        help_text=_("Set when the last credit check found the customer's limit exceeded."),
    )
    credit_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credit approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    credit_approved_at = models.DateTimeField(_("credit approved at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    net_amount = MoneyField(_("amount"), default=ZERO)
    tax_amount = MoneyField(_("tax amount"), default=ZERO)
    total_amount = MoneyField(_("total incl. tax"), default=ZERO)

    # Labels of the audit-trail keys that are not fields (see apps.core audit_changes).
    audit_labels = {
        "lines": pgettext_lazy("audit", "Lines"),
        "reserved": pgettext_lazy("audit", "Reserved (base unit, by row)"),
        "backordered": pgettext_lazy("audit", "Backordered (base unit, by row)"),
        "released": pgettext_lazy("audit", "Reservation released (base unit, by row)"),
    }

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-order_date", "-id"]
        permissions = [
            ("approve_salesorder", _("Can approve sales orders over the credit limit")),
            ("view_customer_sales", _("Can view customers' sales pages")),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="sales_order_cust_status_idx")]

    def get_absolute_url(self) -> str:
        return reverse("sales:order_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES


class SalesOrderLine(DocumentLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1))
    quantity = QuantityField(_("quantity"))
    base_quantity = QuantityField(_("quantity (base unit)"))
    unit_price = PriceField(_("unit price"), validators=[NON_NEGATIVE])
    discount_percent = RateField(_("discount %"), default=ZERO, validators=PERCENT)
    tax_rate = RateField(_("tax rate %"), default=ZERO, validators=PERCENT)
    net_amount = MoneyField(_("amount"))
    tax_amount = MoneyField(_("tax amount"))
    total_amount = MoneyField(_("total incl. tax"))
    reserved_quantity = QuantityField(_("reserved"), default=ZERO)
    shipped_quantity = QuantityField(_("shipped"), default=ZERO)

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="sales_orderline_row_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_orderline_qty_positive"),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="sales_orderline_reserved_nonneg"),
            models.CheckConstraint(
                condition=Q(shipped_quantity__gte=0) & Q(shipped_quantity__lte=F("base_quantity")),
                name="sales_orderline_shipped_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"

    @property
    def open_quantity(self) -> Decimal:
        """Base units still to ship."""
        return self.base_quantity - self.shipped_quantity

    @property
    def backordered_quantity(self) -> Decimal:
        """Base units ordered but neither reserved nor shipped (0 once the order is no longer open)."""
        if self.order.status not in OPEN_ORDER_STATUSES:
            return ZERO
        return max(self.base_quantity - self.reserved_quantity - self.shipped_quantity, ZERO)

    @property
    def net_unit_price(self) -> Decimal:
        return self.unit_price * (1 - self.discount_percent / 100)


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("document status", "Draft")
    POSTED = "posted", pgettext_lazy("document status", "Posted")
    CANCELLED = "cancelled", pgettext_lazy("document status", "Voided")


class Shipment(StockDocument):
    """销售出库单: goods leaving for one customer, picked from the open lines of its orders."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_shipments"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    ship_date = models.DateField(_("delivery date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    net_amount = MoneyField(_("amount"), default=ZERO)
    tax_amount = MoneyField(_("tax amount"), default=ZERO)
    total_amount = MoneyField(_("total incl. tax"), default=ZERO)
    cost_amount = MoneyField(_("cost of goods sold"), default=ZERO)
    margin_amount = MoneyField(_("gross profit"), default=ZERO)

    audit_labels = {"lines": pgettext_lazy("audit", "Lines")}

    class Meta:
        verbose_name = _("sales delivery")
        verbose_name_plural = _("sales deliveries")
        ordering = ["-ship_date", "-id"]
        permissions = [("post_shipment", _("Can post sales deliveries"))]
        indexes = [models.Index(fields=["customer", "status", "ship_date"], name="sales_ship_cust_idx")]

    def get_absolute_url(self) -> str:
        return reverse("sales:shipment_detail", args=[self.pk])


class ShipmentLine(StockDocumentLine):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        SalesOrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="shipment_lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1))
    quantity = QuantityField(_("quantity"))
    base_quantity = QuantityField(_("quantity (base unit)"))
    unit_price = PriceField(_("net unit price"))
    tax_rate = RateField(_("tax rate %"), default=ZERO)
    net_amount = MoneyField(_("revenue"), default=ZERO)
    tax_amount = MoneyField(_("tax amount"), default=ZERO)
    total_amount = MoneyField(_("total incl. tax"), default=ZERO)
    cost_amount = MoneyField(_("cost of goods sold"), default=ZERO)
    margin_amount = MoneyField(_("gross profit"), default=ZERO)
    margin_percent = models.DecimalField(_("gross margin %"), max_digits=9, decimal_places=2, default=ZERO)
    returned_quantity = QuantityField(_("returned (base unit)"), default=ZERO)

    class Meta:
        verbose_name = _("sales delivery line")
        verbose_name_plural = _("sales delivery lines")
        ordering = ["shipment", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line_no"], name="sales_shipline_row_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_shipline_qty_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=F("base_quantity")),
                name="sales_shipline_returned_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}#{self.line_no}"

    @property
    def returnable_quantity(self) -> Decimal:
        """Base units that may still be returned."""
        return self.base_quantity - self.returned_quantity


class ReturnDisposition(models.TextChoices):
    RESTOCK = "restock", _("Back to stock")
    SCRAP = "scrap", _("Scrap")


class SalesReturn(StockDocument):
    """销售退货单 against one posted shipment."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_returns"
    )
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("sales delivery"), on_delete=models.PROTECT, related_name="returns"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    return_date = models.DateField(_("return date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    net_amount = MoneyField(_("amount"), default=ZERO)
    tax_amount = MoneyField(_("tax amount"), default=ZERO)
    total_amount = MoneyField(_("total incl. tax"), default=ZERO)
    cost_amount = MoneyField(_("cost"), default=ZERO)

    audit_labels = {"lines": pgettext_lazy("audit", "Lines")}

    class Meta:
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        ordering = ["-return_date", "-id"]
        permissions = [("post_salesreturn", _("Can post sales returns"))]

    def get_absolute_url(self) -> str:
        return reverse("sales:return_detail", args=[self.pk])


class SalesReturnLine(StockDocumentLine):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("delivery line"), on_delete=models.PROTECT, related_name="return_lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(_("conversion ratio"), default=Decimal(1))
    quantity = QuantityField(_("quantity"))
    base_quantity = QuantityField(_("quantity (base unit)"))
    disposition = models.CharField(
        _("disposition"), max_length=16, choices=ReturnDisposition.choices, default=ReturnDisposition.RESTOCK
    )
    scrap_reason = models.CharField(_("scrap reason"), max_length=200, blank=True)
    unit_cost = UnitCostField(_("unit cost"), default=ZERO)
    cost_amount = MoneyField(_("cost"), default=ZERO)
    net_amount = MoneyField(_("amount"), default=ZERO)
    tax_amount = MoneyField(_("tax amount"), default=ZERO)
    total_amount = MoneyField(_("total incl. tax"), default=ZERO)
    scrap_movement = models.ForeignKey(
        StockMovement,
        verbose_name=_("scrap movement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sales return line")
        verbose_name_plural = _("sales return lines")
        ordering = ["sales_return", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["sales_return", "line_no"], name="sales_returnline_row_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_returnline_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sales_return_id}#{self.line_no}"


class Receivable(models.Model):
    """What one posted shipment left the customer owing; returns credit it, receipts settle it."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_receivables"
    )
    shipment = models.OneToOneField(
        Shipment, verbose_name=_("sales delivery"), on_delete=models.PROTECT, related_name="receivable"
    )
    document_date = models.DateField(_("document date"))
    due_date = models.DateField(_("due date"))
    amount = MoneyField(_("amount"))
    credited_amount = MoneyField(_("returned"), default=ZERO)
    received_amount = MoneyField(pgettext_lazy("money", "received"), default=ZERO)
    outstanding = models.GeneratedField(
        verbose_name=_("outstanding"),
        expression=F("amount") - F("credited_amount") - F("received_amount"),
        output_field=MoneyField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("accounts receivable")
        verbose_name_plural = _("accounts receivable")
        ordering = ["document_date", "id"]
        indexes = [models.Index(fields=["customer", "document_date"], name="sales_recv_cust_date_idx")]

    def __str__(self) -> str:
        return f"{self.shipment} {self.amount}"


class ReceiptMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class CustomerReceipt(TimeStampedModel):
    """收款单: money received from a customer, allocated to its receivables."""

    number = models.CharField(_("document no."), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_receipts"
    )
    receipt_date = models.DateField(pgettext_lazy("money", "receipt date"), db_index=True)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    allocated_amount = MoneyField(_("allocated"), default=ZERO)
    method = models.CharField(_("method"), max_length=16, choices=ReceiptMethod.choices, default=ReceiptMethod.BANK)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    notes = models.TextField(_("remarks"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("customer receipt")
        verbose_name_plural = _("customer receipts")
        ordering = ["-receipt_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0) & Q(allocated_amount__lte=F("amount")),
                name="sales_receipt_allocated_range",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("sales:receipt_detail", args=[self.pk])

    @property
    def unallocated_amount(self) -> Decimal:
        return self.amount - self.allocated_amount


class ReceiptAllocation(SubledgerAllocation):
    receipt = models.ForeignKey(CustomerReceipt, on_delete=models.CASCADE, related_name="allocations")
    receivable = models.ForeignKey(
        Receivable, verbose_name=_("accounts receivable"), on_delete=models.PROTECT, related_name="allocations"
    )

    class Meta:
        verbose_name = _("receipt allocation")
        verbose_name_plural = _("receipt allocations")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "receivable"], name="sales_alloc_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sales_alloc_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}→{self.receivable_id}: {self.amount}"


class EntryKind(models.TextChoices):
    SHIPMENT = "shipment", _("Sales delivery")
    RETURN = "return", _("Sales return")
    # Money from the customer (收款单); "receipt" alone is goods in purchasing.
    COLLECTION = "collection", _("Customer receipt")


class ReceivableEntry(SubledgerEntry):
    """The receivables sub-ledger (``apps.core.subledger``): one signed amount per event.

    A shipment adds its total; a return subtracts its total from that shipment's receivable;
    a customer receipt subtracts each allocation from its receivable and any unallocated rest
    with no receivable (an advance). Balances, statements and ageing as of any date are sums of
    these rows; ``Receivable`` keeps the current totals for locking and matching.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_receivable_entries"
    )
    receivable = models.ForeignKey(
        Receivable,
        verbose_name=_("accounts receivable"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("type"), max_length=16, choices=EntryKind.choices)
    shipment = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sales_return = models.ForeignKey(SalesReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt = models.ForeignKey(
        CustomerReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )

    class Meta(SubledgerEntry.Meta):
        verbose_name = _("receivable entry")
        verbose_name_plural = _("receivable entries")
        indexes = [models.Index(fields=["customer", "document_date"], name="sales_recentry_cust_date_idx")]


RECEIVABLES = Subledger(
    entry_model=ReceivableEntry,
    party_field="customer",
    item_field="receivable",
    item_date_path="receivable__document_date",
    item_due_path="receivable__due_date",
    money_kind=EntryKind.COLLECTION,
    kind_order=(EntryKind.SHIPMENT, EntryKind.RETURN, EntryKind.COLLECTION),
)


class SalesTarget(TimeStampedModel):
    """A salesperson's target for one month (销售目标): net sales, excluding tax, as the sales
    analysis counts them (deliveries less returns). Set by managers (``sales_targets_set``)."""

    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="sales_targets"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = MoneyField(_("target amount"), validators=[MinValueValidator(Decimal(0))])

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-month", "salesperson_id"]
        constraints = [
            models.UniqueConstraint(fields=["salesperson", "month"], name="sales_target_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.salesperson} {self.month:%Y-%m}: {self.amount}"
