import pytest
from django.contrib.auth.models import Group

from apps.accounts.roles import Role, role_grants

W, B, S, M, A = Role.WAREHOUSE, Role.BUYER, Role.SALES, Role.MANAGER, Role.ADMIN

# permission -> the roles that hold it; every other role must not.
EXPECTED_GRANTS = {
    # Master data: everyone reads; buyers keep suppliers, sales clerks customers, managers all.
    "masterdata.view_product": {W, B, S, M, A},
    "masterdata.view_warehouse": {W, B, S, M, A},
    "masterdata.add_product": {W, B, M, A},
    "masterdata.change_supplier": {B, M, A},
    "masterdata.add_customer": {S, M, A},
    "masterdata.change_warehouse": {M, A},
    "masterdata.change_customer_credit": {M, A},
    # Stock: warehouse staff run receipts, shipments, counts and transfers; a manager approves.
    "inventory.view_stockbalance": {W, B, S, M, A},
    "inventory.view_stockmovement": {W, B, M, A},
    "inventory.add_stocktransfer": {W, M, A},
    "inventory.post_stocktransfer": {W, M, A},
    "inventory.add_stockcount": {W, M, A},
    "inventory.post_stockcount": {W, M, A},
    "inventory.approve_stockadjustment": {M, A},
    # Purchasing: buyers order, warehouse receives, a manager approves.
    "procurement.view_purchaseorder": {W, B, M, A},
    "procurement.add_purchaseorder": {B, M, A},
    "procurement.approve_purchaseorder": {M, A},
    "procurement.add_goodsreceipt": {W, B, M, A},
    "procurement.post_goodsreceipt": {W, B, M, A},
    "procurement.add_purchasereturn": {B, M, A},
    # Sales: clerks sell, warehouse ships, a manager approves.
    "sales.view_salesorder": {W, S, M, A},
    "sales.add_salesorder": {S, M, A},
    "sales.approve_salesorder": {M, A},
    "sales.add_shipment": {W, S, M, A},
    "sales.post_shipment": {W, S, M, A},
    # Reports are for managers.
    "analytics.view_report": {M, A},
    # System: settings, users and Django's own tables are the administrator's alone.
    "core.view_auditlog": {M, A},
    "core.view_systemsettings": {M, A},
    "core.change_systemsettings": {A},
    "accounts.view_user": {A},
    "accounts.change_user": {A},
    "auth.change_group": {A},
    "admin.view_logentry": {A},
    "sessions.delete_session": {A},
}


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [
        pytest.param(role, perm, role in holders, id=f"{role}-{perm}")
        for perm, holders in EXPECTED_GRANTS.items()
        for role in (W, B, S, M, A)
    ],
)
def test_role_grants(role, permission, granted):
    assert role_grants(role, permission) is granted


@pytest.mark.django_db
def test_groups_hold_what_the_patterns_grant_after_migrate():
    buyer = Group.objects.get(name=Role.BUYER)
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in buyer.permissions.select_related("content_type")}

    assert "masterdata.change_supplier" in codes
    assert "masterdata.change_customer" not in codes
    assert "core.change_systemsettings" not in codes


@pytest.mark.django_db
def test_admin_group_holds_every_permission():
    from django.contrib.auth.models import Permission

    admin = Group.objects.get(name=Role.ADMIN)

    assert admin.permissions.count() == Permission.objects.count()
