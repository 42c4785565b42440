import pytest

from apps.masterdata import selectors
from apps.masterdata.tests.factories import (
    CategoryFactory,
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def test_warehouses_for_user_limits_an_assigned_user_to_their_warehouses(make_user):
    keeper, buyer = make_user("warehouse", sees_all_warehouses=False), make_user("buyer")
    main, north = WarehouseFactory(code="MAIN"), WarehouseFactory(code="NORTH")
    WarehouseFactory(code="OLD", is_active=False)
    north.assigned_users.add(keeper)

    assert list(selectors.warehouses_for_user(keeper)) == [north]
    assert list(selectors.warehouses_for_user(buyer)) == [main, north]


def test_warehouses_for_user_hides_an_assigned_warehouse_once_deactivated(make_user):
    keeper = make_user("warehouse", sees_all_warehouses=False)
    warehouse = WarehouseFactory(is_active=False)
    warehouse.assigned_users.add(keeper)
    WarehouseFactory()

    assert list(selectors.warehouses_for_user(keeper)) == []


def test_category_tree_orders_children_under_parents_with_depth():
    food = CategoryFactory(code="A", name="Food")
    drinks = CategoryFactory(code="B", name="Drinks", parent=food)
    tea = CategoryFactory(code="C", name="Tea", parent=drinks)
    tools = CategoryFactory(code="AA", name="Tools")

    tree = selectors.category_tree()

    assert [(node.name, depth) for node, depth in tree] == [
        ("Food", 0),
        ("Drinks", 1),
        ("Tea", 2),
        ("Tools", 0),
    ]
    assert selectors.category_descendant_ids(food) == {food.pk, drinks.pk, tea.pk}
    assert selectors.category_descendant_ids(tools) == {tools.pk}


def test_lookup_exact_case_barcode_returns_the_product_alone_with_its_unit():
    case = ProductUnitFactory(ratio=12)
    ProductBarcodeFactory(product=case.product, barcode="16901234567899", unit=case.unit)
    ProductFactory(code="16901234567899X")

    matches = selectors.product_lookup("16901234567899")

    assert len(matches) == 1
    assert matches[0].product == case.product
    assert matches[0].exact is True
    assert matches[0].barcode_unit_id == case.unit.pk


def test_lookup_exact_code_ignores_case():
    product = ProductFactory(code="AB-100")
    ProductFactory(code="AB-1000")

    matches = selectors.product_lookup("ab-100")

    assert [(m.product, m.exact, m.barcode_unit_id) for m in matches] == [(product, True, None)]


def test_lookup_prefers_prefix_matches_and_skips_inactive_products():
    prefix = ProductFactory(code="TEA01", name="Green tea")
    contains = ProductFactory(code="X01", name="Milk tea")
    ProductFactory(code="TEA02", name="Old tea", is_active=False)

    matches = selectors.product_lookup("tea")

    assert [(m.product, m.exact) for m in matches] == [(prefix, False), (contains, False)]


def test_lookup_by_mnemonic_and_limit():
    products = [ProductFactory(code=f"P{n}", name="农夫山泉", mnemonic="NFSQ") for n in range(5)]

    matches = selectors.product_lookup("nfs", limit=3)

    assert [m.product for m in matches] == products[:3]


def test_lookup_of_blank_term_is_empty():
    ProductFactory()

    assert selectors.product_lookup("  ") == []


def test_lookup_ignores_an_inactive_products_barcode_unless_asked():
    product = ProductFactory(is_active=False)
    ProductBarcodeFactory(product=product, barcode="555")

    assert selectors.product_lookup("555") == []
    assert selectors.product_lookup("555", include_inactive=True)[0].product == product


def test_lookup_query_count_is_constant(django_assert_num_queries):
    for n in range(6):
        ProductUnitFactory(product=ProductFactory(code=f"Q{n}", name="Item"))

    with django_assert_num_queries(5):
        selectors.product_lookup("item")
