from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class MasterdataConfig(AppConfig):
    name = "apps.masterdata"
    label = "masterdata"
    verbose_name = _("Master data")
    menu = (
        MenuItem("masterdata", _("Products"), "masterdata:product_list", "masterdata.view_product"),
        MenuItem("masterdata", _("Product categories"), "masterdata:category_list", "masterdata.view_category"),
        MenuItem("masterdata", _("Brands"), "masterdata:brand_list", "masterdata.view_brand"),
        MenuItem("masterdata", _("Units of measure"), "masterdata:unit_list", "masterdata.view_unit"),
        MenuItem("masterdata", _("Warehouses"), "masterdata:warehouse_list", "masterdata.view_warehouse"),
        MenuItem("masterdata", _("Suppliers"), "masterdata:supplier_list", "masterdata.view_supplier"),
        MenuItem("masterdata", _("Customer records"), "masterdata:customer_list", "masterdata.view_customer"),
    )
