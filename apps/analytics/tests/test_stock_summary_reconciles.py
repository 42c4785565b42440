"""The 进销存汇总表 reconciles on random data: opening + receipts − issues = closing for every row, and
closing equals the balance as of the end of the period — also while documents are being posted."""

import datetime
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.analytics.stock_selectors import IN_KEYS, OUT_KEYS, StockCriteria, ledger_snapshot, stock_summary
from apps.analytics.tests.stock_history import at
from apps.inventory.models import MovementType
from apps.inventory.selectors import stock_as_of
from apps.inventory.services import InsufficientStock, StockLine, stock_post
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

TYPES_IN = [MovementType.PURCHASE_RECEIPT, MovementType.SALES_RETURN, MovementType.OTHER_RECEIPT]
TYPES_OUT = [MovementType.SALES_SHIPMENT, MovementType.OTHER_ISSUE, MovementType.PURCHASE_RETURN]


def _random_posting(rng: random.Random, keys, user, number: str, posted_at=None):
    product_id, warehouse_id = rng.choice(keys)
    if rng.random() < 0.55:
        line = StockLine(
            product_id,
            warehouse_id,
            Decimal(rng.randint(1, 20)),
            rng.choice(TYPES_IN),
            unit_cost=Decimal(rng.randint(100, 3000)) / 100,
        )
    else:
        line = StockLine(product_id, warehouse_id, Decimal(-rng.randint(1, 15)), rng.choice(TYPES_OUT))
    try:
        return stock_post(document_type="test", document_number=number, lines=[line], actor=user, posted_at=posted_at)
    except InsufficientStock:
        return None


def random_setting(rng: random.Random, days: int, postings: int):
    """A user, 4 products × 2 warehouses (their keys) and ``postings`` random times in the last
    ``days`` days, in order."""
    user = UserFactory()
    products, warehouses = ProductFactory.create_batch(4), WarehouseFactory.create_batch(2)
    keys = [(p.pk, w.pk) for p in products for w in warehouses]
    today = timezone.localdate()
    moments = sorted(
        at(today - datetime.timedelta(days=rng.randint(1, days)), rng.randint(0, 23)) for _ in range(postings)
    )
    return user, keys, moments


def _history(rng: random.Random, days: int = 120, postings: int = 160):
    user, keys, moments = random_setting(rng, days, postings)
    for index, moment in enumerate(moments):
        _random_posting(rng, keys, user, f"R{index}", posted_at=moment)
    return user, keys


def _assert_reconciles(page, as_of: dict):
    for row in page.rows:
        assert row["opening_qty"] + sum(row[k] for k in IN_KEYS) - sum(row[k] for k in OUT_KEYS) == row["closing_qty"]
        assert row["opening_qty"] + row["in_qty"] - row["out_qty"] == row["closing_qty"]
        assert row["opening_value"] + row["in_value"] - row["out_value"] == row["closing_value"]
        assert as_of.get(tuple(row["keys"]), (0, 0)) == (row["closing_qty"], row["closing_value"])
    total = page.totals
    assert total["opening_qty"] + total["in_qty"] - total["out_qty"] == total["closing_qty"]
    assert total["opening_value"] + total["in_value"] - total["out_value"] == total["closing_value"]


def _as_of(user, day):
    return {
        (row.product_id, row.warehouse_id): (row.qty_as_of, row.value_as_of) for row in stock_as_of(user=user, day=day)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_history_reconciles_in_both_reading_directions(seed, make_user):
    rng = random.Random(seed)  # noqa: S311  (test data, not crypto)
    _user, _keys = _history(rng)
    manager = make_user("manager")
    today = timezone.localdate()
    for _ in range(4):
        start = today - datetime.timedelta(days=rng.randint(0, 130))
        end = min(today, start + datetime.timedelta(days=rng.randint(0, 60)))
        criteria = StockCriteria(date_from=start, date_to=end, grouping="product_warehouse")
        as_of = _as_of(manager, end)

        forward = stock_summary(criteria, user=manager, forward=True)
        backward = stock_summary(criteria, user=manager, forward=False)

        _assert_reconciles(forward, as_of)
        assert forward.rows == backward.rows
        assert forward.totals == backward.totals


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reconciles_while_documents_are_being_posted():
    rng = random.Random(7)  # noqa: S311  (test data, not crypto)
    user, keys = _history(rng, postings=80)
    today = timezone.localdate()
    stop = threading.Event()
    posted = []

    def keep_posting():
        writer_rng = random.Random(8)  # noqa: S311  (test data, not crypto)
        try:
            while not stop.is_set():
                if _random_posting(writer_rng, keys, user, f"LIVE{len(posted)}"):
                    posted.append(1)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_posting)
    writer.start()
    try:
        for offset in (0, 10, 30, 60, 0, 5):
            criteria = StockCriteria(
                date_from=today - datetime.timedelta(days=offset + 20),
                date_to=today - datetime.timedelta(days=offset),
                grouping="product_warehouse",
            )
            with ledger_snapshot():
                page = stock_summary(criteria, user=user)
                as_of = _as_of(user, criteria.date_to)
            _assert_reconciles(page, as_of)
    finally:
        stop.set()
        writer.join()
    assert posted  # the writer really posted while the report ran
