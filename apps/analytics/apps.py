from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = _("Reports")
    menu = (MenuItem("reports", _("Sales analysis"), "analytics:sales_analysis", "analytics.view_sales_analysis"),)
