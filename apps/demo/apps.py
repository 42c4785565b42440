from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and benchmark data. Sits on top of every business app, which it seeds."""

    name = "apps.demo"
    label = "demo"
    verbose_name = _("Demo data")
