"""In-app notifications (站内通知) and each user's e-mail preferences.

A notification is about one condition, named by ``key`` (e.g. ``below_safety:12:3``): while it is
open the same condition is not raised again for the same person, and it closes itself when the
condition clears. The text is rendered in the reader's language from ``kind`` and ``params``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    BELOW_SAFETY = "below_safety", _("Below safety stock")
    REORDER = "reorder", _("Reorder point reached")
    LATE_PURCHASE_ORDER = "late_po", _("Purchase order late")
    REJECTED = "rejected", _("Goods rejected at inspection")
    CREDIT_LIMIT = "credit_limit", _("Credit limit exceeded")
    OVERDUE_RECEIVABLE = "overdue", _("Receivable overdue")
    COUNT_VARIANCE = "count_variance", _("Count variance above the alert threshold")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("type"), max_length=20, choices=NotificationKind.choices)
    key = models.CharField(_("condition"), max_length=100)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    warehouse = models.ForeignKey(
        "masterdata.Warehouse",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same condition is raised once per person while it is open.
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=Q(closed_at__isnull=True), name="notif_open_key_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "closed_at"], name="notif_recipient_unread_idx"),
            models.Index(fields=["key", "closed_at"], name="notif_key_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.key}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class NotificationPreference(models.Model):
    """Per user: e-mail each notification as it is raised, and/or a daily digest of what is open."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_each = models.BooleanField(_("e-mail each notification"), default=False)
    daily_digest = models.BooleanField(_("daily digest by e-mail"), default=False)
    digest_sent_on = models.DateField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}"
