"""Who is told: recipients by role and warehouse."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from apps.accounts.roles import Role
from apps.masterdata.selectors import warehouse_scope_ids


def users_in_role(role: str) -> QuerySet:
    return get_user_model().objects.filter(is_active=True, groups__name=role).distinct().order_by("pk")


def works_in(user: Any, warehouse_id: int) -> bool:
    scope = warehouse_scope_ids(user)
    return scope is None or warehouse_id in scope


def buyers_of(warehouse_id: int) -> list:
    """Active buyers whose data scope includes the warehouse: those who see every warehouse
    (``sees_all_warehouses``, or superusers) and those assigned to this one."""
    return [user for user in users_in_role(Role.BUYER) if works_in(user, warehouse_id)]


def managers() -> list:
    return list(users_in_role(Role.MANAGER))


def active(user: Any) -> list:
    """``[user]`` when there is an active user, else nobody."""
    return [user] if user is not None and user.is_active else []
