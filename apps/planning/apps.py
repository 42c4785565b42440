from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class PlanningConfig(AppConfig):
    name = "apps.planning"
    label = "planning"
    verbose_name = _("Planning")
    menu = (
        MenuItem(
            "procurement", _("Replenishment suggestions"), "planning:replenishment_list", "planning.view_itemforecast"
        ),
        MenuItem("procurement", _("Demand forecasts"), "planning:forecast_list", "planning.view_itemforecast"),
        MenuItem("procurement", _("Policy check"), "planning:policy_check", "planning.view_itemforecast"),
    )

    def ready(self) -> None:
        from apps.planning import imports  # noqa: F401  (registers the demand-history import kind)
