"""Stock levels per product × warehouse, storage locations, alerts and the ABC/XYZ classification."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.inventory.models import (
    InventoryPolicy,
    MovementType,
    StockClassification,
    StockLevel,
    StorageLocation,
)
from apps.inventory.selectors_levels import AlertKind, classification_matrix, stock_alert_counts, stock_alerts
from apps.inventory.services.classification import classification_period, classification_recompute
from apps.inventory.services.levels import KEEP, StockLevelInput, stock_levels_bulk_set, storage_location_save
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

LEVELS = reverse("inventory:stock_level_list")
ALERTS = reverse("inventory:stock_alerts")


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="MAIN", name="Main")


def levels(product, warehouse):
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    return level.safety_stock, level.reorder_point, level.max_stock


# --- stock_levels_bulk_set ---------------------------------------------------------------------


def test_bulk_set_creates_and_changes_levels_keeping_unnamed_fields(make_user, warehouse):
    buyer = make_user("buyer")
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    StockLevel.objects.create(product=b, warehouse=warehouse, safety_stock=5, reorder_point=8, max_stock=20)

    count = stock_levels_bulk_set(
        actor=buyer,
        rows=[
            StockLevelInput(a.pk, warehouse.pk, safety_stock=Decimal(3), reorder_point=Decimal(6)),
            StockLevelInput(b.pk, warehouse.pk, max_stock=Decimal(30)),
        ],
    )

    assert count == 2
    assert levels(a, warehouse) == (3, 6, None)
    assert levels(b, warehouse) == (5, 8, 30)


def test_bulk_set_refuses_every_bad_row_and_writes_nothing(make_user, warehouse):
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    other = WarehouseFactory(code="SIDE")
    location = StorageLocation.objects.create(warehouse=other, code="X-01")

    with pytest.raises(ValidationError) as error:
        stock_levels_bulk_set(
            actor=make_user("manager"),
            rows=[
                StockLevelInput(a.pk, warehouse.pk, safety_stock=Decimal(10), max_stock=Decimal(5)),
                StockLevelInput(b.pk, warehouse.pk, location_id=location.pk),
                StockLevelInput(b.pk, warehouse.pk, reorder_point=Decimal(-1), row=7),
            ],
        )

    assert error.value.messages == [
        "Row 1: the maximum cannot be below the safety stock or the reorder point.",
        "Row 2: the location belongs to another warehouse.",
        "Row 7: levels cannot be negative.",
    ]
    assert not StockLevel.objects.exists()


def test_bulk_set_refuses_a_warehouse_outside_the_actors_scope_and_a_role_without_permission(make_user, warehouse):
    product = ProductFactory()
    side = WarehouseFactory(code="SIDE", name="Side")
    clerk = make_user("warehouse", sees_all_warehouses=False)
    side.assigned_users.add(clerk)

    with pytest.raises(PermissionDenied, match="Main"):
        stock_levels_bulk_set(actor=clerk, rows=[StockLevelInput(product.pk, warehouse.pk, safety_stock=Decimal(1))])
    with pytest.raises(PermissionDenied):
        stock_levels_bulk_set(
            actor=make_user("sales"), rows=[StockLevelInput(product.pk, side.pk, safety_stock=Decimal(1))]
        )
    assert not StockLevel.objects.exists()


def test_bulk_set_costs_constant_queries(make_user, warehouse, django_assert_max_num_queries):
    manager = make_user("manager")
    products = ProductFactory.create_batch(30)
    manager.has_perm("inventory.change_stocklevel")  # warm the permission cache
    rows = [StockLevelInput(p.pk, warehouse.pk, safety_stock=Decimal(i)) for i, p in enumerate(products)]
    with django_assert_max_num_queries(8):
        stock_levels_bulk_set(actor=manager, rows=rows)
    assert StockLevel.objects.count() == 30


def test_keep_is_the_default_of_every_field():
    row = StockLevelInput(1, 2)
    assert (row.safety_stock, row.reorder_point, row.max_stock, row.location_id) == (KEEP, KEEP, KEEP, KEEP)


# --- Levels page --------------------------------------------------------------------------------


def test_levels_page_saves_only_changed_rows_and_resolves_location_codes(client_for, warehouse):
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    StorageLocation.objects.create(warehouse=warehouse, code="A-01-02")
    client = client_for("warehouse")
    data = {
        "product": [a.pk, b.pk],
        f"safety_stock-{a.pk}": "4",
        f"reorder_point-{a.pk}": "6",
        f"max_stock-{a.pk}": "12",
        f"location-{a.pk}": "a-01-02",
        f"safety_stock-{b.pk}": "0",
        f"reorder_point-{b.pk}": "0",
        f"max_stock-{b.pk}": "",
        f"location-{b.pk}": "",
        "save": "1",
    }

    response = client.post(f"{LEVELS}?warehouse={warehouse.pk}", data)

    assert response.status_code == 302
    level = StockLevel.objects.get()
    assert (level.product, level.safety_stock, level.reorder_point, level.max_stock) == (a, 4, 6, 12)
    assert level.location.code == "A-01-02"


def test_levels_page_applies_levels_to_every_filtered_product(client_for, warehouse):
    tea = [ProductFactory(code=f"TEA{i}", name=f"Green tea {i}") for i in range(3)]
    ProductFactory(code="COF", name="Coffee")
    client = client_for("buyer")

    response = client.post(f"{LEVELS}?warehouse={warehouse.pk}&q=tea", {"reorder_point": "5", "apply": "1"})

    assert response.status_code == 302
    assert sorted(StockLevel.objects.values_list("product__code", "reorder_point")) == [(p.code, 5) for p in tea]


def test_levels_page_refuses_an_unknown_location_and_writes_nothing(client_for, warehouse):
    product = ProductFactory(code="A")
    client = client_for("manager")
    data = {"product": [product.pk], f"safety_stock-{product.pk}": "1", f"location-{product.pk}": "NOPE", "save": "1"}

    response = client.post(f"{LEVELS}?warehouse={warehouse.pk}", data, follow=True)

    assert "A: no location NOPE in Main." in [str(m) for m in response.context["messages"]]
    assert not StockLevel.objects.exists()


@pytest.mark.parametrize("extra", [0, 3])
def test_levels_page_costs_the_same_queries_for_n_and_n_plus_3_rows(
    extra, client_for, warehouse, django_assert_num_queries
):
    for i in range(2 + extra):
        product = ProductFactory(code=f"P{i}")
        StockLevel.objects.create(product=product, warehouse=warehouse, safety_stock=1)
        post_stock(product, warehouse, 3)
    client = client_for("manager")
    client.get(LEVELS)
    # 10: a manager sees every warehouse, so the page costs no scope query; the same for N and N+3 rows.
    with django_assert_num_queries(10):
        assert client.get(LEVELS).status_code == 200


def test_storage_location_codes_are_unique_per_warehouse(make_user, warehouse):
    manager = make_user("manager")
    storage_location_save(actor=manager, warehouse=warehouse, code="a-01", zone="A")
    storage_location_save(actor=manager, warehouse=WarehouseFactory(), code="A-01")
    with pytest.raises(ValidationError):
        storage_location_save(actor=manager, warehouse=warehouse, code="A-01")
    assert StorageLocation.objects.filter(code="A-01").count() == 2


# --- Alerts ---------------------------------------------------------------------------------------


@pytest.fixture
def alert_data(warehouse):
    """LOW below safety, ORD at its reorder point, BIG above its maximum, OLD idle for 100 days, OK fine."""
    made = {code: ProductFactory(code=code) for code in ("LOW", "ORD", "BIG", "OLD", "OK")}
    levels = {
        "LOW": {"safety_stock": 10, "reorder_point": 5},
        "ORD": {"safety_stock": 2, "reorder_point": 8, "max_stock": 30},
        "BIG": {"max_stock": 20},
        "OK": {"safety_stock": 1, "reorder_point": 2, "max_stock": 50},
    }
    for code, values in levels.items():
        StockLevel.objects.create(product=made[code], warehouse=warehouse, **values)
    post_stock(made["LOW"], warehouse, 4)
    post_stock(made["ORD"], warehouse, 8)
    post_stock(made["BIG"], warehouse, 25)
    post_stock(made["OK"], warehouse, 10)
    return made


def test_alert_rules_on_known_data(make_user, warehouse, alert_data):
    manager = make_user("manager")
    post_stock(alert_data["OLD"], warehouse, 3, posted_at=timezone.now() - datetime.timedelta(days=100))

    def codes(kind):
        return [row.product.code for row in stock_alerts(user=manager, kind=kind)]

    assert codes(AlertKind.BELOW_SAFETY) == ["LOW"]
    assert codes(AlertKind.REORDER) == ["LOW", "ORD"]
    assert codes(AlertKind.EXCESS) == ["BIG"]
    assert codes(AlertKind.NO_MOVEMENT) == ["OLD"]
    reorder = {row.product.code: row.suggested for row in stock_alerts(user=manager, kind=AlertKind.REORDER)}
    assert reorder == {"LOW": 1, "ORD": 22}  # LOW up to its reorder point (no maximum), ORD up to 30
    excess = stock_alerts(user=manager, kind=AlertKind.EXCESS).get()
    assert excess.excess == 5
    assert stock_alert_counts(user=manager) == {
        warehouse.pk: {"below_safety": 1, "reorder": 2, "excess": 1, "no_movement": 1}
    }


def test_reorder_suggestion_is_net_of_reserved_stock(make_user, warehouse, alert_data):
    from apps.inventory.services import ReservationLine, stock_reserve

    stock_reserve(lines=[ReservationLine(alert_data["OK"].pk, warehouse.pk, Decimal(9))])

    rows = {r.product.code: r for r in stock_alerts(user=make_user("manager"), kind=AlertKind.REORDER)}

    assert rows["OK"].available == 1
    assert rows["OK"].suggested == 49


def test_alerts_page_shows_the_counts_of_each_tab(client_for, warehouse, alert_data):
    response = client_for("warehouse").get(ALERTS, {"kind": "reorder"})

    assert response.status_code == 200
    assert [(kind, count) for kind, _label, count in response.context["tabs"]] == [
        ("below_safety", 1),
        ("reorder", 2),
        ("excess", 1),
        ("no_movement", 0),
    ]
    assert [row.product.code for row in response.context["rows"]] == ["LOW", "ORD"]


# --- Classification -----------------------------------------------------------------------------


def test_classification_period_is_whole_months_before_this_one():
    assert classification_period(today=datetime.date(2026, 3, 15), months=12) == (
        datetime.date(2025, 3, 1),
        datetime.date(2026, 2, 28),
    )


def test_classification_on_a_known_data_set(make_user, warehouse):
    """Six months of issues: A carries 80 % of the value, B the next 15 %, C the rest; demand steady or lumpy."""
    InventoryPolicy.objects.update_or_create(pk=1, defaults={"classification_months": 6})
    steady, lumpy, small = ProductFactory(code="STEADY"), ProductFactory(code="LUMPY"), ProductFactory(code="SMALL")
    idle = ProductFactory(code="IDLE")
    today = datetime.date(2026, 7, 10)
    start = datetime.datetime(2026, 1, 1, 4, tzinfo=datetime.UTC)
    for product in (steady, lumpy, small, idle):
        post_stock(product, warehouse, 1000, unit_cost="1", posted_at=start)
    shipment = MovementType.SALES_SHIPMENT
    for month in range(1, 7):
        when = datetime.datetime(2026, month, 15, 4, tzinfo=datetime.UTC)
        post_stock(steady, warehouse, -80, movement_type=shipment, posted_at=when)  # 480 in all, CV 0
        if month in (2, 5):
            post_stock(lumpy, warehouse, -45, movement_type=shipment, posted_at=when)  # 90 in all, CV √2
        issue = -5 if month % 2 else -1
        post_stock(small, warehouse, issue, movement_type=MovementType.OTHER_ISSUE, posted_at=when)  # 18, CV 2/3

    assert classification_recompute(actor=make_user("manager"), today=today) == 4

    classes = {
        c.product.code: (c.abc, c.xyz, c.consumption_value, c.variation)
        for c in StockClassification.objects.select_related("product")
    }
    assert classes == {
        "STEADY": ("A", "X", Decimal("480.00"), Decimal("0.0000")),
        "LUMPY": ("B", "Z", Decimal("90.00"), Decimal("1.4142")),
        "SMALL": ("C", "Y", Decimal("18.00"), Decimal("0.6667")),
        "IDLE": ("C", "Z", Decimal("0.00"), None),
    }
    row = StockClassification.objects.first()
    assert (row.period_start, row.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    matrix = classification_matrix(user=make_user("manager"))
    assert (matrix["AX"]["count"], matrix["BZ"]["count"], matrix["CZ"]["count"], matrix["CY"]["count"]) == (1, 1, 1, 1)
    assert matrix["AX"]["value"] == Decimal("520.00")


def test_classification_page_and_stock_filter(client_for, warehouse):
    product = ProductFactory(code="A1")
    post_stock(product, warehouse, 5)
    client = client_for("manager")
    assert client.post(reverse("inventory:classification_recompute")).status_code == 302

    page = client.get(reverse("inventory:classification"))
    stock = client.get(reverse("inventory:stock_list"), {"abc": "C", "xyz": "Z"})

    assert page.status_code == 200
    assert [b.product.code for b in stock.context["balances"]] == ["A1"]
    assert client.get(reverse("inventory:stock_list"), {"abc": "A"}).context["balances"].__len__() == 0
