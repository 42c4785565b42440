"""The one posting path of stock documents."""

from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from apps.core.documents.pipeline import Pipeline
from apps.core.services import audit_record
from apps.inventory.documents.models import StockDocument
from apps.inventory.models import StockPosting
from apps.inventory.services.ledger import StockLine, stock_lines_link, stock_post


def posting_key(document: Any, action: str = "post") -> str:
    """The idempotency key of a document's posting: ``procurement.goodsreceipt:12:post``."""
    return f"{document._meta.label_lower}:{document.pk}:{action}"


def document_post(
    *,
    pipeline: Pipeline,
    document: StockDocument,
    stock_lines: Sequence[StockLine],
    lines: Sequence[Any] | None,
    actor: Any,
    action: str = "post",
    memo: str = "",
    finish: Callable[[StockPosting | None], list[str]] | None = None,
    changes: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
) -> StockPosting | None:
    """Post a locked, checked document: its stock lines, their links, its status and audit row.

    Call inside the document service's unit of work, after ``pipeline.check`` on the locked row
    (see ``apps.core.documents.pipeline.lock``). ``lines[i]`` is the saved document line that
    ``stock_lines[i]`` came from; each is pointed at its movement in one statement (``None``:
    ``finish`` links them itself, e.g. with other fields of the line). ``finish`` (optional) sets
    further header fields from the posting (cost, margin…) and returns their names, saved with
    the status stamp. ``changes`` (a dict, or a function called after ``finish``) joins the
    audit row. No stock lines (a receipt whose goods were all rejected)
    posts nothing and still moves the document along. Raises what ``stock_post`` raises
    (``InsufficientStock`` names every short row); then nothing is written.
    """
    transition = pipeline[action]
    posting = None
    if stock_lines:
        posting = stock_post(
            document_type=document._meta.label_lower,
            document_number=document.number,
            lines=stock_lines,
            actor=actor,
            idempotency_key=posting_key(document, action),
            memo=memo[:200],
        )
        if lines is not None:
            stock_lines_link(lines=lines, movements=posting.movement_list)
    before = document.status
    extra = finish(posting) if finish is not None else []
    document.status = transition.target
    document.posting = posting
    document.posted_by = actor
    document.posted_at = posting.posted_at if posting is not None else timezone.now()
    document.save(update_fields=["status", "posting", "posted_by", "posted_at", "updated_at", *extra])
    audit_record(
        actor=actor,
        action=transition.audit_action,
        instance=document,
        changes={"status": [before, transition.target], **((changes() if callable(changes) else changes) or {})},
    )
    return posting
