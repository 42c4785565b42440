import datetime

import pytest

from apps.analytics.ageing_selectors import DeadStockCriteria, dead_stock, stock_ageing
from apps.analytics.stock_selectors import StockCriteria
from apps.analytics.tests.stock_history import D, at, post_at
from apps.inventory.models import MovementType
from apps.inventory.selectors import local_day_start
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)
ANY = StockCriteria(date_from=TODAY, date_to=TODAY, grouping="product_warehouse")


def _layers():
    """A in W1: receipts of 40 (2025-05-01), 30 (2026-01-15), 20 (2026-05-20) and 10 (2026-06-20), all
    @ 10, then 50 delivered on 2026-06-25: the 50 left are the newest 10 + 20 + 20 of the 30.
    B in W1: 5 @ 4 received 2025-01-10 and never issued."""
    w1 = WarehouseFactory(code="W1", name="North")
    a, b = ProductFactory(code="A", name="Apple"), ProductFactory(code="B", name="Bolt")
    for day, quantity in [((2025, 5, 1), 40), ((2026, 1, 15), 30), ((2026, 5, 20), 20), ((2026, 6, 20), 10)]:
        post_at(at(datetime.date(*day)), a, w1, quantity, unit_cost="10", movement_type=MovementType.PURCHASE_RECEIPT)
    post_at(at(datetime.date(2026, 6, 25)), a, w1, -50, movement_type=MovementType.SALES_SHIPMENT)
    post_at(at(datetime.date(2025, 1, 10)), b, w1, 5, unit_cost="4")
    return w1, a, b


def test_ageing_takes_the_newest_receipts_as_on_hand(make_user):
    _layers()

    page = stock_ageing(ANY, user=make_user("manager"), today=TODAY)

    a, b = page.rows
    assert a["labels"] == ["A", "Apple", "North"]
    assert (a["on_hand"], a["value"]) == (50, 500)
    assert [a[f"{key}_qty"] for key in ("age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_over_365")] == [
        10,
        20,
        20,
        0,
        0,
    ]
    assert (a["age_0_30_value"], a["age_31_90_value"], a["age_91_180_value"]) == (D(100), D(200), D(200))
    assert (b["age_over_365_qty"], b["age_over_365_value"]) == (5, 20)
    assert page.totals["value"] == 520
    assert page.totals["age_over_365_qty"] == 5


def test_a_reversed_receipt_is_not_a_layer(make_user):
    from apps.inventory.services import stock_posting_reverse

    w1, a, _b = _layers()
    late = post_at(
        at(datetime.date(2026, 6, 28)), a, w1, 7, unit_cost="10", movement_type=MovementType.PURCHASE_RECEIPT
    )
    stock_posting_reverse(posting=late, actor=make_user("manager"))

    row = stock_ageing(ANY, user=make_user("manager"), today=TODAY).rows[0]

    assert (row["on_hand"], row["age_0_30_qty"], row["age_91_180_qty"]) == (50, 10, 20)


def test_dead_stock_lists_what_has_not_been_issued_in_n_days(make_user):
    _w1, _a, _b = _layers()
    manager = make_user("manager")

    in_june = dead_stock(DeadStockCriteria(days=90), user=manager, now=at(TODAY))
    in_november = dead_stock(DeadStockCriteria(days=90), user=manager, now=at(datetime.date(2026, 11, 30)))

    assert [(r["labels"][0], r["on_hand"], r["value"], r["last_issue"]) for r in in_june.rows] == [("B", 5, 20, None)]
    assert [r["labels"][0] for r in in_november.rows] == ["A", "B"]
    assert in_november.rows[0]["last_issue"] == at(datetime.date(2026, 6, 25))
    assert in_november.totals == {"on_hand": 55, "value": 520}


def test_a_reversed_delivery_brings_its_stock_back_as_the_newest_layer(make_user):
    from apps.inventory.models import StockPosting
    from apps.inventory.services import stock_posting_reverse

    _layers()
    manager = make_user("manager")
    delivery = StockPosting.objects.get(movements__posted_at=at(datetime.date(2026, 6, 25)))
    stock_posting_reverse(posting=delivery, actor=manager)  # posted now: the newest receipt

    row = stock_ageing(ANY, user=manager, today=TODAY).rows[0]

    # 100 on hand: the 50 returned by the reversal and the 10 of 20 June (0–30 days), the 20 of
    # 20 May (31–90), 20 of the 30 of 15 January (91–180); the 40 of May 2025 are gone.
    assert row["on_hand"] == 100
    assert [row[f"{key}_qty"] for key in ("age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_over_365")] == [
        60,
        20,
        20,
        0,
        0,
    ]
    assert (row["age_0_30_value"], row["age_91_180_value"]) == (D(600), D(200))


def test_a_receipt_at_the_start_of_a_bucket_belongs_to_it(make_user):
    w1 = WarehouseFactory(code="W1", name="North")
    c = ProductFactory(code="C", name="Cable")
    post_at(local_day_start(TODAY - datetime.timedelta(days=90)), c, w1, 3, unit_cost="2")
    post_at(
        local_day_start(TODAY - datetime.timedelta(days=30)) - datetime.timedelta(seconds=1), c, w1, 4, unit_cost="2"
    )

    row = stock_ageing(ANY, user=make_user("manager"), today=TODAY).rows[0]

    assert (row["age_0_30_qty"], row["age_31_90_qty"], row["age_91_180_qty"]) == (0, 7, 0)
