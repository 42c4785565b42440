from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class ProcurementConfig(AppConfig):
    name = "apps.procurement"
    label = "procurement"
    verbose_name = _("Purchasing")
    menu = (
        MenuItem(
            "procurement", _("Purchase orders"), "procurement:purchaseorder_list", "procurement.view_purchaseorder"
        ),
        MenuItem(
            "procurement", _("Purchase receipts"), "procurement:goodsreceipt_list", "procurement.view_goodsreceipt"
        ),
        MenuItem(
            "procurement", _("Purchase returns"), "procurement:purchasereturn_list", "procurement.view_purchasereturn"
        ),
        MenuItem(
            "procurement",
            _("Supplier payments"),
            "procurement:supplierpayment_list",
            "procurement.view_supplierpayment",
        ),
        MenuItem("procurement", _("Accounts payable"), "procurement:payables_report", "procurement.view_payable"),
        MenuItem(
            "procurement", _("Supplier price list"), "procurement:supplierprice_list", "procurement.view_supplierprice"
        ),
        MenuItem(
            "procurement",
            _("Supplier comparison"),
            "procurement:supplier_comparison",
            "procurement.view_supplier_scorecard",
        ),
    )
