import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.analytics.stock_selectors import StockCriteria, stock_summary
from apps.analytics.tests.stock_history import D, june_history

pytestmark = pytest.mark.django_db
JUNE = {"date_from": datetime.date(2026, 6, 1), "date_to": datetime.date(2026, 6, 30)}


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.mark.parametrize("forward", [True, False])
def test_june_summary_by_product_matches_the_hand_computed_figures(forward, manager):
    data = june_history()

    page = stock_summary(StockCriteria(**JUNE), user=manager, forward=forward)

    assert page.count == 2
    a, b = page.rows
    assert a["labels"] == ["A", "Apple juice"]
    assert (a["opening_qty"], a["opening_value"]) == (D(100), D(1000))
    assert (a["in_purchase"], a["in_sales_return"], a["in_qty"], a["in_value"]) == (D(50), D(5), D(55), D(705))
    assert (a["out_sales"], a["out_other"], a["out_qty"], a["out_value"]) == (D(30), D(25), D(55), D(605))
    assert (a["closing_qty"], a["closing_value"], a["cogs"]) == (D(100), D(1100), D(275))
    assert (a["average_value"], a["turnover"], a["days_of_inventory"]) == (D(1050), D("0.26"), D("114.5"))
    assert b["keys"] == [data["b"].pk]
    assert (b["opening_qty"], b["in_opening"], b["in_value"], b["closing_qty"], b["closing_value"]) == (
        0,
        10,
        400,
        10,
        400,
    )
    assert (b["cogs"], b["turnover"], b["days_of_inventory"]) == (0, 0, None)
    assert page.totals["opening_value"] == 1000
    assert page.totals["closing_qty"] == 110
    assert page.totals["closing_value"] == 1500
    assert page.totals["cogs"] == 275


@pytest.mark.parametrize("forward", [True, False])
def test_grouping_by_category_and_warehouse(forward, manager):
    june_history()

    by_category = stock_summary(StockCriteria(**JUNE, grouping="category"), user=manager, forward=forward)
    by_warehouse = stock_summary(StockCriteria(**JUNE, grouping="warehouse"), user=manager, forward=forward)

    assert [(r["labels"], r["closing_value"]) for r in by_category.rows] == [
        (["DR", "Drinks"], D(1100)),
        (["FD", "Food"], D(400)),
    ]
    assert [(r["labels"], r["in_qty"]) for r in by_warehouse.rows] == [(["W1", "North"], 55), (["W2", "South"], 10)]


def test_a_reversed_receipt_nets_out_of_purchase_receipts(manager):
    from apps.inventory.services import stock_posting_reverse

    data = june_history()
    stock_posting_reverse(posting=data["receipt"], actor=manager)  # today: after June
    july_on = StockCriteria(date_from=datetime.date(2026, 7, 1), date_to=timezone.localdate())

    row = stock_summary(july_on, user=manager, forward=True).rows[0]

    assert (row["in_purchase"], row["out_sales"], row["opening_qty"], row["closing_qty"]) == (D(-50), 20, 100, 30)


def test_filters_and_scope(manager, make_user):
    data = june_history()
    clerk = make_user("warehouse", sees_all_warehouses=False)
    data["w2"].assigned_users.add(clerk)

    only_w2 = stock_summary(StockCriteria(**JUNE), user=clerk)
    only_food = stock_summary(StockCriteria(**JUNE, category_id=data["food"].pk), user=manager)

    assert [r["labels"][0] for r in only_w2.rows] == ["B"]
    assert [r["labels"][0] for r in only_food.rows] == ["B"]


def test_paging_keeps_totals_and_count(manager):
    june_history()

    page = stock_summary(StockCriteria(**JUNE), user=manager, limit=1, offset=1)

    assert [r["labels"][0] for r in page.rows] == ["B"]
    assert page.count == 2
    assert page.totals["closing_value"] == Decimal(1500)
