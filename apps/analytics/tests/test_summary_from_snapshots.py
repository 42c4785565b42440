"""The 进销存汇总表 started from monthly snapshots equals the one summed over the whole ledger, and a stale
or missing snapshot sends it back to the whole ledger."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.analytics.stock_selectors import StockCriteria, _closing_snapshot, _Ledger, snapshot_before, stock_summary
from apps.analytics.tests.stock_history import at, june_history
from apps.analytics.tests.test_stock_summary_reconciles import (
    _as_of,
    _assert_reconciles,
    _random_posting,
    random_setting,
)
from apps.inventory.models import MovementType
from apps.inventory.services import InsufficientStock, StockLine, stock_post, stock_posting_reverse
from apps.inventory.services.snapshots import stock_snapshots_update
from apps.inventory.tests.snapshot_history import append_behind_the_ledger

pytestmark = pytest.mark.django_db
D = Decimal
GROUPINGS = ["product", "product_warehouse", "category", "category_warehouse", "warehouse"]


def _history_with_reversals_and_adjustments(rng: random.Random, days: int, postings: int) -> None:
    """Random receipts and issues as in ``_history``, with signed stock adjustments and reversals of
    earlier postings (a reversal counts under the type of what it reverses), in time order."""
    user, keys, moments = random_setting(rng, days, postings)
    posted = []
    for index, moment in enumerate(moments):
        roll = rng.random()
        try:
            if roll < 0.1 and posted:
                stock_posting_reverse(posting=posted.pop(rng.randrange(len(posted))), actor=user, posted_at=moment)
            elif roll < 0.2:
                product_id, warehouse_id = rng.choice(keys)
                quantity = D(rng.choice([-1, 1]) * rng.randint(1, 5))
                line = StockLine(
                    product_id,
                    warehouse_id,
                    quantity,
                    MovementType.ADJUSTMENT,
                    unit_cost=D("12.5") if quantity > 0 else None,
                )
                posted.append(
                    stock_post(
                        document_type="test", document_number=f"A{index}", lines=[line], actor=user, posted_at=moment
                    )
                )
            elif posting := _random_posting(rng, keys, user, f"R{index}", posted_at=moment):
                posted.append(posting)
        except (InsufficientStock, ValidationError):
            continue


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_history_gives_the_same_summary_with_and_without_snapshots(seed, make_user):
    rng = random.Random(seed)  # noqa: S311  (test data, not crypto)
    _history_with_reversals_and_adjustments(rng, days=150, postings=220)
    manager = make_user("manager")
    assert stock_snapshots_update()  # four or five closed months
    today = timezone.localdate()
    started_after_a_month, spanned_months = 0, 0
    for index in range(8):
        start = today - datetime.timedelta(days=rng.randint(0, 145))
        longest = 45 if index % 2 else 145  # within a month or two, and across several month ends
        end = min(today, start + datetime.timedelta(days=rng.randint(0, longest)))
        criteria = StockCriteria(date_from=start, date_to=end, grouping=rng.choice(GROUPINGS))
        opening = snapshot_before(start)
        closing = _closing_snapshot(_Ledger.read(), opening, snapshot_before(end + datetime.timedelta(days=1)))
        started_after_a_month += opening is not None
        spanned_months += closing is not None and closing != opening  # as stock_summary will read it

        snapped = stock_summary(criteria, user=manager, forward=True)
        whole = stock_summary(criteria, user=manager, forward=True, snapshots=False)
        backward = stock_summary(criteria, user=manager, forward=False)

        assert snapped.rows == whole.rows == backward.rows
        assert snapped.totals == whole.totals == backward.totals
        if criteria.grouping == "product_warehouse":
            _assert_reconciles(snapped, _as_of(manager, end))
    assert started_after_a_month  # at least one period opened from a month end
    assert spanned_months  # and at least one read the flows of whole months off two month ends


def test_a_closing_month_end_is_read_only_when_its_rows_cost_less_than_the_movements_they_replace(
    make_user, monkeypatch
):
    june_history()
    stock_snapshots_update(now=at(datetime.date(2026, 7, 15)))  # May and June
    manager = make_user("manager")
    may, june = snapshot_before(datetime.date(2026, 6, 1)), snapshot_before(datetime.date(2026, 7, 1))
    criteria = StockCriteria(
        date_from=datetime.date(2026, 5, 20), date_to=datetime.date(2026, 7, 10), grouping="product_warehouse"
    )
    ledger = _Ledger.read()
    assert _closing_snapshot(ledger, may, june) == june  # about 4 movements a month at this rate, 2 June rows
    whole = stock_summary(criteria, user=manager, forward=True, snapshots=False)
    assert stock_summary(criteria, user=manager, forward=True).rows == whole.rows

    monkeypatch.setattr(_Ledger, "movements_between", lambda self, since, until: 1)  # fewer than June's rows
    assert _closing_snapshot(ledger, may, june) == may
    declined = stock_summary(criteria, user=manager, forward=True)

    assert declined.rows == whole.rows
    assert declined.totals == whole.totals


def test_june_history_from_the_may_snapshot_by_hand(make_user):
    data = june_history()
    stock_snapshots_update(now=at(datetime.date(2026, 6, 15)))  # May only
    manager = make_user("manager")
    june = StockCriteria(date_from=datetime.date(2026, 6, 1), date_to=datetime.date(2026, 6, 30))
    assert snapshot_before(june.date_from) is not None

    page = stock_summary(june, user=manager, forward=True)

    apple, biscuits = page.rows
    assert (apple["opening_qty"], apple["opening_value"]) == (D("100.0000"), D("1000.00"))
    assert (apple["in_qty"], apple["in_value"], apple["out_qty"], apple["out_value"]) == (
        D("55.0000"),
        D("705.00"),
        D("55.0000"),
        D("605.00"),
    )
    assert (apple["closing_qty"], apple["closing_value"], apple["cogs"]) == (D("100.0000"), D("1100.00"), D("275.00"))
    assert (biscuits["opening_qty"], biscuits["closing_qty"], biscuits["closing_value"]) == (
        D("0.0000"),
        D("10.0000"),
        D("400.00"),
    )
    assert data["a"].pk == apple["keys"][0]


def test_a_row_appended_behind_the_ledger_drops_the_snapshots_it_falls_in_and_the_summary_counts_it(make_user):
    data = june_history()
    stock_snapshots_update(now=at(datetime.date(2026, 7, 15)))  # May and June
    manager = make_user("manager")
    append_behind_the_ledger(data["a"], data["w1"], "5", "50", at(datetime.date(2026, 5, 20)), manager)
    july = StockCriteria(date_from=datetime.date(2026, 7, 1), date_to=datetime.date(2026, 7, 31))

    assert snapshot_before(july.date_from) is None  # May and June were dropped
    page = stock_summary(july, user=manager, forward=True)

    apple = page.rows[0]
    assert (apple["opening_qty"], apple["opening_value"]) == (D("105.0000"), D("1150.00"))
    assert (apple["closing_qty"], apple["closing_value"]) == (D("85.0000"), D("930.00"))


def test_no_snapshot_before_the_first_closed_month(make_user):
    june_history()
    stock_snapshots_update(now=at(datetime.date(2026, 7, 15)))

    assert snapshot_before(datetime.date(2026, 5, 31)) is None
    assert snapshot_before(datetime.date(2026, 6, 1)) is not None
