"""Writes that every app shares: document numbers, the audit trail, system settings."""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.models import AuditAction, AuditLog, DocumentSequence, SystemSettings


def document_number_next(*, prefix: str, day: datetime.date | None = None) -> str:
    """Allocate the next number for ``prefix`` on ``day`` (default: today, local time).

    One upsert statement: concurrent callers each get a distinct number, on PostgreSQL and on
    SQLite. Call it inside the transaction that saves the document so a rolled-back document
    does not consume a number.
    """
    day = day or timezone.localdate()
    table = DocumentSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608  (table name is ours)
            f"ON CONFLICT (prefix, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [prefix, day],
        )
        (value,) = cursor.fetchone()
    return f"{prefix}{day:%Y%m%d}-{value:04d}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def model_changes(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict:
    """``{field: [old, new]}`` for the fields whose value differs from ``before``."""
    changes = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    instance: models.Model,
    changes: dict | None = None,
) -> AuditLog:
    """Append an audit row for ``instance``; call it inside the service's transaction."""
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
    )


EDITABLE_SETTINGS = [
    "company_name",
    "company_address",
    "company_phone",
    "allow_negative_stock",
    "purchase_approval_threshold",
    "adjustment_approval_threshold",
    "receipt_tolerance_percent",
]


@transaction.atomic
def system_settings_update(*, actor: Any, data: dict[str, Any]) -> SystemSettings:
    """Change the company-wide settings and record who changed what."""
    settings_row = SystemSettings.objects.select_for_update().get(pk=SystemSettings.load().pk)
    before = {name: getattr(settings_row, name) for name in EDITABLE_SETTINGS}
    for name, value in data.items():
        if name not in EDITABLE_SETTINGS:
            raise ValueError(f"unknown setting {name!r}")
        setattr(settings_row, name, value)
    settings_row.full_clean()
    settings_row.save()
    changes = model_changes(settings_row, before, EDITABLE_SETTINGS)
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=settings_row, changes=changes)
    return settings_row
