"""Planning on the database: history from the ledger, the forecast job, levels, suggestions, orders, pages."""

import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.inventory.models import MovementType, StockLevel
from apps.inventory.services import ReservationLine, stock_reserve
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.planning.models import ForecastRun, ItemForecast, RunStatus
from apps.planning.replenishment import Suggestion, round_order, suggestions_for
from apps.planning.selectors import demand_history
from apps.planning.services import (
    ReplenishmentLine,
    forecast_levels_accept,
    forecast_run_compute,
    forecast_run_start,
    replenishment_orders_create,
)
from apps.procurement.models import PurchaseOrder
from apps.procurement.tests.factories import SupplierPriceFactory, make_order

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2025, 6, 2)  # a Monday, so 30 weeks of history end before today


def at(monkeypatch, day: datetime.date):
    """Today is ``day`` (for the run's history end)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: day)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def weekly(monkeypatch, product, warehouse, quantities, first=MONDAY):
    """A receipt before the first week, then one shipment a week (0 = no shipment)."""
    post_stock(
        product,
        warehouse,
        sum(quantities) + 100,
        movement_type=MovementType.PURCHASE_RECEIPT,
        posted_at=moment(first - datetime.timedelta(days=1)),
    )
    for week, quantity in enumerate(quantities):
        if quantity:
            post_stock(
                product,
                warehouse,
                -quantity,
                movement_type=MovementType.SALES_SHIPMENT,
                posted_at=moment(first + datetime.timedelta(weeks=week, days=2)),
            )


def test_history_nets_returns_counts_other_issues_and_starts_at_the_first_movement(monkeypatch):
    warehouse = WarehouseFactory()
    a, b = ProductFactory(), ProductFactory()
    weekly(monkeypatch, a, warehouse, [5, 0, 7])
    late = moment(MONDAY + datetime.timedelta(weeks=2, days=4))
    post_stock(a, warehouse, 2, movement_type=MovementType.SALES_RETURN, posted_at=late)
    post_stock(a, warehouse, -1, movement_type=MovementType.OTHER_ISSUE, posted_at=late)
    week4 = moment(MONDAY + datetime.timedelta(weeks=3, days=2))
    post_stock(a, warehouse, -3, movement_type=MovementType.SALES_SHIPMENT, posted_at=week4)
    arrival = moment(MONDAY + datetime.timedelta(weeks=2, days=1))  # b arrives in week 3
    post_stock(b, warehouse, 50, movement_type=MovementType.PURCHASE_RECEIPT, posted_at=arrival)
    post_stock(b, warehouse, -4, movement_type=MovementType.SALES_SHIPMENT, posted_at=arrival)

    keys, buckets, y = demand_history(period="week", end=MONDAY + datetime.timedelta(weeks=3))

    assert keys == [(a.pk, warehouse.pk), (b.pk, warehouse.pk)]
    assert buckets[-4:] == [MONDAY + datetime.timedelta(weeks=w) for w in range(4)]
    assert y[0, -4:].tolist() == [5, 0, 7 - 2 + 1, 3]
    assert np.isnan(y[1, :-2]).all()
    assert y[1, -2:].tolist() == [4, 0]


def test_forecast_job_stores_levels_and_says_too_little_history(monkeypatch):
    warehouse = WarehouseFactory()
    steady, new = ProductFactory(), ProductFactory()
    SupplierPriceFactory(product=steady, lead_time_days=14, valid_from=datetime.date(2020, 1, 1))
    weekly(monkeypatch, steady, warehouse, [10, 12, 9, 11, 10, 13, 8, 10, 11, 12] * 3)
    weekly(monkeypatch, new, warehouse, [3, 4, 2], first=MONDAY + datetime.timedelta(weeks=27))
    buyer = UserFactory(role="buyer")
    at(monkeypatch, MONDAY + datetime.timedelta(weeks=30, days=3))

    run = forecast_run_start(actor=buyer, period="week", horizon=4, service_level=Decimal("0.95"))

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.job.status == "succeeded"
    items = {item.product_id: item for item in ItemForecast.objects.filter(run=run)}
    item = items[steady.pk]
    assert item.status == "ok"
    assert item.lead_periods == 2
    assert item.demand_class == "smooth"
    assert item.stock_model == "normal"
    assert Decimal(9) < item.next_period < Decimal(12)
    assert item.safety_stock > 0
    assert item.reorder_point == pytest.approx(item.lead_demand + item.safety_stock, abs=Decimal("0.001"))
    assert len(item.history) == 31  # from the receipt the Sunday before the first week
    assert len(item.forecast) == 4
    assert items[new.pk].status == "insufficient"
    assert items[new.pk].safety_stock is None


def test_forecast_run_refuses_a_bad_horizon():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="horizon"):
        forecast_run_start(actor=UserFactory(role="buyer"), horizon=0)
    assert not ForecastRun.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "moq", "pack", "expected"),
    [
        ("0", "10", "6", "0"),  # nothing needed, nothing ordered
        ("3", "10", "0", "10"),  # raised to the minimum order quantity
        ("13", "10", "6", "18"),  # whole packs
        ("3", "10", "6", "12"),  # the minimum, then whole packs
        ("12.5", "0", "0", "13"),  # whole units without a pack size
    ],
)
def test_order_rounding(quantity, moq, pack, expected):
    assert round_order(Decimal(quantity), moq=Decimal(moq), pack=Decimal(pack)) == Decimal(expected)


def _item(**kwargs):
    defaults = {"status": "ok", "reorder_point": Decimal(40), "order_up_to": Decimal(70), "mean_demand": Decimal(10)}
    return ItemForecast(**(defaults | kwargs))


def test_suggestion_counts_reserved_and_on_order():
    # position = 50 on hand - 20 reserved + 5 on order = 35 <= reorder point 40: order 70 - 35 = 35,
    # then whole packs of 12 -> 36.
    row = type(
        "Row", (), {"min_order_qty": Decimal(20), "pack_size": Decimal(12), "price": Decimal(2), "supplier": None}
    )
    s = Suggestion(_item(), Decimal(50), Decimal(20), Decimal(5), row, Decimal(0), False)

    assert s.position == Decimal(35)
    assert s.needed
    assert s.shortfall == Decimal(35)
    assert s.quantity == Decimal(36)
    assert s.value == Decimal("72.00")


def test_no_suggestion_above_the_reorder_point_and_eoq_as_a_floor():
    row = type("Row", (), {"min_order_qty": Decimal(0), "pack_size": Decimal(0), "price": Decimal(2), "supplier": None})
    above = Suggestion(_item(), Decimal(41), Decimal(0), Decimal(0), row, Decimal(100), True)
    below = Suggestion(_item(), Decimal(30), Decimal(0), Decimal(0), row, Decimal(100), True)

    assert above.quantity == 0
    assert below.quantity == Decimal(100)  # EOQ above the 40 needed


def _stored_item(product, warehouse, **kwargs):
    run = ForecastRun.objects.create(history_end=MONDAY, status=RunStatus.DONE)
    fields = {
        "status": "ok",
        "demand_class": "smooth",
        "method": "ses",
        "lead_periods": 2,
        "mean_demand": Decimal(10),
        "safety_stock": Decimal("8.5"),
        "lead_demand": Decimal(20),
        "reorder_point": Decimal("28.5"),
        "order_up_to": Decimal("38.5"),
    }
    return ItemForecast.objects.create(run=run, product=product, warehouse=warehouse, **(fields | kwargs))


def test_suggestions_read_stock_reservations_open_orders_and_the_preferred_supplier_within_the_tie(monkeypatch):
    warehouse = WarehouseFactory()
    product = ProductFactory()
    cheap = SupplierPriceFactory(product=product, price=Decimal(5), min_order_qty=Decimal(10), pack_size=Decimal(5))
    preferred = SupplierPriceFactory(
        product=product, price=Decimal("5.08"), is_preferred=True, supplier=SupplierFactory()
    )
    post_stock(product, warehouse, 30, movement_type=MovementType.PURCHASE_RECEIPT)
    stock_reserve(lines=[ReservationLine(product_id=product.pk, warehouse_id=warehouse.pk, quantity=Decimal(12))])
    make_order(supplier=cheap.supplier, warehouse=warehouse, lines=[(product, 10, None)])
    item = _stored_item(product, warehouse)

    [s] = suggestions_for([item], period="week", on_date=datetime.date(2026, 6, 1))  # price rows valid from 2026

    assert (s.on_hand, s.reserved, s.on_order) == (Decimal(30), Decimal(12), Decimal(10))
    assert s.position == Decimal(28)
    assert s.supplier == preferred.supplier
    assert s.shortfall == Decimal("10.5")  # 38.5 - 28
    assert s.quantity == Decimal(11)  # no minimum or pack at the preferred supplier: whole units
    assert cheap  # 1.6 % cheaper, neither rated: the preferred one wins the tie


def test_orders_one_per_supplier_in_one_step():
    warehouse = WarehouseFactory()
    p1, p2, p3 = ProductFactory(), ProductFactory(), ProductFactory()
    s1, s2 = SupplierFactory(), SupplierFactory()
    buyer = UserFactory(role="buyer")
    lines = [
        ReplenishmentLine(p1, warehouse, s1, Decimal(10)),
        ReplenishmentLine(p2, warehouse, s1, Decimal(5)),
        ReplenishmentLine(p3, warehouse, s2, Decimal(7)),
    ]

    orders = replenishment_orders_create(actor=buyer, lines=lines)

    assert sorted(order.supplier_id for order in orders) == sorted([s1.pk, s2.pk])
    assert {order.supplier_id: order.lines.count() for order in orders} == {s1.pk: 2, s2.pk: 1}
    assert all(order.status == "draft" for order in orders)


def test_orders_refused_when_a_line_breaks_the_minimum_and_nothing_is_written():
    warehouse = WarehouseFactory()
    p1, p2 = ProductFactory(), ProductFactory()
    s1, s2 = SupplierFactory(), SupplierFactory()
    SupplierPriceFactory(product=p2, supplier=s2, min_order_qty=Decimal(20))
    buyer = UserFactory(role="buyer")

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="minimum order quantity"):
        replenishment_orders_create(
            actor=buyer,
            lines=[ReplenishmentLine(p1, warehouse, s1, Decimal(10)), ReplenishmentLine(p2, warehouse, s2, Decimal(5))],
        )
    assert not PurchaseOrder.objects.exists()


def test_orders_refused_without_supplier_or_permission():
    from django.core.exceptions import PermissionDenied, ValidationError

    warehouse, product = WarehouseFactory(), ProductFactory()
    with pytest.raises(ValidationError, match="has no supplier"):
        replenishment_orders_create(
            actor=UserFactory(role="buyer"), lines=[ReplenishmentLine(product, warehouse, None, Decimal(1))]
        )
    with pytest.raises(PermissionDenied):
        replenishment_orders_create(
            actor=UserFactory(role="sales"),
            lines=[ReplenishmentLine(product, warehouse, SupplierFactory(), Decimal(1))],
        )
    assert not PurchaseOrder.objects.exists()


def test_accepting_levels_writes_the_stock_level_through_inventory():
    warehouse, product = WarehouseFactory(), ProductFactory()
    item = _stored_item(product, warehouse)

    forecast_levels_accept(actor=UserFactory(role="manager"), items=[item])

    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.safety_stock, level.reorder_point, level.max_stock) == (
        Decimal("8.5"),
        Decimal("28.5"),
        Decimal("38.5"),
    )


def test_forecast_run_compute_is_idempotent(monkeypatch):
    warehouse, product = WarehouseFactory(), ProductFactory()
    weekly(monkeypatch, product, warehouse, [4, 0, 0, 6, 0, 5, 0, 0, 7, 0] * 3)
    run = ForecastRun.objects.create(history_end=MONDAY + datetime.timedelta(weeks=29), horizon=4)

    forecast_run_compute(run=run)
    forecast_run_compute(run=run)

    item = ItemForecast.objects.get(run=run)
    assert item.demand_class in {"intermittent", "lumpy"}
    assert item.stock_model == "empirical"
    assert item.method in {"croston", "sba", "tsb", "ses", "moving_average"}
    assert item.next_period > 0


# --- pages -----------------------------------------------------------------------------------


def _run_with_items(count):
    warehouse = WarehouseFactory()
    run = ForecastRun.objects.create(history_end=MONDAY, status=RunStatus.DONE, summary={"first_period": "2026-01-05"})
    for _ in range(count):
        product = ProductFactory()
        SupplierPriceFactory(product=product)
        ItemForecast.objects.create(
            run=run,
            product=product,
            warehouse=warehouse,
            status="ok",
            demand_class="smooth",
            method="ses",
            lead_periods=1,
            mean_demand=Decimal(5),
            safety_stock=Decimal(3),
            lead_demand=Decimal(5),
            reorder_point=Decimal(8),
            order_up_to=Decimal(13),
            history=[4, 5, 6],
            forecast=[5, 5],
        )
    return run


@pytest.mark.parametrize("name", ["planning:forecast_list", "planning:replenishment_list"])
def test_list_pages_take_the_same_queries_for_n_and_n_plus_3_rows(client_for, django_assert_num_queries, name):
    client = client_for("buyer")
    _run_with_items(2)
    client.get(reverse(name))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    ForecastRun.objects.all().delete()
    _run_with_items(5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_buyer_creates_orders_from_the_page(client_for):
    client = client_for("buyer")
    run = _run_with_items(2)
    items = list(run.items.all())

    response = client.post(
        reverse("planning:replenishment_list") + f"?run={run.pk}",
        {"line": [items[0].pk], f"qty-{items[0].pk}": "20"},
    )

    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert order.lines.get().quantity == Decimal(20)


def test_detail_explain_and_policy_pages_render(client_for):
    client = client_for("manager")
    run = _run_with_items(1)
    item = run.items.get()

    detail = client.get(item.get_absolute_url())
    explain = client.get(reverse("planning:replenishment_explain", args=[item.pk]))
    policy = client.get(reverse("planning:policy_check") + f"?run={run.pk}&check=1")

    assert detail.status_code == explain.status_code == policy.status_code == 200
    assert b'id="forecast-chart-data"' in detail.content
    assert "Order-up-to level" in explain.content.decode()


def test_sales_clerk_may_not_see_planning(client_for):
    client = client_for("sales")

    assert client.get(reverse("planning:forecast_list")).status_code == 403
    assert client.post(reverse("planning:forecastrun_create"), {}).status_code == 403


def test_target_fill_rate_follows_the_abc_class(monkeypatch):
    from apps.inventory.models import StockClassification

    warehouse = WarehouseFactory()
    a_item, plain = ProductFactory(), ProductFactory()
    for product in (a_item, plain):
        weekly(monkeypatch, product, warehouse, [10, 12, 9, 11, 10, 13, 8, 10, 11, 12] * 3)
    StockClassification.objects.create(
        product=a_item,
        warehouse=warehouse,
        abc="A",
        xyz="X",
        period_start=MONDAY,
        period_end=MONDAY,
        computed_at=timezone.now(),
    )
    run = ForecastRun.objects.create(
        history_end=MONDAY + datetime.timedelta(weeks=29),
        horizon=4,
        service_level=Decimal("0.9"),
        service_levels={"A": 0.99},
    )

    forecast_run_compute(run=run)

    items = {item.product_id: item for item in run.items.all()}
    assert (items[a_item.pk].abc, items[a_item.pk].target) == ("A", Decimal("0.990"))
    assert (items[plain.pk].abc, items[plain.pk].target) == ("", Decimal("0.900"))
    assert items[a_item.pk].safety_stock > items[plain.pk].safety_stock


def test_run_forecast_from_the_page_goes_to_the_job(client_for):
    client = client_for("buyer")

    response = client.post(
        reverse("planning:forecastrun_create"),
        {
            "period": "week",
            "horizon": "8",
            "service_level": "95",
            "service_a": "98",
            "service_b": "",
            "service_c": "90",
        },
    )

    run = ForecastRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:job_detail", args=[run.job_id])
    assert (run.horizon, run.service_level, run.service_levels) == (8, Decimal("0.950"), {"A": 0.98, "C": 0.9})
    assert run.status == RunStatus.DONE  # the test queue runs jobs at once


def test_a_bad_run_form_changes_nothing(client_for):
    client = client_for("buyer")

    response = client.post(
        reverse("planning:forecastrun_create"), {"period": "week", "horizon": "99", "service_level": "95"}
    )

    assert response.status_code == 302
    assert not ForecastRun.objects.exists()


def test_manager_accepts_levels_from_the_product_page(client_for):
    client = client_for("manager")
    warehouse, product = WarehouseFactory(), ProductFactory()
    item = _stored_item(product, warehouse)

    response = client.post(reverse("planning:forecast_accept_levels", args=[item.pk]))

    assert response.status_code == 302
    assert StockLevel.objects.get(product=product, warehouse=warehouse).reorder_point == Decimal("28.5")
