from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
    menu = (
        MenuItem("inventory", _("Stock on hand"), "inventory:stock_list", "inventory.view_stockbalance"),
        MenuItem("inventory", _("Stock ledger"), "inventory:movement_list", "inventory.view_stockmovement"),
        MenuItem(
            "inventory",
            _("Opening stock and adjustments"),
            "inventory:adjustment_list",
            "inventory.view_stockadjustment",
        ),
        MenuItem("reports", _("Stock balance report"), "inventory:stock_as_of", "inventory.view_stockbalance"),
        MenuItem("inventory", _("Stock alerts"), "inventory:stock_alerts", "inventory.view_stocklevel"),
        MenuItem(
            "inventory", _("Safety stock and reorder points"), "inventory:stock_level_list", "inventory.view_stocklevel"
        ),
        MenuItem(
            "reports", _("ABC/XYZ classification"), "inventory:classification", "inventory.view_stockclassification"
        ),
        MenuItem("inventory", _("Stock transfers"), "inventory:transfer_list", "inventory.view_stocktransfer"),
        MenuItem("inventory", _("Stock counts"), "inventory:count_list", "inventory.view_stockcount"),
        MenuItem("inventory", _("Cycle counting"), "inventory:cycle_count", "inventory.view_stockcount"),
        MenuItem("inventory", _("Storage locations"), "inventory:location_list", "inventory.view_storagelocation"),
        MenuItem("system", _("Inventory settings"), "inventory:policy", "inventory.change_inventorypolicy"),
    )
