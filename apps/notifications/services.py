"""The writers of notifications: raise, close, mark read, preferences."""

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.notifications.messages import describe
from apps.notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


def notification_raise(
    *,
    kind: str,
    key: str,
    recipients: Iterable[Any],
    params: dict[str, Any],
    url: str = "",
    warehouse_id: int | None = None,
    once: bool = False,
) -> list[Notification]:
    """Tell each recipient about the condition ``key`` unless they already have an open notification
    of it (with ``once``: unless they ever had one). Returns the notifications created.

    Safe against a concurrent raise of the same key: the partial unique constraint on open
    (recipient, key) turns the second insert into a no-op.
    """
    wanted = {user.pk for user in recipients}
    if not wanted:
        return []
    existing = Notification.objects.filter(key=key, recipient_id__in=wanted)
    if not once:
        existing = existing.filter(closed_at__isnull=True)
    wanted -= set(existing.values_list("recipient_id", flat=True))
    if not wanted:
        return []
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, kind=kind, key=key, params=params, url=url, warehouse_id=warehouse_id)
            for pk in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    created = list(
        Notification.objects.filter(key=key, recipient_id__in=wanted, closed_at__isnull=True, emailed_at__isnull=True)
    )
    if getattr(settings, "NOTIFICATIONS_EMAIL", False):
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _email_each(ids))
    return created


def notification_close(*, key: str, keep_recipients: Iterable[int] = ()) -> int:
    """Close every open notification of ``key`` (the condition cleared); returns how many."""
    return (
        Notification.objects.filter(key=key, closed_at__isnull=True)
        .exclude(recipient_id__in=list(keep_recipients))
        .update(closed_at=timezone.now())
    )


def notifications_close_keys(*, keys: Sequence[str]) -> int:
    """Close every open notification of any of ``keys`` (their conditions cleared); one UPDATE
    per 900 keys, and none for keys without an open notification."""
    closed, now = 0, timezone.now()
    keys = sorted(set(keys))
    for start in range(0, len(keys), 900):
        closed += Notification.objects.filter(key__in=keys[start : start + 900], closed_at__isnull=True).update(
            closed_at=now
        )
    return closed


def notifications_close_except(*, kind: str, keys: Iterable[str]) -> int:
    """Close the open notifications of ``kind`` whose condition is not among ``keys`` (a sweep found it cleared)."""
    return (
        Notification.objects.filter(kind=kind, closed_at__isnull=True)
        .exclude(key__in=list(keys))
        .update(closed_at=timezone.now())
    )


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids`` when given); others' are never touched."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def notification_preference_update(*, user: Any, email_each: bool, daily_digest: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    preference.email_each, preference.daily_digest = email_each, daily_digest
    preference.full_clean()
    preference.save(update_fields=["email_each", "daily_digest"])
    return preference


def _email_each(ids: list[int]) -> None:
    """E-mail new notifications to recipients who asked for it (after commit; failures are logged)."""
    notifications = Notification.objects.filter(
        pk__in=ids, recipient__notification_preference__email_each=True
    ).select_related("recipient")
    for notification in notifications:
        user = notification.recipient
        if not user.email:
            continue
        try:
            with translation.override(settings.LANGUAGE_CODE):
                send_mail(
                    subject=_("[JXC] %(kind)s") % {"kind": notification.get_kind_display()},
                    message=describe(notification),
                    from_email=None,
                    recipient_list=[user.email],
                )
        except OSError:
            logger.exception("could not e-mail notification %s", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def daily_digest_send(*, today: Any = None) -> int:
    """Send each opted-in user one e-mail listing their open notifications, once a day; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    preferences = NotificationPreference.objects.filter(daily_digest=True).exclude(digest_sent_on=today)
    for preference in preferences.select_related("user"):
        user = preference.user
        open_ones = list(
            Notification.objects.filter(recipient=user, closed_at__isnull=True).order_by("-created_at")[:50]
        )
        if not user.email or not open_ones:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            body = "\n".join(f"- {describe(n)}" for n in open_ones)
            send_mail(
                subject=_("[JXC] %(count)s open notifications") % {"count": len(open_ones)},
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
        NotificationPreference.objects.filter(pk=preference.pk).update(digest_sent_on=today)
        sent += 1
    return sent
