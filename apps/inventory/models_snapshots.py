"""Monthly stock snapshots (月末结存): each product × warehouse's closing quantity and value at the end
of every closed month, so that a report at a past date starts from the last month end before it
instead of summing the whole ledger, and its receipts and issues per column summed from the start
of the ledger, so that the flows of a run of whole months are two rows' difference. A cache of the
ledger, written only by ``apps.inventory.services.snapshots`` (``docs/adr/0013-monthly-stock-snapshots.md``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField
from apps.masterdata.models import Product, Warehouse


class StockSnapshotMonth(models.Model):
    """A month whose closing balances are stored, complete: every pair that closed the month with a
    quantity or value has a ``StockMonthEnd`` row; a pair without one closed it at zero."""

    month_end = models.DateField(_("month end"), unique=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("stock snapshot month")
        verbose_name_plural = _("stock snapshot months")
        ordering = ["-month_end"]

    def __str__(self) -> str:
        return f"{self.month_end:%Y-%m}"


class StockMonthEnd(models.Model):
    """The closing quantity and value of one product in one warehouse at the end of a month, and its
    receipts and issues from the first movement to the end of the month, per column of
    ``apps.inventory.flows`` (the field names are its ``FLOW_KEYS``)."""

    # The unique constraint's index (month first) serves every read; no index per foreign key. A row
    # exists only for a pair with movements, whose own foreign keys already protect the product and
    # the warehouse, so the database does not check them again: those checks were half of a month's
    # build (7 of 14 s for 100,000 rows). Django still refuses to delete a product or warehouse here.
    month = models.ForeignKey(StockSnapshotMonth, on_delete=models.CASCADE, related_name="balances", db_index=False)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    quantity = QuantityField(_("quantity"))
    value = MoneyField(_("value"))
    in_opening = QuantityField(_("opening stock quantity"), default=0)
    in_purchase = QuantityField(_("purchase receipt quantity"), default=0)
    in_sales_return = QuantityField(_("sales return quantity"), default=0)
    in_transfer = QuantityField(_("transfer in quantity"), default=0)
    in_count = QuantityField(_("count surplus quantity"), default=0)
    in_other = QuantityField(_("miscellaneous receipt quantity"), default=0)
    in_adjustment = QuantityField(_("adjustment in quantity"), default=0)
    out_sales = QuantityField(_("sales delivery quantity"), default=0)
    out_purchase_return = QuantityField(_("purchase return quantity"), default=0)
    out_transfer = QuantityField(_("transfer out quantity"), default=0)
    out_count = QuantityField(_("count shortage quantity"), default=0)
    out_other = QuantityField(_("miscellaneous issue quantity"), default=0)
    out_adjustment = QuantityField(_("adjustment out quantity"), default=0)
    in_value = MoneyField(_("value received"), default=0)
    out_value = MoneyField(_("value issued"), default=0)
    cogs = MoneyField(_("cost of sales"), default=0)

    class Meta:
        verbose_name = _("month-end stock")
        verbose_name_plural = _("month-end stock")
        constraints = [
            models.UniqueConstraint(fields=["month", "product", "warehouse"], name="inv_monthend_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.product_id}@{self.warehouse_id}: {self.quantity}"


class StockMonthTotal(models.Model):
    """The closing quantity and value of one warehouse at the end of a month: the sum of its
    ``StockMonthEnd`` rows, so that a month-by-month trend reads a few rows per month."""

    month = models.ForeignKey(StockSnapshotMonth, on_delete=models.CASCADE, related_name="totals")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))
    value = MoneyField(_("value"))

    class Meta:
        verbose_name = _("month-end warehouse total")
        verbose_name_plural = _("month-end warehouse totals")
        constraints = [models.UniqueConstraint(fields=["month", "warehouse"], name="inv_monthtotal_uniq")]

    def __str__(self) -> str:
        return f"{self.month} @{self.warehouse_id}: {self.value}"
