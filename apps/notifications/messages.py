"""The text of a notification, rendered in the reader's language from its kind and details."""

from django.utils.translation import gettext as _

from apps.notifications.models import Notification, NotificationKind

TEMPLATES = {
    NotificationKind.BELOW_SAFETY: lambda: _(
        "%(product)s in %(warehouse)s: %(available)s available, below the safety stock of %(safety)s"
    ),
    NotificationKind.REORDER: lambda: _(
        "%(product)s in %(warehouse)s reached the reorder point %(reorder_point)s: suggested order %(suggested)s"
    ),
    NotificationKind.LATE_PURCHASE_ORDER: lambda: _(
        "Purchase order %(number)s from %(supplier)s was expected on %(expected)s"
    ),
    NotificationKind.REJECTED: lambda: _("Purchase receipt %(number)s from %(supplier)s: goods rejected at inspection"),
    NotificationKind.CREDIT_LIMIT: lambda: _(
        "Sales order %(number)s for %(customer)s is over the credit limit and waits for approval"
    ),
    NotificationKind.OVERDUE_RECEIVABLE: lambda: _("%(customer)s has %(amount)s overdue (oldest due %(due)s)"),
    NotificationKind.COUNT_VARIANCE: lambda: _(
        "Stock count %(number)s in %(warehouse)s: variance %(variance)s (surplus %(gain)s, shortage %(loss)s), "
        "above the alert threshold of %(threshold)s"
    ),
}


def describe(notification: Notification) -> str:
    try:
        return TEMPLATES[notification.kind]() % notification.params
    except (KeyError, TypeError, ValueError):  # details of an older shape: show the type
        return str(notification.get_kind_display())
