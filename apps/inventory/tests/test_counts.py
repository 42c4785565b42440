"""Stock counts (盘点单): opening, recording, recounts, approval, posting and its concurrency rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.inventory.models import (
    CountScope,
    CountStatus,
    InventoryPolicy,
    MovementType,
    StockBalance,
    StockCountEntry,
    StockLevel,
    StockMovement,
    StorageLocation,
)
from apps.inventory.services.counts import (
    COUNT_PIPELINE,
    CountEntryInput,
    stock_count_cancel,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_count_recount,
    stock_count_submit,
)
from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import ProductUnit
from apps.masterdata.tests.factories import CategoryFactory, ProductFactory, UnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="MAIN", name="Main")


@pytest.fixture
def clerk(make_user):
    return make_user("warehouse")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def on_hand(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse).on_hand


def entry(product, quantity, **kwargs):
    return CountEntryInput(product_id=product.pk, quantity=Decimal(str(quantity)), **kwargs)


def test_open_records_book_quantities_in_location_order(clerk, warehouse):
    a, b, c = ProductFactory(code="A"), ProductFactory(code="B"), ProductFactory(code="C")
    for product, quantity in ((a, 5), (b, 7), (c, 2)):
        post_stock(product, warehouse, quantity, unit_cost="3")
    back = StorageLocation.objects.create(warehouse=warehouse, code="Z-9", sort_order=2)
    front = StorageLocation.objects.create(warehouse=warehouse, code="A-1", sort_order=1)
    StockLevel.objects.create(product=a, warehouse=warehouse, location=back)
    StockLevel.objects.create(product=c, warehouse=warehouse, location=front)

    count = stock_count_open(actor=clerk, warehouse=warehouse)

    lines = list(count.lines.order_by("line_no").values_list("product__code", "location_code", "book_quantity"))
    assert lines == [("C", "A-1", 2), ("A", "Z-9", 5), ("B", "", 7)]
    assert count.number.startswith("PDD")
    assert count.status == CountStatus.COUNTING


def test_open_by_category_and_refusals(clerk, warehouse):
    tea = CategoryFactory(name="Tea")
    post_stock(ProductFactory(code="T1", category=tea), warehouse, 1)
    post_stock(ProductFactory(code="X1"), warehouse, 1)

    count = stock_count_open(actor=clerk, warehouse=warehouse, scope=CountScope.CATEGORY, category=tea)

    assert list(count.lines.values_list("product__code", flat=True)) == ["T1"]
    with pytest.raises(ValidationError, match="Choose the product category"):
        stock_count_open(actor=clerk, warehouse=warehouse, scope=CountScope.CATEGORY)
    with pytest.raises(ValidationError, match="Nothing to count"):
        stock_count_open(actor=clerk, warehouse=WarehouseFactory())


def test_open_refuses_a_warehouse_outside_the_scope(make_user, warehouse):
    clerk = make_user("warehouse", sees_all_warehouses=False)
    WarehouseFactory(code="SIDE").assigned_users.add(clerk)
    post_stock(ProductFactory(), warehouse, 1)
    with pytest.raises(PermissionDenied):
        stock_count_open(actor=clerk, warehouse=warehouse)


def test_several_counters_add_up_and_scans_add_while_typing_replaces(make_user, warehouse):
    first, second = make_user("warehouse"), make_user("warehouse")
    product = ProductFactory(code="A")
    post_stock(product, warehouse, 10)
    count = stock_count_open(actor=first, warehouse=warehouse)

    stock_count_record(actor=first, count=count, entries=[entry(product, 1, add=True), entry(product, 1, add=True)])
    stock_count_record(actor=second, count=count, entries=[entry(product, 5)])
    stock_count_record(actor=second, count=count, entries=[entry(product, 6)])

    line = count.lines.get()
    assert line.counted_quantity == 8
    assert sorted(StockCountEntry.objects.values_list("counted_by", "quantity")) == sorted(
        [(first.pk, Decimal(2)), (second.pk, Decimal(6))]
    )


def test_counting_in_a_secondary_unit_and_adding_a_product_found_but_not_listed(clerk, warehouse):
    case = UnitFactory(code="CASE", name="Case")
    listed, found = ProductFactory(code="L"), ProductFactory(code="F")
    ProductUnit.objects.create(product=listed, unit=case, ratio=Decimal(12))
    post_stock(listed, warehouse, 30)
    count = stock_count_open(actor=clerk, warehouse=warehouse)

    stock_count_record(actor=clerk, count=count, entries=[entry(listed, 2, unit_id=case.pk), entry(found, 3)])

    lines = {line.product.code: line for line in count.lines.select_related("product")}
    assert lines["L"].counted_quantity == 24
    assert (lines["F"].added, lines["F"].book_quantity, lines["F"].counted_quantity) == (True, 0, 3)
    with pytest.raises(ValidationError, match="no such unit"):
        stock_count_record(actor=clerk, count=count, entries=[entry(found, 1, unit_id=case.pk)])
    with pytest.raises(ValidationError, match="cannot be negative"):
        stock_count_record(actor=clerk, count=count, entries=[entry(found, -1)])


def test_posting_adjusts_by_counted_minus_on_hand_when_counted(clerk, manager, warehouse):
    """A shipment after the line was counted is neither lost nor counted twice."""
    a, b, c = ProductFactory(code="A"), ProductFactory(code="B"), ProductFactory(code="C")
    post_stock(a, warehouse, 10, unit_cost="2")
    post_stock(b, warehouse, 10, unit_cost="3")
    post_stock(c, warehouse, 4, unit_cost="5")
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    stock_count_record(actor=clerk, count=count, entries=[entry(a, 8), entry(b, 12), entry(c, 4)])
    post_stock(a, warehouse, -3, movement_type=MovementType.SALES_SHIPMENT)  # after A was counted
    post_stock(b, warehouse, 5, unit_cost="3")  # after B was counted

    stock_count_submit(actor=clerk, count=count)
    count.refresh_from_db()
    assert (count.gain_value, count.loss_value) == (Decimal("6.00"), Decimal("4.00"))
    stock_count_post(actor=clerk, count=count)

    count.refresh_from_db()
    assert count.status == CountStatus.POSTED
    assert (on_hand(a, warehouse), on_hand(b, warehouse), on_hand(c, warehouse)) == (5, 17, 4)
    movements = list(
        StockMovement.objects.filter(posting=count.posting).values_list("product__code", "movement_type", "value")
    )
    assert movements == [
        ("A", MovementType.COUNT_LOSS, Decimal("-4.00")),
        ("B", MovementType.COUNT_GAIN, Decimal("6.00")),
    ]
    assert (count.gain_value, count.loss_value) == (Decimal("6.00"), Decimal("4.00"))
    assert count.lines.get(product=c).movement is None


def test_recount_keeps_the_first_count_beside_the_second(clerk, warehouse):
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    post_stock(a, warehouse, 10)
    post_stock(b, warehouse, 10)
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    stock_count_record(actor=clerk, count=count, entries=[entry(a, 7), entry(b, 10)])
    stock_count_submit(actor=clerk, count=count)

    stock_count_recount(actor=clerk, count=count)
    count.refresh_from_db()
    line_a, line_b = count.lines.order_by("line_no")
    assert count.status == CountStatus.COUNTING
    assert (line_a.round, line_a.first_count_quantity, line_a.counted_quantity) == (2, 7, None)
    assert (line_b.round, line_b.counted_quantity) == (1, 10)

    stock_count_record(actor=clerk, count=count, entries=[entry(a, 9)])
    line_a.refresh_from_db()
    assert (line_a.first_count_quantity, line_a.counted_quantity) == (7, 9)
    assert list(line_a.entries.order_by("round").values_list("round", "quantity")) == [(1, 7), (2, 9)]


def test_above_the_threshold_a_manager_who_did_not_open_it_approves(clerk, manager, make_user, warehouse):
    InventoryPolicy.objects.update_or_create(pk=1, defaults={"count_approval_threshold": Decimal(100)})
    product = ProductFactory(code="A")
    post_stock(product, warehouse, 100, unit_cost="10")
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    stock_count_record(actor=clerk, count=count, entries=[entry(product, 80)])
    stock_count_submit(actor=clerk, count=count)
    count.refresh_from_db()

    assert [a.name for a in COUNT_PIPELINE.actions(count, clerk)] == ["recount", "cancel"]
    with pytest.raises(PermissionDenied):
        stock_count_post(actor=clerk, count=count)
    own = stock_count_open(actor=manager, warehouse=warehouse, scope=CountScope.PRODUCTS, product_ids=[product.pk])
    stock_count_record(actor=manager, count=own, entries=[entry(product, 1)])
    stock_count_submit(actor=manager, count=own)
    with pytest.raises(ValidationError, match="your own document"):
        stock_count_post(actor=manager, count=own)

    stock_count_post(actor=manager, count=count)
    assert on_hand(product, warehouse) == 80


def test_below_the_threshold_the_warehouse_posts(clerk, warehouse):
    product = ProductFactory(code="A")
    post_stock(product, warehouse, 10, unit_cost="1")
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    stock_count_record(actor=clerk, count=count, entries=[entry(product, 9)])
    stock_count_submit(actor=clerk, count=count)
    stock_count_post(actor=clerk, count=count)
    assert on_hand(product, warehouse) == 9


def test_wrong_state_refusals_and_void(clerk, warehouse):
    product = ProductFactory(code="A")
    post_stock(product, warehouse, 10)
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    with pytest.raises(ValidationError) as error:
        stock_count_post(actor=clerk, count=count)
    assert error.value.code == "wrong_state"
    stock_count_cancel(actor=clerk, count=count)
    with pytest.raises(ValidationError, match="cannot be counted"):
        stock_count_record(actor=clerk, count=count, entries=[entry(product, 1)])
    assert not StockCountEntry.objects.exists()


def test_recording_costs_constant_queries(clerk, warehouse, django_assert_max_num_queries):
    products = ProductFactory.create_batch(40)
    for product in products:
        post_stock(product, warehouse, 5)
    count = stock_count_open(actor=clerk, warehouse=warehouse)
    clerk.has_perm("inventory.change_stockcount")
    with django_assert_max_num_queries(12):
        stock_count_record(actor=clerk, count=count, entries=[entry(p, 4) for p in products])
    assert count.lines.filter(counted_quantity=4).count() == 40
