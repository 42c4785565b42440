from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, RateField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DocumentSequence(models.Model):
    """The last number handed out for a document prefix on one day (CGDD20261124-0001)."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="core_docseq_prefix_day_uniq")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}-{self.last_value:04d}"


class AuditAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    ACTIVATED = "activated", _("Activated")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPROVED = "approved", _("Approved")
    UNAPPROVED = "unapproved", _("Unapproved")
    REJECTED = "rejected", _("Rejected")
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Voided")
    IMPORTED = "imported", _("Imported")


class AuditLog(models.Model):
    """Who did what to which record, and when. Written by services in their transaction.

    Rows are kept when the record is deactivated; ``object_repr`` keeps the name readable even
    if the record is later renamed.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("operation log")
        verbose_name_plural = _("operation log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class SystemSettings(models.Model):
    """Company-wide settings: one row, edited by admins."""

    company_name = models.CharField(_("company name"), max_length=100, default="JXC Demo Co.")
    company_address = models.CharField(_("company address"), max_length=200, blank=True)
    company_phone = models.CharField(_("company phone"), max_length=40, blank=True)
    allow_negative_stock = models.BooleanField(
        _("allow negative stock"),
        default=False,
        help_text=_("When off, any posting that would take stock below zero is refused."),
    )
    purchase_approval_threshold = MoneyField(
        _("purchase order amount needing a manager's approval"),
        default=Decimal("50000.00"),
        validators=[MinValueValidator(Decimal(0))],
    )
    adjustment_approval_threshold = MoneyField(
        _("stock adjustment value needing a manager's approval"),
        default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "Other receipts and issues, stock adjustments and opening stock worth more than this are "
            "approved by a manager, never by whoever entered them."
        ),
    )
    receipt_tolerance_percent = RateField(
        _("over-receipt tolerance %"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("How far a receipt may exceed the ordered quantity, in percent."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("system settings")
        verbose_name_plural = _("system settings")

    def __str__(self) -> str:
        return str(_("System settings"))

    @classmethod
    def load(cls) -> "SystemSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def content_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls)
