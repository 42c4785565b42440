"""Data scope fails closed: no assignment means nothing, "all" is an explicit flag on the user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from apps.accounts.roles import Role, scope_defaults
from apps.masterdata import selectors
from apps.masterdata.tests.factories import CustomerFactory, WarehouseFactory
from apps.sales import selectors as sales_selectors

pytestmark = pytest.mark.django_db


def test_a_user_without_warehouses_and_without_all_warehouses_sees_no_warehouse(make_user):
    WarehouseFactory(code="MAIN")
    keeper = make_user("warehouse", sees_all_warehouses=False)

    assert selectors.warehouse_scope_ids(keeper) == []
    assert list(selectors.warehouses_for_user(keeper)) == []


def test_all_warehouses_is_what_lets_a_user_see_every_warehouse(make_user):
    main = WarehouseFactory(code="MAIN")
    keeper = make_user("warehouse", sees_all_warehouses=True)

    assert selectors.warehouse_scope_ids(keeper) is None
    assert list(selectors.warehouses_for_user(keeper)) == [main]


def test_a_superuser_sees_every_warehouse_and_customer_without_the_flags(make_user):
    root = make_user(None, is_superuser=True, sees_all_warehouses=False, sees_all_customers=False)

    assert selectors.warehouse_scope_ids(root) is None
    assert sales_selectors.customer_scope_owner(root) is None


def test_a_clerk_with_no_customers_sees_no_customer(make_user):
    CustomerFactory(code="C1", salesperson=make_user("sales"))
    CustomerFactory(code="C2")
    clerk = make_user("sales", sees_all_customers=False)

    assert list(sales_selectors.customers_for_user(clerk)) == []
    assert list(selectors.customers_for_user(clerk)) == []


def test_a_clerk_sees_exactly_their_own_customers(make_user):
    clerk = make_user("sales", sees_all_customers=False)
    mine = CustomerFactory(code="C1", salesperson=clerk)
    CustomerFactory(code="C2", salesperson=make_user("sales"))
    CustomerFactory(code="C3")

    assert list(sales_selectors.customers_for_user(clerk)) == [mine]
    assert sales_selectors.customer_scope_owner(clerk) == clerk


def test_all_customers_is_what_lets_a_user_see_every_customer(make_user):
    customers = [CustomerFactory(code="C1"), CustomerFactory(code="C2")]
    clerk = make_user("sales", sees_all_customers=True)

    assert sorted(sales_selectors.customers_for_user(clerk), key=lambda c: c.code) == customers


def test_an_anonymous_user_sees_nothing():
    WarehouseFactory()
    CustomerFactory()

    assert selectors.warehouse_scope_ids(AnonymousUser()) == []
    assert list(selectors.customers_for_user(AnonymousUser())) == []


def test_a_new_user_is_limited_until_the_administrator_says_otherwise():
    from apps.accounts.models import User

    user = User.objects.create_user(username="new.clerk", password="x-pass-1234")

    assert (user.sees_all_warehouses, user.sees_all_customers) == (False, False)


def test_role_defaults_keep_the_keeper_to_warehouses_and_the_clerk_to_customers():
    assert scope_defaults([Role.WAREHOUSE]) == {"sees_all_warehouses": False, "sees_all_customers": True}
    assert scope_defaults([Role.SALES]) == {"sees_all_warehouses": True, "sees_all_customers": False}
    assert scope_defaults([Role.SALES, Role.MANAGER]) == {"sees_all_warehouses": True, "sees_all_customers": True}


def test_the_administrator_sets_the_scope_flags_on_the_user_page(client_for, make_user):
    user = make_user("sales", sees_all_customers=False)
    admin = client_for("admin")
    page = admin.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert 'name="sees_all_customers"' in page.content.decode()
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "groups"}
    data.update(
        {
            "groups": [group.pk for group in user.groups.all()],
            "sees_all_customers": "on",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "Warehouse_assigned_users-TOTAL_FORMS": "0",
            "Warehouse_assigned_users-INITIAL_FORMS": "0",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("user_permissions", None)

    response = admin.post(reverse("admin:accounts_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.sees_all_customers is True
