"""The abstract header and line of a stock document (string references: no import of the ledger)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.documents.models import Document, DocumentLine


class StockDocument(Document):
    """A document that posts to the stock ledger: who posted it, when, and the posting."""

    posting = models.OneToOneField(
        "inventory.StockPosting",
        verbose_name=_("stock posting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        abstract = True


class StockDocumentLine(DocumentLine):
    """A line that became one stock movement when its document was posted."""

    movement = models.OneToOneField(
        "inventory.StockMovement",
        verbose_name=_("stock movement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True
