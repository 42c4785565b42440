"""Stock levels per product × warehouse (safety stock, reorder point, maximum, default location).

``stock_levels_bulk_set`` is the one writer: the list page, its "apply to all filtered rows"
form, the Excel import and planning's accepted suggestions all call it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.models import AuditAction
from apps.core.services import audit_record, model_changes
from apps.inventory.models import InventoryPolicy, StockLevel, StorageLocation
from apps.masterdata.models import Warehouse
from apps.masterdata.selectors import warehouse_scope_ids

LEVEL_PERMISSION = "inventory.change_stocklevel"
LEVEL_FIELDS = ("safety_stock", "reorder_point", "max_stock", "location_id")


class _Keep:
    """Marks a field of a ``StockLevelInput`` to leave as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True)
class StockLevelInput:
    """New levels of one product in one warehouse; fields left at ``KEEP`` keep their value.

    ``max_stock=None`` clears the maximum; ``location_id=None`` clears the default location.
    """

    product_id: int
    warehouse_id: int
    safety_stock: Decimal = KEEP
    reorder_point: Decimal = KEEP
    max_stock: Decimal | None = KEEP
    location_id: int | None = KEEP
    row: int | None = None  # the row people see in messages (a sheet row, a list row)


def _check_scope(actor: Any, warehouse_ids: set[int]) -> None:
    if not actor.has_perm(LEVEL_PERMISSION):
        raise PermissionDenied(_("You may not change stock levels."))
    scope = warehouse_scope_ids(actor)
    if scope is not None and not warehouse_ids <= set(scope):
        names = Warehouse.objects.filter(pk__in=warehouse_ids - set(scope)).values_list("name", flat=True)
        raise PermissionDenied(
            _("You may not change stock levels of %(warehouses)s.") % {"warehouses": ", ".join(sorted(names))}
        )


@atomic_with_retry
def stock_levels_bulk_set(*, actor: Any, rows: Sequence[StockLevelInput]) -> int:
    """Create or change the levels of many product × warehouse pairs at once; return how many were written.

    Every row is checked before anything is written (negative numbers, a maximum below the
    safety stock or the reorder point, a location of another warehouse); ``ValidationError``
    names each bad row and nothing changes. Refuses (``PermissionDenied``) an actor without
    ``inventory.change_stocklevel`` or acting on a warehouse outside their scope. Constant
    number of queries: one read of the existing rows, one upsert, one audit row per warehouse.
    """
    if not rows:
        return 0
    warehouse_ids = {row.warehouse_id for row in rows}
    _check_scope(actor, warehouse_ids)
    product_ids = {row.product_id for row in rows}
    existing = {
        (level.product_id, level.warehouse_id): level
        for level in StockLevel.objects.filter(product_id__in=product_ids, warehouse_id__in=warehouse_ids)
    }
    location_ids = {row.location_id for row in rows if row.location_id not in (KEEP, None)}
    locations = dict(StorageLocation.objects.filter(pk__in=location_ids).values_list("pk", "warehouse_id"))
    errors: list[str] = []
    merged: dict[tuple[int, int], StockLevel] = {}
    for index, row in enumerate(rows, start=1):
        key = (row.product_id, row.warehouse_id)
        current = merged.get(key) or existing.get(key)
        level = StockLevel(
            product_id=row.product_id,
            warehouse_id=row.warehouse_id,
            safety_stock=current.safety_stock if current else Decimal(0),
            reorder_point=current.reorder_point if current else Decimal(0),
            max_stock=current.max_stock if current else None,
            location_id=current.location_id if current else None,
        )
        for name in LEVEL_FIELDS:
            value = getattr(row, name)
            if value is not KEEP:
                setattr(level, name, value)
        problem = _row_problem(level, locations)
        if problem:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": row.row or index, "problem": problem})
        merged[key] = level
    if errors:
        raise ValidationError(errors, code="invalid_level")
    StockLevel.objects.bulk_create(
        list(merged.values()),
        update_conflicts=True,
        unique_fields=["product", "warehouse"],
        update_fields=["safety_stock", "reorder_point", "max_stock", "location", "updated_at"],
        batch_size=1000,
    )
    for warehouse in Warehouse.objects.filter(pk__in=warehouse_ids):
        count = sum(1 for key in merged if key[1] == warehouse.pk)
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=warehouse, changes={"stock_levels": count})
    return len(merged)


def _row_problem(level: StockLevel, locations: dict[int, int]) -> str:
    for name in ("safety_stock", "reorder_point", "max_stock"):
        value = getattr(level, name)
        if value is not None and value < 0:
            return _("levels cannot be negative.")
    if level.max_stock is not None and level.max_stock < max(level.safety_stock, level.reorder_point):
        return _("the maximum cannot be below the safety stock or the reorder point.")
    if level.location_id is not None and locations.get(level.location_id) != level.warehouse_id:
        return _("the location belongs to another warehouse.")
    return ""


@atomic_with_retry
def storage_location_save(
    *,
    actor: Any,
    warehouse: Warehouse,
    code: str,
    zone: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    location: StorageLocation | None = None,
) -> StorageLocation:
    """Create a storage location (or change ``location``); the code is unique within its warehouse."""
    _check_location_scope(actor, warehouse)
    if location is not None:
        location = StorageLocation.objects.select_for_update().get(pk=location.pk)
        _check_location_scope(actor, location.warehouse)
    else:
        location = StorageLocation()
    location.warehouse, location.code, location.zone = warehouse, code.strip().upper(), zone.strip()
    location.sort_order, location.is_active = sort_order, is_active
    location.full_clean()
    created = location.pk is None
    location.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATED if created else AuditAction.CHANGED,
        instance=location,
        changes={"code": location.code, "zone": location.zone, "sort_order": location.sort_order},
    )
    return location


def _check_location_scope(actor: Any, warehouse: Warehouse) -> None:
    if not actor.has_perm("inventory.change_storagelocation"):
        raise PermissionDenied(_("You may not change storage locations."))
    scope = warehouse_scope_ids(actor)
    if scope is not None and warehouse.pk not in scope:
        raise PermissionDenied(_("You may not change storage locations of %(warehouse)s.") % {"warehouse": warehouse})


POLICY_FIELDS = [
    "abc_a_percent",
    "abc_b_percent",
    "xyz_x_max_cv",
    "xyz_y_max_cv",
    "classification_months",
    "count_approval_threshold",
    "count_variance_alert_threshold",
    "cycle_days_a",
    "cycle_days_b",
    "cycle_days_c",
    "no_movement_days",
]


@atomic_with_retry
def inventory_policy_update(*, actor: Any, **values: Any) -> InventoryPolicy:
    """Change the inventory settings (``POLICY_FIELDS``); refused without ``inventory.change_inventorypolicy``."""
    if not actor.has_perm("inventory.change_inventorypolicy"):
        raise PermissionDenied(_("You may not change the inventory settings."))
    InventoryPolicy.load()
    policy = InventoryPolicy.objects.select_for_update().get(pk=1)
    before = {name: getattr(policy, name) for name in POLICY_FIELDS}
    for name, value in values.items():
        if name not in POLICY_FIELDS:
            raise ValueError(f"unknown inventory setting {name}")
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit_record(
        actor=actor, action=AuditAction.CHANGED, instance=policy, changes=model_changes(policy, before, POLICY_FIELDS)
    )
    return policy
