from typing import Any

from django.db.models import QuerySet

from apps.notifications.messages import describe
from apps.notifications.models import Notification

FILTERS = ("open", "unread", "all")


def notifications_for(*, user: Any, show: str = "open") -> QuerySet[Notification]:
    """The user's own notifications: open ones (default), unread ones, or all; newest first."""
    queryset = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if show == "unread":
        return queryset.filter(read_at__isnull=True)
    if show == "open":
        return queryset.filter(closed_at__isnull=True)
    return queryset


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, closed_at__isnull=True).count()


def with_text(notifications) -> list[Notification]:
    rows = list(notifications)
    for notification in rows:
        notification.text = describe(notification)
    return rows
