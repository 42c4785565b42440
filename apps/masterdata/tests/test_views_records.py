import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import role_grants
from apps.core.models import AuditLog
from apps.masterdata.models import Brand, Category, Customer, Supplier, Unit, Warehouse
from apps.masterdata.tests.factories import (
    BrandFactory,
    CategoryFactory,
    CustomerFactory,
    ProductBarcodeFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("warehouse", "buyer", "sales", "manager", "admin")

ENTITIES = ("unit", "category", "brand", "warehouse", "product", "supplier", "customer")
# Who may create each entity: whatever apps/accounts/roles.py grants (spot-checked below).
CAN_ADD = {entity: {role for role in ROLES if role_grants(role, f"masterdata.add_{entity}")} for entity in ENTITIES}


def _unit_rows(n):
    start = Unit.objects.count()
    for i in range(start, start + n):
        UnitFactory(code=f"U{i}", name=f"unit {i}")


def _category_rows(n):
    parent = None
    for i in range(n):
        parent = CategoryFactory(parent=parent if i % 2 else None)


def _warehouse_rows(n, make_user):
    for _ in range(n):
        WarehouseFactory(manager=make_user()).assigned_users.add(make_user())


def _product_rows(n):
    for _ in range(n):
        ProductBarcodeFactory(product=ProductFactory(brand=BrandFactory()))


def _customer_rows(n, make_user):
    for _ in range(n):
        CustomerFactory(salesperson=make_user())


MAKERS = {
    "unit": lambda n, mu: _unit_rows(n),
    "category": lambda n, mu: _category_rows(n),
    "brand": lambda n, mu: BrandFactory.create_batch(n),
    "warehouse": _warehouse_rows,
    "product": lambda n, mu: _product_rows(n),
    "supplier": lambda n, mu: SupplierFactory.create_batch(n),
    "customer": _customer_rows,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entity", list(CAN_ADD))
def test_every_role_may_open_the_lists(client_for, role, entity):
    client = client_for(role)

    response = client.get(reverse(f"masterdata:{entity}_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entity", list(CAN_ADD))
def test_create_page_follows_the_role_matrix(client_for, role, entity):
    client = client_for(role)

    response = client.get(reverse(f"masterdata:{entity}_create"))

    assert response.status_code == (200 if role in CAN_ADD[entity] else 403)


@pytest.mark.parametrize(
    ("role", "entity", "status"),
    [
        ("sales", "product", 403),
        ("sales", "supplier", 403),
        ("warehouse", "customer", 403),
        ("buyer", "customer", 403),
        ("warehouse", "unit", 403),
        ("buyer", "supplier", 200),
        ("sales", "customer", 200),
        ("warehouse", "product", 200),
    ],
)
def test_role_matrix_spot_checks(client_for, role, entity, status):
    assert client_for(role).get(reverse(f"masterdata:{entity}_create")).status_code == status


@pytest.mark.parametrize("entity", list(CAN_ADD))
def test_a_user_without_a_role_is_refused(client_for, entity):
    client = client_for(None)

    assert client.get(reverse(f"masterdata:{entity}_list")).status_code == 403


@pytest.mark.parametrize("entity", list(CAN_ADD))
def test_list_query_count_does_not_grow_with_rows(client_for, make_user, django_assert_num_queries, entity):
    client = client_for("admin")
    url = reverse(f"masterdata:{entity}_list")
    MAKERS[entity](2, make_user)
    client.get(url)  # warm caches (content types, permissions)

    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    MAKERS[entity](3, make_user)

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)

    assert len(response.context["records"]) >= 5


@pytest.mark.parametrize(
    ("entity", "data", "model"),
    [
        ("unit", {"code": "BOX", "name": "箱"}, Unit),
        ("brand", {"name": "统一"}, Brand),
        ("category", {"code": "DRINK", "name": "饮料", "parent": ""}, Category),
        ("warehouse", {"code": "WH9", "name": "北仓", "address": "", "manager": ""}, Warehouse),
        ("supplier", {"code": "S9", "name": "供应商", "payment_terms_days": 30}, Supplier),
        (
            "customer",
            {"code": "K9", "name": "客户", "payment_terms_days": 30, "price_level": "wholesale", "discount_percent": 0},
            Customer,
        ),
    ],
)
def test_create_saves_and_opens_the_detail_page(client_for, entity, data, model):
    client = client_for("admin")

    response = client.post(reverse(f"masterdata:{entity}_create"), data)

    record = model.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(f"masterdata:{entity}_detail", args=[record.pk])
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert list(detail.context["audit_trail"]) == list(AuditLog.objects.filter(object_id=str(record.pk)))
    assert b"audit-trail" in detail.content


def test_create_with_duplicate_code_shows_the_error_and_saves_nothing(client_for):
    UnitFactory(code="BOX", name="箱")
    client = client_for("admin")

    response = client.post(reverse("masterdata:unit_create"), {"code": "box", "name": "盒"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Code box is already used by 箱."]
    assert Unit.objects.count() == 1


def test_customer_form_refuses_a_negative_credit_limit(client_for):
    client = client_for("manager")
    data = {"code": "K1", "name": "x", "payment_terms_days": 30, "price_level": "wholesale", "discount_percent": 0}

    response = client.post(reverse("masterdata:customer_create"), {**data, "credit_limit": "-5"})

    assert response.status_code == 200
    assert "credit_limit" in response.context["form"].errors
    assert Customer.objects.count() == 0


def test_category_form_offers_no_descendant_as_parent_and_refuses_one(client_for):
    root = CategoryFactory(code="ROOT", name="Root")
    child = CategoryFactory(code="CHILD", name="Child", parent=root)
    other = CategoryFactory(code="OTHER", name="Other")
    client = client_for("admin")
    url = reverse("masterdata:category_update", args=[root.pk])

    page = client.get(url)
    response = client.post(url, {"code": "ROOT", "name": "Root", "parent": child.pk})

    offered = [value for value, _label in page.context["form"].fields["parent"].choices if value != ""]
    assert offered == [other.pk]
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "A category cannot be placed under itself or one of its subcategories."
    ]
    root.refresh_from_db()
    assert root.parent is None


def test_category_list_shows_the_tree_indented(client_for):
    root = CategoryFactory(code="B", name="Root")
    CategoryFactory(code="A", name="Child", parent=root)
    client = client_for("manager")

    response = client.get(reverse("masterdata:category_list"))

    assert [(node.name, depth) for node, depth in response.context["records"]] == [("Root", 0), ("Child", 1)]
    assert b'data-depth="1"' in response.content


def test_deactivate_is_post_only_and_needs_change_permission(client_for):
    unit = UnitFactory()
    url = reverse("masterdata:unit_deactivate", args=[unit.pk])

    assert client_for("admin").get(url).status_code == 405
    assert client_for("sales").post(url).status_code == 403
    unit.refresh_from_db()
    assert unit.is_active is True


def test_deactivate_then_activate(client_for):
    supplier = SupplierFactory()
    client = client_for("buyer")

    response = client.post(reverse("masterdata:supplier_deactivate", args=[supplier.pk]))
    supplier.refresh_from_db()
    assert response.status_code == 302
    assert supplier.is_active is False

    client.post(reverse("masterdata:supplier_activate", args=[supplier.pk]))
    supplier.refresh_from_db()
    assert supplier.is_active is True


def test_active_filter_and_search(client_for):
    SupplierFactory(code="S1", name="Alpha")
    SupplierFactory(code="S2", name="Beta", is_active=False)
    client = client_for("buyer")

    inactive = client.get(reverse("masterdata:supplier_list"), {"active": "0"})
    search = client.get(reverse("masterdata:supplier_list"), {"q": "alp"})
    ordered = client.get(reverse("masterdata:supplier_list"), {"sort": "-name"})

    assert [s.code for s in inactive.context["records"]] == ["S2"]
    assert [s.code for s in search.context["records"]] == ["S1"]
    assert [s.code for s in ordered.context["records"]] == ["S2", "S1"]


def test_delete_of_a_referenced_record_explains_and_keeps_it(client_for):
    product = ProductFactory()
    client = client_for("admin")

    detail = client.get(reverse("masterdata:unit_detail", args=[product.base_unit_id]))
    response = client.post(reverse("masterdata:unit_delete", args=[product.base_unit_id]), follow=True)

    assert detail.context["deletable"] is False
    assert [str(m) for m in response.context["messages"]] == [
        "个 cannot be deleted: it is used by 1 record(s) (product). Deactivate it instead."
    ]
    assert Unit.objects.filter(pk=product.base_unit_id).exists()


def test_delete_of_an_unused_record(client_for):
    brand = BrandFactory()
    client = client_for("admin")

    assert client.get(reverse("masterdata:brand_detail", args=[brand.pk])).context["deletable"] is True
    response = client.post(reverse("masterdata:brand_delete", args=[brand.pk]))

    assert response.status_code == 302
    assert not Brand.objects.exists()


def test_delete_needs_delete_permission(client_for):
    supplier = SupplierFactory()

    response = client_for("warehouse").post(reverse("masterdata:supplier_delete", args=[supplier.pk]))

    assert response.status_code == 403
    assert Supplier.objects.exists()


def test_warehouse_form_assigns_users(client_for, make_user):
    keeper = make_user("warehouse", username="keeper")
    client = client_for("admin")

    client.post(
        reverse("masterdata:warehouse_create"),
        {"code": "WH1", "name": "一号仓", "address": "", "manager": "", "assigned_users": [keeper.pk]},
    )

    warehouse = Warehouse.objects.get()
    assert list(warehouse.assigned_users.all()) == [keeper]
    assert list(get_user_model().objects.get(pk=keeper.pk).assigned_warehouses.all()) == [warehouse]


def test_list_heading_and_breadcrumb_start_with_a_capital_in_english(client_for):
    response = client_for("manager").get(reverse("masterdata:product_list"), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert '<h1 class="h4 mb-0">Products</h1>' in html
    assert '<li class="breadcrumb-item active">Products</li>' in html
