"""A snapshot build and a back-dated posting never interleave (PostgreSQL advisory lock): the posting
that waited for a build sees the closed month and is refused; a build that waited for a posting
includes it."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from apps.inventory.models import StockMonthEnd, StockMovement
from apps.inventory.services import snapshots
from apps.inventory.tests.factories import post_stock
from apps.inventory.tests.snapshot_history import AUGUST_15, at, three_months

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # handed back to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_back_dated_posting_waits_for_a_running_build_and_is_then_refused():
    stock = three_months()
    build_holds_lock, release = threading.Event(), threading.Event()
    original = snapshots._build_month

    def slow_build(*args, **kwargs):
        rows = original(*args, **kwargs)
        build_holds_lock.set()
        release.wait(10)
        return rows

    snapshots._build_month = slow_build
    try:
        builder, built = _in_thread(lambda: snapshots.stock_snapshots_update(now=AUGUST_15))
        assert build_holds_lock.wait(10)  # the May build holds the lock, uncommitted
        poster, posted = _in_thread(
            lambda: post_stock(stock["a"], stock["w1"], 5, posted_at=at(datetime.date(2026, 5, 20)))
        )
        poster.join(1)
        assert poster.is_alive()  # waiting for the build
        release.set()
        builder.join(20)
        poster.join(20)
    finally:
        snapshots._build_month = original

    assert "error" not in built
    assert isinstance(posted.get("error"), ValidationError)
    assert posted["error"].code == "posted_at_in_closed_month"
    may = StockMonthEnd.objects.get(month__month_end=datetime.date(2026, 5, 31), product=stock["a"])
    assert may.quantity == Decimal(100)


def test_a_build_waits_for_a_back_dated_posting_and_includes_it():
    stock = three_months()
    with transaction.atomic():
        post_stock(stock["a"], stock["w1"], 5, unit_cost="10", posted_at=at(datetime.date(2026, 7, 20)))
        builder, built = _in_thread(lambda: snapshots.stock_snapshots_update(now=AUGUST_15))
        builder.join(1)
        assert builder.is_alive()  # the build waits for this posting's shared lock
    builder.join(20)

    assert "error" not in built
    july = StockMonthEnd.objects.get(month__month_end=datetime.date(2026, 7, 31), product=stock["a"])
    assert (july.quantity, july.value) == (Decimal("105.0000"), Decimal("1150.00"))
    assert july.in_opening == Decimal("155.0000")  # the back-dated receipt is in the running flows too
    assert StockMovement.objects.count() == 7
