from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import QueryDict

from apps.core.filters import AuditLogFilter
from apps.core.models import AuditLog


def audit_trail_for(instance: models.Model) -> QuerySet[AuditLog]:
    """The audit rows of one record, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return AuditLog.objects.filter(content_type=content_type, object_id=str(instance.pk)).select_related("actor")


def audit_log_list(*, filters: QueryDict | dict | None = None) -> AuditLogFilter:
    """The operation log filtered by user, action, record type and date range.

    Returns the bound FilterSet: ``.qs`` holds the rows (invalid filter values are ignored and
    reported on ``.form``), ``.form`` renders the filter bar.
    """
    queryset = AuditLog.objects.select_related("actor", "content_type")
    return AuditLogFilter(filters or None, queryset=queryset)
