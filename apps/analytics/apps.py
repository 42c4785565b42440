from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem

PURCHASE_ANALYSIS = "analytics.view_purchase_analysis"


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = _("Reports")
    home_panels = "apps.analytics.dashboards.home_panels"
    menu = (
        MenuItem("reports", _("Sales analysis"), "analytics:sales_analysis", "analytics.view_sales_analysis"),
        MenuItem("reports", _("Inventory movement summary"), "analytics:stock_summary", "analytics.view_stock_reports"),
        MenuItem("reports", _("Inventory valuation"), "analytics:stock_valuation", "analytics.view_stock_reports"),
        MenuItem("reports", _("Inventory turnover"), "analytics:stock_turnover", "analytics.view_stock_reports"),
        MenuItem("reports", _("Stock ageing"), "analytics:stock_ageing", "analytics.view_stock_reports"),
        MenuItem("reports", _("Dead stock"), "analytics:dead_stock", "analytics.view_stock_reports"),
        MenuItem("reports", _("Purchase spend"), "analytics:purchase_spend", PURCHASE_ANALYSIS),
        MenuItem("reports", _("Purchase price trend"), "analytics:purchase_price_trend", PURCHASE_ANALYSIS),
        MenuItem("reports", _("Purchase price variance"), "analytics:purchase_price_variance", PURCHASE_ANALYSIS),
        MenuItem("reports", _("Supplier delivery"), "analytics:supplier_delivery", PURCHASE_ANALYSIS),
    )
