"""One-time form tokens: a re-sent create form shows the document it created and changes nothing.

Every create form of a document or payment renders ``{% form_token %}`` (a hidden UUID). The
view creates through :func:`create_once`, which writes the token row and the document in one
unit of work. A second submission with the same token finds the row and answers the first
document; a concurrent one blocks on the token's unique index until the first commits, then
finds it the same way.
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from apps.core.db import atomic_with_retry
from apps.core.documents.models import FormToken

FIELD = "form_token"
M = TypeVar("M")


def token_from(data: Any) -> uuid.UUID | None:
    """The submitted token, or ``None`` when absent or malformed."""
    try:
        return uuid.UUID(str(data.get(FIELD, "")))
    except ValueError:
        return None


def token_for_form(data: Any) -> str:
    """The token to render: the submitted one while the form is shown again, else a new one."""
    return str(token_from(data) or uuid.uuid4())


def document_for_token(token: uuid.UUID, user: Any) -> Any | None:
    """The document created with ``token`` by ``user``, if any."""
    row = FormToken.objects.filter(token=token).select_related("content_type").first()
    if row is None or row.content_type is None or (row.user_id and user.pk != row.user_id):
        return None
    return row.content_type.get_object_for_this_type(pk=row.object_id)


@atomic_with_retry
def _create_claiming(token: uuid.UUID, user: Any, create: Callable[[], M]) -> M:
    claim = FormToken.objects.create(token=token, user=user if user.is_authenticated else None)
    document = create()
    claim.content_type = ContentType.objects.get_for_model(document)
    claim.object_id = str(document.pk)
    claim.save(update_fields=["content_type", "object_id"])
    return document


def create_once(*, user: Any, token: uuid.UUID | None, create: Callable[[], M]) -> tuple[M, bool]:
    """Run ``create`` unless ``token`` already created a document: ``(document, created)``.

    Without a token (an old page, an API client) ``create`` runs as before. A refusal of
    ``create`` (``ValidationError``) rolls the token back with it, so the corrected form can be
    sent again.
    """
    if token is None:
        return create(), True
    existing = document_for_token(token, user)
    if existing is not None:
        return existing, False
    try:
        return _create_claiming(token, user, create), True
    except IntegrityError:
        if transaction.get_connection().in_atomic_block:
            raise
        existing = document_for_token(token, user)
        if existing is None:
            raise
        return existing, False
