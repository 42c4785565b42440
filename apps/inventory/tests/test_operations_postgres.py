"""Counts and transfers under concurrency, on PostgreSQL.

- A count is counted and posted while receipts and issues keep posting: on-hand after posting =
  counted + every movement posted after that line was counted (nothing lost, nothing twice).
- Transfers A→B and B→A run at once, each called inside an outer transaction so that the
  services' retry is off: a deadlock would surface as an error; none may.
"""

import contextlib
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from apps.accounts.tests.factories import UserFactory
from apps.core.db import atomic_with_retry
from apps.inventory.models import (
    MovementType,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
    StockTransfer,
    TransferStatus,
)
from apps.inventory.selectors import ledger_verify
from apps.inventory.services import InsufficientStock, StockLine, stock_post
from apps.inventory.services.counts import (
    CountEntryInput,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_count_submit,
)
from apps.inventory.services.transfers import (
    TransferLineInput,
    stock_transfer_create,
    stock_transfer_dispatch,
    stock_transfer_receive,
    transit_warehouse,
)
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@atomic_with_retry
def _post(**kwargs):
    return stock_post(**kwargs)


def _run(threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_count_posted_while_stock_moves_loses_nothing_and_counts_nothing_twice():
    manager, clerks = UserFactory(role="manager"), [UserFactory(role="warehouse") for _ in range(2)]
    warehouse = WarehouseFactory()
    products = ProductFactory.create_batch(6)
    stock_post(
        document_type="test",
        document_number="OPEN",
        lines=[
            StockLine(p.pk, warehouse.pk, Decimal(100), MovementType.OPENING, unit_cost=Decimal(4)) for p in products
        ],
        actor=manager,
    )
    count = stock_count_open(actor=manager, warehouse=warehouse)
    stop = threading.Event()
    errors: list[BaseException] = []

    def poster(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311  (test data, not crypto)
        try:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                product = rng.choice(products)
                quantity = Decimal(rng.randint(1, 3)) * (1 if rng.random() < 0.5 else -1)
                line = StockLine(
                    product.pk,
                    warehouse.pk,
                    quantity,
                    MovementType.OTHER_RECEIPT if quantity > 0 else MovementType.OTHER_ISSUE,
                    unit_cost=Decimal(5) if quantity > 0 else None,
                )
                with contextlib.suppress(InsufficientStock):
                    _post(document_type="test", document_number=f"T{seed}-{n}", lines=[line], actor=manager)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def counter(clerk, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        try:
            for _round in range(3):
                for product in rng.sample(products, len(products)):
                    entry = CountEntryInput(product.pk, Decimal(rng.randint(90, 110)))
                    stock_count_record(actor=clerk, count=count, entries=[entry])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    posters = [threading.Thread(target=poster, args=(seed,)) for seed in range(4)]
    for thread in posters:
        thread.start()
    _run([threading.Thread(target=counter, args=(clerk, 10 + i)) for i, clerk in enumerate(clerks)])
    stock_count_submit(actor=manager, count=count)
    count = StockCount.objects.get(pk=count.pk)
    stock_count_post(actor=UserFactory(role="manager"), count=count)  # while the posters still post
    stop.set()
    for thread in posters:
        thread.join()

    assert errors == []
    count.refresh_from_db()
    assert count.status == "posted"
    movements = StockMovement.objects.filter(warehouse=warehouse)
    for line in StockCountLine.objects.filter(count=count):
        before = movements.filter(product_id=line.product_id, pk=line.snapshot_movement_id).get()
        assert line.snapshot_quantity == before.quantity_after  # the snapshot is one consistent read
        later = (
            movements.filter(product_id=line.product_id, pk__gt=line.snapshot_movement_id)
            .exclude(posting=count.posting)
            .aggregate(total=Sum("quantity"))["total"]
            or 0
        )
        on_hand = StockBalance.objects.get(product_id=line.product_id, warehouse=warehouse).on_hand
        assert on_hand == line.counted_quantity + later
    assert ledger_verify().ok


def test_transfers_both_ways_at_once_never_deadlock():
    manager = UserFactory(role="manager")
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    products = ProductFactory.create_batch(6)
    stock_post(
        document_type="test",
        document_number="OPEN",
        lines=[
            StockLine(p.pk, w.pk, Decimal(1000), MovementType.OPENING, unit_cost=Decimal(2))
            for p in products
            for w in (a, b)
        ],
        actor=manager,
    )
    transit_warehouse()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def mover(seed: int, source, destination) -> None:
        rng = random.Random(seed)  # noqa: S311
        try:
            barrier.wait()
            for _ in range(25):
                chosen = rng.sample(products, 4)  # lines in a random order: the ledger sorts the locks
                with transaction.atomic():  # no retry: a deadlock would raise here
                    transfer = stock_transfer_create(
                        actor=manager,
                        source=source,
                        destination=destination,
                        date=source.created_at.date(),
                        lines=[TransferLineInput(p.pk, Decimal(rng.randint(1, 5))) for p in chosen],
                    )
                    stock_transfer_dispatch(actor=manager, transfer=transfer)
                with transaction.atomic():
                    stock_transfer_receive(actor=manager, transfer=transfer)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    _run([threading.Thread(target=mover, args=(seed, a, b) if seed % 2 else (seed, b, a)) for seed in range(6)])

    assert errors == []
    assert StockTransfer.objects.filter(status=TransferStatus.RECEIVED).count() == 150
    for product in products:
        total = StockBalance.objects.filter(product=product).aggregate(q=Sum("on_hand"), v=Sum("value"))
        assert (total["q"], total["v"]) == (Decimal(2000), Decimal("4000.00"))  # nothing made or lost
    assert ledger_verify().ok
