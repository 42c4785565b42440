"""The dashboards' turnover reads the summary's opening value, closing value and COGS without its rows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.analytics.stock_selectors import StockCriteria, stock_period_totals, stock_summary
from apps.analytics.tests.stock_history import at, june_history
from apps.inventory.models import StockPosting
from apps.inventory.services import stock_posting_reverse

pytestmark = pytest.mark.django_db
JUNE = StockCriteria(date_from=datetime.date(2026, 6, 1), date_to=datetime.date(2026, 6, 30), grouping="warehouse")
FIGURES = ("opening_value", "closing_value", "cogs", "average_value", "turnover", "days_of_inventory")


def test_period_totals_are_the_hand_computed_june_figures(make_user):
    june_history()

    totals = stock_period_totals(JUNE, user=make_user("manager"))

    # A opens at ¥1,000 and closes at ¥1,100 (July's delivery is after the period), B closes at ¥400;
    # COGS is the delivery of 30 (¥330) less the return of 5 (¥55).
    assert (totals["opening_value"], totals["closing_value"], totals["cogs"]) == (
        Decimal("1000.00"),
        Decimal("1500.00"),
        Decimal("275.00"),
    )
    assert (totals["average_value"], totals["turnover"], totals["days_of_inventory"]) == (
        Decimal("1250.00"),
        Decimal("0.22"),
        Decimal("136.4"),
    )


def test_period_totals_equal_the_summary_totals_with_a_reversed_delivery_and_a_warehouse_filter(make_user):
    data = june_history()
    manager = make_user("manager")
    delivery = StockPosting.objects.get(movements__posted_at=at(datetime.date(2026, 6, 10)))
    stock_posting_reverse(posting=delivery, actor=manager)  # posted now, after July
    criteria = [
        JUNE,
        StockCriteria(date_from=datetime.date(2026, 6, 1), date_to=datetime.date(2026, 7, 31), grouping="warehouse"),
        StockCriteria(date_from=datetime.date(2026, 6, 1), date_to=timezone.localdate(), grouping="warehouse"),
        StockCriteria(
            date_from=datetime.date(2026, 6, 1),
            date_to=datetime.date(2026, 6, 30),
            grouping="warehouse",
            warehouse_id=data["w2"].pk,
        ),
    ]

    for criterion in criteria:
        summary = stock_summary(criterion, user=manager).totals
        totals = stock_period_totals(criterion, user=manager)
        assert {name: totals[name] for name in FIGURES} == {name: summary[name] for name in FIGURES}
    assert stock_period_totals(criteria[3], user=manager)["closing_value"] == Decimal("400.00")
    # Up to today: June's ¥275 and July's delivery of 20 @ 11, less the reversed delivery of 30 (¥330).
    assert stock_period_totals(criteria[2], user=manager)["cogs"] == Decimal("165.00")
