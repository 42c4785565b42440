from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from apps.core.models import AuditLog


def audit_trail_for(instance: models.Model) -> QuerySet[AuditLog]:
    """The audit rows of one record, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return AuditLog.objects.filter(content_type=content_type, object_id=str(instance.pk)).select_related("actor")


def audit_log_list() -> QuerySet[AuditLog]:
    return AuditLog.objects.select_related("actor", "content_type")
