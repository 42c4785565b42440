from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class ImportsConfig(AppConfig):
    name = "apps.imports"
    label = "imports"
    verbose_name = _("Data import")
    menu = (MenuItem("system", _("Data import"), "imports:batch_create", "imports.run_import"),)

    def ready(self) -> None:
        from apps.imports import kinds  # noqa: F401  (registers the built-in data kinds)
