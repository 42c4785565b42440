"""The five roles, as groups whose permissions follow from glob patterns.

A pattern is ``app_label.codename`` with ``*`` wildcards, so a permission added by a later
migration (a new model, a custom ``approve_*``) reaches the roles without another data
migration: the groups are created by ``0002_create_roles`` and their permissions are brought
in line after every ``migrate``.
"""

from fnmatch import fnmatchcase

from django.utils.translation import gettext_lazy as _


class Role:
    WAREHOUSE = "warehouse"
    BUYER = "buyer"
    SALES = "sales"
    MANAGER = "manager"
    ADMIN = "admin"


# Group names are the stable keys; labels are what people read.
ROLE_LABELS = {
    Role.WAREHOUSE: _("Warehouse staff"),
    Role.BUYER: _("Buyer"),
    Role.SALES: _("Sales clerk"),
    Role.MANAGER: _("Manager"),
    Role.ADMIN: _("Administrator"),
}

_MASTERDATA_VIEW = ["masterdata.view_*"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.WAREHOUSE: [
        *_MASTERDATA_VIEW,
        "masterdata.add_product",
        "masterdata.change_product",
        "inventory.*",
        "procurement.view_purchaseorder",
        "procurement.*goodsreceipt*",
        "procurement.view_purchasereturn",
        "procurement.view_supplier_scorecard",  # the dock sees how good each supplier is
        "sales.view_salesorder",
        "sales.*shipment*",
        "sales.view_salesreturn",
    ],
    Role.BUYER: [
        *_MASTERDATA_VIEW,
        "masterdata.add_product",
        "masterdata.change_product",
        "masterdata.*supplier*",
        "inventory.view_*",
        "procurement.*",
        "!procurement.approve_*",
    ],
    Role.SALES: [
        *_MASTERDATA_VIEW,
        "masterdata.*customer*",
        "inventory.view_stockbalance",
        "sales.*",
        "!sales.approve_*",
    ],
    Role.MANAGER: [
        "*.view_*",
        "procurement.*",
        "sales.*",
        "analytics.*",
        "inventory.*",
    ],
    Role.ADMIN: ["*"],
}

# Admin-only areas that no other pattern may reach.
_ADMIN_ONLY = ("auth.*", "accounts.*", "admin.*", "contenttypes.*", "sessions.*", "core.change_*")


def role_grants(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (``app_label.codename``)."""
    patterns = ROLE_PERMISSIONS[role]
    if role != Role.ADMIN and any(fnmatchcase(permission, p) for p in _ADMIN_ONLY):
        return any(p == permission for p in patterns)
    if any(fnmatchcase(permission, p[1:]) for p in patterns if p.startswith("!")):
        return False
    return any(fnmatchcase(permission, p) for p in patterns if not p.startswith("!"))


def sync_role_permissions() -> None:
    """Give each role group exactly the permissions its patterns grant."""
    from django.contrib.auth.models import Group, Permission

    all_perms = list(Permission.objects.select_related("content_type"))
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=role)
        granted = [perm for perm in all_perms if role_grants(role, f"{perm.content_type.app_label}.{perm.codename}")]
        group.permissions.set(granted)


def sync_role_permissions_after_migrate(sender, **kwargs) -> None:
    if sender.label == "accounts":
        sync_role_permissions()
