"""Monthly stock snapshots: closing balances per month end, built once, never wrong (closed months refuse
back-dated postings; a row appended behind the ledger's back makes the month stale and is rebuilt)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from apps.inventory.models import StockMonthEnd, StockMovement, StockSnapshotMonth
from apps.inventory.services.snapshots import month_end_of, stock_snapshots_update
from apps.inventory.tests.factories import post_stock
from apps.inventory.tests.snapshot_history import AUGUST_15, append_behind_the_ledger, at, three_months
from apps.jobs.models import JobStatus
from apps.jobs.services import job_start

pytestmark = pytest.mark.django_db
D = Decimal


def _month_ends():
    return sorted(
        (row.month.month_end, row.product.code, row.quantity, row.value)
        for row in StockMonthEnd.objects.select_related("month", "product")
    )


def test_month_end_of():
    assert month_end_of(datetime.date(2026, 2, 3)) == datetime.date(2026, 2, 28)
    assert month_end_of(datetime.date(2028, 2, 29)) == datetime.date(2028, 2, 29)
    assert month_end_of(datetime.date(2026, 12, 31)) == datetime.date(2026, 12, 31)


def test_each_closed_month_holds_every_closing_balance_and_the_running_flows():
    three_months()

    built = stock_snapshots_update(now=AUGUST_15)

    may, june, july = datetime.date(2026, 5, 31), datetime.date(2026, 6, 30), datetime.date(2026, 7, 31)
    assert built == [may, june, july]
    assert _month_ends() == [
        (may, "A", D("100.0000"), D("1000.00")),
        (june, "A", D("120.0000"), D("1320.00")),
        (june, "B", D("0.0000"), D("0.00")),  # came and went in June: kept for its flows
        (july, "A", D("100.0000"), D("1100.00")),
        (july, "B", D("0.0000"), D("0.00")),
    ]
    flows = {
        (row.month.month_end, row.product.code): (row.in_opening, row.out_other, row.in_value, row.out_value)
        for row in StockMonthEnd.objects.select_related("month", "product")
    }
    # Received at opening (positive) or issued as other issues (negative), summed from the first movement.
    assert flows[(may, "A")] == (D("100.0000"), D("0.0000"), D("1000.00"), D("0.00"))
    assert flows[(june, "A")] == (D("150.0000"), D("30.0000"), D("1650.00"), D("330.00"))
    assert flows[(july, "A")] == (D("150.0000"), D("50.0000"), D("1650.00"), D("550.00"))
    assert flows[(july, "B")] == (D("10.0000"), D("10.0000"), D("400.00"), D("400.00"))
    row = StockMonthEnd.objects.get(month__month_end=july, product__code="A")
    assert row.in_opening - row.out_other == row.quantity  # every other flow is zero
    assert row.in_purchase == row.out_sales == row.cogs == 0
    assert list(StockSnapshotMonth.objects.order_by("month_end").values_list("rows", flat=True)) == [1, 2, 2]


def test_a_pair_that_never_moved_has_no_row():
    three_months()
    stock_snapshots_update(now=AUGUST_15)

    assert not StockMonthEnd.objects.filter(month__month_end=datetime.date(2026, 5, 31), product__code="B").exists()


def test_a_month_is_built_once_and_only_after_it_settled():
    three_months()
    stock_snapshots_update(now=AUGUST_15)

    assert stock_snapshots_update(now=AUGUST_15) == []
    assert stock_snapshots_update(now=at(datetime.date(2026, 9, 1), hour=23)) == []  # August ended less than a day ago
    assert stock_snapshots_update(now=at(datetime.date(2026, 9, 2), hour=1)) == [datetime.date(2026, 8, 31)]
    assert StockSnapshotMonth.objects.count() == 4


def test_a_back_dated_posting_into_a_closed_month_is_refused_and_writes_nothing():
    stock = three_months()
    stock_snapshots_update(now=AUGUST_15)
    movements = StockMovement.objects.count()

    with pytest.raises(ValidationError) as refused:
        post_stock(stock["a"], stock["w1"], 5, posted_at=at(datetime.date(2026, 7, 31), hour=23))

    assert refused.value.code == "posted_at_in_closed_month"
    assert "the stock up to 2026-07-31 is closed in the monthly snapshots" in refused.value.messages[0]
    assert StockMovement.objects.count() == movements
    post_stock(stock["a"], stock["w1"], 5, posted_at=at(datetime.date(2026, 8, 1), hour=0))  # the open month takes it


def test_an_ordinary_posting_is_stamped_with_the_database_clock_after_every_closed_month():
    stock = three_months()
    stock_snapshots_update(now=AUGUST_15)

    posting = post_stock(stock["a"], stock["w1"], 1)

    last_cut = at(datetime.date(2026, 8, 1), hour=0)
    assert posting.posted_at > last_cut
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT transaction_timestamp(), clock_timestamp()")
            started, now = cursor.fetchone()
        assert started <= posting.posted_at <= now  # statement_timestamp() of the posting's own statement


def test_a_row_appended_behind_the_ledger_drops_its_month_and_later_ones_and_the_next_run_rebuilds_them(make_user):
    stock = three_months()
    stock_snapshots_update(now=AUGUST_15)
    may, june, july = (datetime.date(2026, 5, 31), datetime.date(2026, 6, 30), datetime.date(2026, 7, 31))

    append_behind_the_ledger(stock["a"], stock["w1"], "5", "50", at(datetime.date(2026, 6, 15)), make_user())

    assert list(StockSnapshotMonth.objects.values_list("month_end", flat=True)) == [may]
    assert stock_snapshots_update(now=AUGUST_15) == [june, july]
    assert _month_ends() == [
        (may, "A", D("100.0000"), D("1000.00")),
        (june, "A", D("125.0000"), D("1370.00")),
        (june, "B", D("0.0000"), D("0.00")),
        (july, "A", D("105.0000"), D("1150.00")),
        (july, "B", D("0.0000"), D("0.00")),
    ]
    rebuilt = StockMonthEnd.objects.get(month__month_end=july, product__code="A")
    assert (rebuilt.in_other, rebuilt.in_value) == (D("5.0000"), D("1700.00"))  # the appended receipt counts


def test_the_command_rebuilds_every_month():
    three_months()
    stock_snapshots_update(now=AUGUST_15)
    StockMonthEnd.objects.update(quantity=D(999))  # a damaged cache

    out = io.StringIO()
    call_command("stock_snapshots", "--rebuild", stdout=out)

    assert out.getvalue().startswith("stock snapshots built: 2026-05 to ")

    july = StockMonthEnd.objects.get(month__month_end=datetime.date(2026, 7, 31), product__code="A")
    assert (july.quantity, july.value) == (D("100.0000"), D("1100.00"))
    assert not StockMonthEnd.objects.filter(quantity=D(999)).exists()


def test_the_job_builds_the_snapshots():
    three_months()

    job = job_start(kind="inventory.stock_snapshots", user=None)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert StockSnapshotMonth.objects.filter(month_end=datetime.date(2026, 7, 31)).exists()
