"""The warehouse scope of document views: the same rule for every document."""

from typing import Any

from django.db.models import QuerySet

from apps.masterdata.selectors import warehouse_scope_ids


def warehouse_scoped(queryset: QuerySet, user: Any, field: str = "warehouse_id") -> QuerySet:
    """``queryset`` limited to the warehouses ``user`` may use (``warehouse_scope_ids``).

    Every document list, page, print, export and command goes through it: a document of
    another warehouse is not found (404). ``field`` is the lookup of the document's warehouse.
    """
    ids = warehouse_scope_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})
