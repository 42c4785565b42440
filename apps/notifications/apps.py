from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from apps.inventory.services.hooks import on_stock_count_reviewed, on_stock_posted
        from apps.notifications.triggers import stock_count_reviewed, stock_posted

        on_stock_posted(stock_posted)
        on_stock_count_reviewed(stock_count_reviewed)
