from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")
    menu = (
        MenuItem("system", _("System settings"), "core:settings_edit", "core.change_systemsettings"),
        MenuItem("system", _("Operation log"), "core:auditlog_list", "core.view_auditlog"),
    )
