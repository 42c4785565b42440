from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Sales")
    menu = (
        MenuItem("sales", _("Sales orders"), "sales:order_list", "sales.view_salesorder"),
        MenuItem("sales", _("Sales deliveries"), "sales:shipment_list", "sales.view_shipment"),
        MenuItem("sales", _("Sales returns"), "sales:return_list", "sales.view_salesreturn"),
        MenuItem("sales", _("Customer receipts"), "sales:receipt_list", "sales.view_customerreceipt"),
        MenuItem("sales", _("Accounts receivable"), "sales:receivable_report", "sales.view_receivable"),
        MenuItem("sales", _("Customer accounts"), "sales:customer_list", "sales.view_customer_sales"),
        MenuItem("sales", _("Sales targets"), "sales:target_edit", "sales.change_salestarget"),
    )
