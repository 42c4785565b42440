"""The header every document shares, and the one-time form tokens of create forms."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from apps.core.documents.badges import badge_for

NUMBER_MAX_LENGTH = 40
STATUS_MAX_LENGTH = 20


class Document(models.Model):
    """One set of header fields for every document (单据).

    ``number`` is given by ``apps.core.services.document_number_next`` (prefix + date + daily
    sequence). ``status`` follows the document's pipeline; concrete models redeclare the field
    only to give its choices (same column, same length). ``created_by`` is ``SET_NULL``: a
    document outlives the account of whoever typed it, and services may run without a user
    (imports, commands).
    """

    number = models.CharField(_("document no."), max_length=NUMBER_MAX_LENGTH, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=STATUS_MAX_LENGTH, default="draft", db_index=True)
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A database default too, so bulk loaders that name only the columns they know still insert.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        """The Bootstrap colour of the status (one table for every document, see ``badges``)."""
        return badge_for(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class DocumentLine(models.Model):
    """What every document line shares: the row number users see in messages (第3行)."""

    line_no = models.PositiveIntegerField(_("row"))

    class Meta:
        abstract = True


class FormToken(models.Model):
    """A create form handed out once: the document it created, so a re-sent form creates nothing.

    Written in the same transaction as the document; the unique token makes a concurrent
    second submission wait for the first and then find its document.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)
