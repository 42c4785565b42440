"""Many workers posting at once to a few hot products, on PostgreSQL: the invariants hold exactly."""

import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Min, Sum

from apps.accounts.tests.factories import UserFactory
from apps.core.db import atomic_with_retry
from apps.inventory.models import MovementType, StockBalance, StockMovement, StockPosting
from apps.inventory.selectors import ledger_verify
from apps.inventory.services import InsufficientStock, StockLine, stock_post
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

THREADS = 8
POSTS_PER_THREAD = 260  # 8 × 260 = 2,080 posting calls, plus the double submits
SHARED_KEYS = 40  # receipts submitted by two threads at once with the same idempotency key


@atomic_with_retry
def post_with_retry(**kwargs):
    return stock_post(**kwargs)


def _plan(rng: random.Random, keys: list[tuple[int, int]]) -> list[StockLine]:
    """One or two lines; receipts and issues, issues sometimes larger than any stock on hand."""
    lines = []
    for product_id, warehouse_id in rng.sample(keys, rng.choice([1, 1, 1, 2])):
        if rng.random() < 0.5:
            lines.append(
                StockLine(
                    product_id,
                    warehouse_id,
                    Decimal(rng.randint(1, 6)),
                    MovementType.OTHER_RECEIPT,
                    unit_cost=Decimal(rng.randint(100, 2000)) / 100,
                )
            )
        else:
            quantity = rng.randint(1, 8) if rng.random() < 0.9 else 10_000  # deliberately short
            lines.append(StockLine(product_id, warehouse_id, Decimal(-quantity), MovementType.OTHER_ISSUE))
    return lines


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_lose_nothing_and_never_go_negative():
    # Given 5 hot products in 2 warehouses with some opening stock,
    user = UserFactory()
    products = ProductFactory.create_batch(5)
    warehouses = WarehouseFactory.create_batch(2)
    keys = [(p.pk, w.pk) for p in products for w in warehouses]
    stock_post(
        document_type="test",
        document_number="OPEN",
        lines=[StockLine(p, w, Decimal(40), MovementType.OPENING, unit_cost=Decimal(5)) for p, w in keys],
        actor=user,
    )
    shared = {
        f"shared:{n}": [StockLine(*keys[n % len(keys)], Decimal(3), MovementType.OTHER_RECEIPT, unit_cost=Decimal(7))]
        for n in range(SHARED_KEYS)
    }
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcomes = {"posted": {}, "short": 0, "calls": 0, "errors": []}

    def worker(index: int) -> None:
        rng = random.Random(index)  # noqa: S311  (test data, not crypto)
        try:
            barrier.wait()
            for i in range(POSTS_PER_THREAD):
                key = f"t{index}:{i}"
                lines = _plan(rng, keys)
                submits = 2 if rng.random() < 0.1 else 1  # a double submit re-posts the same key
                if i % 13 == 0:  # the two neighbouring threads submit the same shared receipt
                    key = f"shared:{(i // 13 + index // 2 * 7) % SHARED_KEYS}"
                    lines = shared[key]
                for _ in range(submits):
                    try:
                        posting = post_with_retry(
                            document_type="test",
                            document_number=key,
                            lines=lines,
                            actor=user,
                            idempotency_key=key,
                        )
                    except InsufficientStock:
                        with lock:
                            outcomes["calls"] += 1
                            outcomes["short"] += 1
                        continue
                    with lock:
                        outcomes["calls"] += 1
                        outcomes["posted"].setdefault(key, set()).add(posting.pk)
        except Exception as error:  # reported by the main thread's assertion
            with lock:
                outcomes["errors"].append(repr(error))
        finally:
            connection.close()

    # When 8 threads, each with its own connection, post at once,
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then no call failed other than with a clear shortage,
    assert outcomes["errors"] == []
    assert outcomes["calls"] >= 2000
    assert outcomes["short"] > 0
    # every idempotency key was applied exactly once, whoever submitted it and how often,
    assert all(len(ids) == 1 for ids in outcomes["posted"].values())
    postings = StockPosting.objects.exclude(document_number="OPEN")
    assert postings.count() == len(outcomes["posted"])
    assert set(postings.values_list("idempotency_key", flat=True)) == set(outcomes["posted"])
    assert not postings.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1).exists()
    # each balance equals the sums of its movements exactly, and stock never went negative.
    sums = {
        (row["product_id"], row["warehouse_id"]): (row["quantity"], row["value"])
        for row in StockMovement.objects.values("product_id", "warehouse_id").annotate(
            quantity=Sum("quantity"), value=Sum("value")
        )
    }
    balances = {(b.product_id, b.warehouse_id): (b.on_hand, b.value) for b in StockBalance.objects.all()}
    assert balances == sums
    assert StockMovement.objects.aggregate(lowest=Min("quantity_after"))["lowest"] >= 0
    assert StockBalance.objects.aggregate(lowest=Min("on_hand"))["lowest"] >= 0
    shared_posted = Counter(key.split(":")[0] for key in outcomes["posted"])
    assert shared_posted["shared"] == SHARED_KEYS
    report = ledger_verify()
    assert report.ok, [(check.name, check.samples) for check in report.checks if not check.ok]
