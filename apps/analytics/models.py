"""Read-only facts for the reports. Nothing here is written by the application.

``SalesFact`` is a database view (created by migration 0001) over posted sales deliveries and
posted sales returns: one row per delivery line (positive) and one per return line (negative
quantity, revenue and cost, dated on the return). Summing it gives net sales, cost of goods
sold and gross profit in SQL, by any dimension, with the ORM's values() + annotate().
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField
from apps.masterdata.models import Customer, Product, Warehouse
from apps.sales.models import SalesOrder, Shipment


class SalesFactKind(models.TextChoices):
    SHIPMENT = "shipment", _("Sales delivery")
    RETURN = "return", _("Sales return")


class SalesFact(models.Model):
    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(_("type"), max_length=16, choices=SalesFactKind.choices)
    date = models.DateField(_("date"))
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("sales delivery"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    order = models.ForeignKey(
        SalesOrder, verbose_name=_("sales order"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    revenue = MoneyField(_("revenue"))
    cost = MoneyField(_("cost of goods sold"))

    class Meta:
        managed = False
        db_table = "analytics_salesfact"
        verbose_name = _("sales fact")
        verbose_name_plural = _("sales facts")
        default_permissions = ()
        permissions = [("view_sales_analysis", _("Can view the sales analysis"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} {self.product_id} {self.revenue}"


class StockReport(models.Model):
    """No table: it only carries the permissions of the stock reports (summary, valuation,
    turnover, ageing and dead stock), which show costs and values."""

    class Meta:
        managed = False
        db_table = "analytics_stockreport_permissions"
        verbose_name = _("stock report")
        verbose_name_plural = _("stock reports")
        default_permissions = ()
        permissions = [("view_stock_reports", _("Can view the stock reports (summary, valuation, turnover, ageing)"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class PurchaseReport(models.Model):
    """No table: it only carries the permission of the purchase analysis (spend, price trend,
    price variance, supplier delivery), which shows purchase prices."""

    class Meta:
        managed = False
        db_table = "analytics_purchasereport_permissions"
        verbose_name = _("purchase report")
        verbose_name_plural = _("purchase reports")
        default_permissions = ()
        permissions = [("view_purchase_analysis", _("Can view the purchase analysis"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
