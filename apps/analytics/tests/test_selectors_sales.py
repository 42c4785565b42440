import datetime
from decimal import Decimal

import pytest

from apps.analytics.selectors import AnalysisFilter, finish_rows, sales_by, sales_totals, sales_trend, with_previous
from apps.analytics.tests.factories import known_history

pytestmark = pytest.mark.django_db
D = Decimal
JUNE = AnalysisFilter(date_from=datetime.date(2026, 6, 1), date_to=datetime.date(2026, 6, 30))


def test_margins_by_product_on_known_data(make_user):
    known_history(make_user)

    rows = [
        (r["product__code"], r["quantity"], r["revenue"], r["cost"], r["margin"], r["margin_percent"])
        for r in finish_rows(sales_by(JUNE, dimension="product"))
    ]

    # A: 10×20 + 5×30 − 2×20 = 310 revenue; 13 × 10 = 130 cost.  B: 200 revenue, 160 cost.
    assert rows == [
        ("A", D(13), D(310), D(130), D(180), D("58.06")),
        ("B", D(4), D(200), D(160), D(40), D("20.00")),
    ]


def test_by_customer_salesperson_and_category(make_user):
    data = known_history(make_user)

    by_customer = {r["customer__code"]: r["revenue"] for r in sales_by(JUNE, dimension="customer")}
    by_person = {r["salesperson_id"]: r["margin"] for r in sales_by(JUNE, dimension="salesperson")}
    by_category = {r["product__category__name"]: r["cost"] for r in sales_by(JUNE, dimension="category")}

    assert by_customer == {"K1": D(160), "K2": D(350)}
    assert by_person == {data["alice"].pk: D(80), data["bob"].pk: D(140)}
    assert by_category == {"Drinks": D(130), "Food": D(160)}


def test_totals_and_filters(make_user):
    data = known_history(make_user)

    totals = sales_totals(JUNE)
    only_k2 = sales_totals(AnalysisFilter(date_from=JUNE.date_from, date_to=JUNE.date_to, customer_id=data["k2"].pk))

    assert (totals["revenue"], totals["cost"], totals["margin"], totals["margin_percent"]) == (
        D(510),
        D(290),
        D(220),
        D("43.14"),
    )
    assert (only_k2["revenue"], only_k2["margin"]) == (D(350), D(140))


def test_previous_period_of_equal_length_and_the_change(make_user):
    known_history(make_user)
    previous = JUNE.previous()

    rows = with_previous(
        list(sales_by(JUNE, dimension="product")), sales_by(previous, dimension="product"), dimension="product"
    )

    assert (previous.date_from, previous.date_to) == (datetime.date(2026, 5, 2), datetime.date(2026, 5, 31))
    assert [(r["product__code"], r["previous_revenue"], r["revenue_change"]) for r in rows] == [
        ("A", D(100), D("210.0")),
        ("B", None, None),
    ]


def test_trend_by_month_nets_returns_in_their_month(make_user):
    known_history(make_user)

    trend = sales_trend(
        AnalysisFilter(date_from=datetime.date(2026, 5, 1), date_to=datetime.date(2026, 6, 30)), granularity="month"
    )

    assert [(str(r["period"])[:7], r["revenue"]) for r in trend] == [("2026-05", D(100)), ("2026-06", D(510))]
