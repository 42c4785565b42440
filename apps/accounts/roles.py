"""The five roles, as groups whose permissions follow from glob patterns.

A pattern is ``app_label.codename`` with ``*`` wildcards, so a permission added by a later
migration (a new model, a custom ``approve_*``) reaches the roles without another data
migration: the groups are created by ``0002_create_roles`` and their permissions are brought
in line after every ``migrate``.
"""

from fnmatch import fnmatchcase

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import pgettext_lazy


class Role:
    WAREHOUSE = "warehouse"
    BUYER = "buyer"
    SALES = "sales"
    MANAGER = "manager"
    ADMIN = "admin"


# Group names are the stable keys; labels are what people read.
# The "role" context keeps these apart from the same words elsewhere (a warehouse's manager is
# 负责人, the Manager role 经理).
ROLE_LABELS = {
    Role.WAREHOUSE: pgettext_lazy("role", "Warehouse staff"),
    Role.BUYER: pgettext_lazy("role", "Buyer"),
    Role.SALES: pgettext_lazy("role", "Sales clerk"),
    Role.MANAGER: pgettext_lazy("role", "Manager"),
    Role.ADMIN: pgettext_lazy("role", "Administrator"),
}

_MASTERDATA_VIEW = ["masterdata.view_*"]
# Everyone may follow the background jobs they start (imports, exports, forecasts).
_JOBS = ["jobs.follow_job"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.WAREHOUSE: [
        *_JOBS,
        *_MASTERDATA_VIEW,
        "masterdata.add_product",
        "masterdata.change_product",
        "inventory.*",
        # Adjustments and counts are approved by a manager, never by the person who counted.
        "!inventory.approve_*",
        "!inventory.change_inventorypolicy",  # approval threshold and classification limits: managers
        "procurement.view_purchaseorder",
        "procurement.*goodsreceipt*",
        "procurement.view_purchasereturn",
        "procurement.view_supplier_scorecard",  # the dock sees how good each supplier is
        "sales.view_salesorder",
        "sales.*shipment*",
        "sales.view_salesreturn",
        "analytics.view_stock_reports",  # movement summary, valuation, turnover, ageing of their warehouses
        "notifications.view_notification",  # their own notifications (the bell)
    ],
    Role.BUYER: [
        *_JOBS,
        *_MASTERDATA_VIEW,
        "masterdata.add_product",
        "masterdata.change_product",
        "masterdata.*supplier*",
        "inventory.view_*",
        "inventory.change_stocklevel",  # buyers own reorder points and maximums
        "procurement.*",
        "!procurement.approve_*",
        # 价格屏蔽 (ADR 0007): buyers negotiate prices and see what stock cost, not margins.
        "core.view_purchase_price",
        "core.view_cost",
        "analytics.view_stock_reports",
        "analytics.view_purchase_analysis",  # spend, price trend and variance, supplier delivery
        "notifications.view_notification",
        "planning.*",  # forecasts and replenishment suggestions turned into draft orders
    ],
    Role.SALES: [
        *_JOBS,
        *_MASTERDATA_VIEW,
        "masterdata.*customer*",
        "!masterdata.change_customer_credit",  # credit limits and reassignment are a manager's
        "inventory.view_stockbalance",
        "sales.*",
        "!sales.approve_*",
        "!sales.add_salestarget",  # targets are set by managers
        "!sales.change_salestarget",
        "!sales.delete_salestarget",
        "notifications.view_notification",
    ],
    Role.MANAGER: [
        *_JOBS,
        "*.view_*",
        "masterdata.*",
        "procurement.*",
        "sales.*",
        "analytics.*",
        "inventory.*",
        "planning.*",
    ],
    Role.ADMIN: ["*"],
}

# The data scope a new user of each role usually gets (see ``User.sees_all_*``): warehouse staff
# work in their assigned warehouses and sales clerks with their own customers; the others see all.
# Used by the migration that introduced the flags, the demo users and the test factories; the
# administrator sets them per user.
ROLE_SCOPE_DEFAULTS: dict[str, dict[str, bool]] = {
    Role.WAREHOUSE: {"sees_all_warehouses": False, "sees_all_customers": True},
    Role.BUYER: {"sees_all_warehouses": True, "sees_all_customers": True},
    Role.SALES: {"sees_all_warehouses": True, "sees_all_customers": False},
    Role.MANAGER: {"sees_all_warehouses": True, "sees_all_customers": True},
    Role.ADMIN: {"sees_all_warehouses": True, "sees_all_customers": True},
}


def scope_defaults(roles: set[str] | list[str]) -> dict[str, bool]:
    """The scope flags for a user holding ``roles``: a flag is on when any of the roles has it on."""
    flags = {"sees_all_warehouses": False, "sees_all_customers": False}
    for role in roles:
        for flag, value in ROLE_SCOPE_DEFAULTS.get(role, {}).items():
            flags[flag] = flags[flag] or value
    return flags


# Admin-only areas that no other pattern may reach.
_ADMIN_ONLY = ("auth.*", "accounts.*", "admin.*", "contenttypes.*", "sessions.*", "core.change_*", "axes.*")


def role_grants(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (``app_label.codename``)."""
    patterns = ROLE_PERMISSIONS[role]
    if role != Role.ADMIN and any(fnmatchcase(permission, p) for p in _ADMIN_ONLY):
        return any(p == permission for p in patterns)
    if any(fnmatchcase(permission, p[1:]) for p in patterns if p.startswith("!")):
        return False
    return any(fnmatchcase(permission, p) for p in patterns if not p.startswith("!"))


def sync_role_permissions(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Give each role group exactly the permissions its patterns grant."""
    from django.contrib.auth.models import Group, Permission

    all_perms = list(Permission.objects.using(using).select_related("content_type"))
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.using(using).get_or_create(name=role)
        granted = [perm for perm in all_perms if role_grants(role, f"{perm.content_type.app_label}.{perm.codename}")]
        group.permissions.set(granted)


def sync_role_permissions_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Sync once per ``migrate`` (or test-database flush), after every app's permissions exist.

    ``post_migrate`` is sent once per app with models, in INSTALLED_APPS order, and Django
    creates each app's permissions in its own turn; syncing on an earlier app would miss the
    permissions of the apps after it, so this waits for the last one.
    """
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if with_models and sender.label == with_models[-1].label:
        sync_role_permissions(using=using)
