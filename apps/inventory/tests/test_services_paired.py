"""Paired lines: an inbound line valued at what an outbound line of the same posting left with (transfers)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from apps.accounts.tests.factories import UserFactory
from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.inventory.selectors import ledger_verify
from apps.inventory.services import InsufficientStock, StockLine, stock_post, stock_posting_reverse
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

OUT, IN = MovementType.TRANSFER_OUT, MovementType.TRANSFER_IN


def transfer(product, source, target, quantity, *, line_no=1) -> list[StockLine]:
    return [
        StockLine(product.pk, source.pk, Decimal(-quantity), OUT, line_no=line_no),
        StockLine(product.pk, target.pk, Decimal(quantity), IN, line_no=line_no, paired_with=0),
    ]


def balance_of(product, warehouse) -> StockBalance:
    return StockBalance.objects.get(product=product, warehouse=warehouse)


@pytest.mark.django_db
def test_the_inbound_line_carries_the_value_the_outbound_line_left_with():
    # Given 3 units at 2.00 and 3 at 3.00 in A (average 2.5, value 15.00) and 10 at 9.00 in B,
    product = ProductFactory()
    a, b = WarehouseFactory(), WarehouseFactory()
    post_stock(product, a, 3, unit_cost="2")
    post_stock(product, a, 3, unit_cost="3")
    post_stock(product, b, 10, unit_cost="9")

    # when 4 units move from A to B in one posting,
    posting = stock_post(
        document_type="test", document_number="DB1", lines=transfer(product, a, b, 4), actor=UserFactory()
    )

    # then B receives them at A's average cost, not at its own, and no value is created or lost.
    out, inbound = posting.movement_list
    assert (out.quantity, out.value, out.unit_cost) == (Decimal(-4), Decimal("-10.00"), Decimal("2.5"))
    assert (inbound.quantity, inbound.value, inbound.unit_cost) == (Decimal(4), Decimal("10.00"), Decimal("2.5"))
    assert (balance_of(product, a).on_hand, balance_of(product, a).value) == (Decimal(2), Decimal("5.00"))
    b_balance = balance_of(product, b)
    assert (b_balance.on_hand, b_balance.value, b_balance.avg_cost) == (
        Decimal(14),
        Decimal("100.00"),
        Decimal("7.142857"),
    )
    assert StockBalance.objects.aggregate(total=Sum("value"))["total"] == Decimal("105.00")
    assert ledger_verify().ok


@pytest.mark.django_db
def test_the_last_units_carry_the_whole_remaining_value_through_in_transit():
    # Given 3 units worth 10.00 (average 3.333333) in A,
    product = ProductFactory()
    a, transit, b = WarehouseFactory(), WarehouseFactory(name="In transit"), WarehouseFactory()
    post_stock(product, a, 3, unit_cost="3.333333")
    user = UserFactory()

    # when all of them leave A for the in-transit warehouse and later arrive in B,
    stock_post(document_type="test", document_number="DB2", lines=transfer(product, a, transit, 3), actor=user)
    arrived = stock_post(
        document_type="test", document_number="DB2", lines=transfer(product, transit, b, 3), actor=user
    )

    # then B holds exactly the value A had, and A and in-transit are empty with no residue.
    assert arrived.movement_list[1].value == Decimal("10.00")
    assert (balance_of(product, b).on_hand, balance_of(product, b).value) == (Decimal(3), Decimal("10.00"))
    for warehouse in (a, transit):
        assert (balance_of(product, warehouse).on_hand, balance_of(product, warehouse).value) == (0, 0)


@pytest.mark.django_db
def test_several_pairs_in_one_posting_each_take_their_own_outbound_value():
    cheap, dear = ProductFactory(code="C1"), ProductFactory(code="D1")
    a, b = WarehouseFactory(), WarehouseFactory()
    post_stock(cheap, a, 10, unit_cost="1")
    post_stock(dear, a, 10, unit_cost="50")

    posting = stock_post(
        document_type="test",
        document_number="DB3",
        lines=[
            StockLine(dear.pk, a.pk, Decimal(-2), OUT, line_no=1),
            StockLine(cheap.pk, a.pk, Decimal(-5), OUT, line_no=2),
            StockLine(cheap.pk, b.pk, Decimal(5), IN, line_no=2, paired_with=1),
            StockLine(dear.pk, b.pk, Decimal(2), IN, line_no=1, paired_with=0),
        ],
        actor=UserFactory(),
    )

    assert [m.value for m in posting.movement_list] == [
        Decimal("-100.00"),
        Decimal("-5.00"),
        Decimal("5.00"),
        Decimal("100.00"),
    ]


@pytest.mark.django_db
def test_a_short_transfer_names_the_outbound_row_and_writes_nothing():
    product = ProductFactory(code="T1")
    a, b = WarehouseFactory(name="A"), WarehouseFactory(name="B")
    post_stock(product, a, 2)
    movements_before = StockMovement.objects.count()

    with pytest.raises(InsufficientStock) as caught:
        stock_post(
            document_type="test",
            document_number="DB4",
            lines=transfer(product, a, b, 5, line_no=7),
            actor=UserFactory(),
        )

    assert caught.value.messages == [
        "DB4 cannot be posted: insufficient stock.",
        "Row 7: product T1 is short in A: available 2, requested 5",
    ]
    assert StockMovement.objects.count() == movements_before
    assert not StockBalance.objects.filter(warehouse=b).exists()
    assert balance_of(product, a).on_hand == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (  # the pair comes after the inbound line
            lambda p, a, b: [
                StockLine(p.pk, b.pk, Decimal(1), IN, paired_with=1),
                StockLine(p.pk, a.pk, Decimal(-1), OUT),
            ],
            "Row 1: an inbound line can only take the value of an earlier outbound line.",
        ),
        (  # paired with an inbound line
            lambda p, a, b: [
                StockLine(p.pk, a.pk, Decimal(1), IN, unit_cost=Decimal(1)),
                StockLine(p.pk, b.pk, Decimal(1), IN, paired_with=0),
            ],
            "Row 2: an inbound line can only take the value of an earlier outbound line.",
        ),
        (
            lambda p, a, b: [
                StockLine(p.pk, a.pk, Decimal(-2), OUT),
                StockLine(p.pk, b.pk, Decimal(3), IN, paired_with=0),
            ],
            "Row 2: the quantity must equal the quantity of the outbound line it is paired with.",
        ),
        (
            lambda p, a, b: [
                StockLine(p.pk, a.pk, Decimal(-2), OUT),
                StockLine(p.pk, b.pk, Decimal(2), IN, paired_with=0),
                StockLine(p.pk, b.pk, Decimal(2), IN, paired_with=0),
            ],
            "Row 3: that outbound line is already paired.",
        ),
        (
            lambda p, a, b: [
                StockLine(p.pk, a.pk, Decimal(-2), OUT),
                StockLine(p.pk, b.pk, Decimal(2), IN, paired_with=0, unit_cost=Decimal(4)),
            ],
            "Row 2: a paired line takes its value from its pair.",
        ),
    ],
)
def test_a_badly_paired_line_is_refused_before_anything_is_written(lines, message):
    product = ProductFactory()
    a, b = WarehouseFactory(), WarehouseFactory()
    post_stock(product, a, 5)

    with pytest.raises(ValidationError) as caught:
        stock_post(document_type="test", document_number="DB5", lines=lines(product, a, b), actor=UserFactory())

    assert caught.value.messages == [message]
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_reversing_a_transfer_returns_the_goods_at_the_same_value():
    product = ProductFactory()
    a, b = WarehouseFactory(), WarehouseFactory()
    post_stock(product, a, 4, unit_cost="2.5")
    post_stock(product, b, 1, unit_cost="7")
    user = UserFactory()
    posting = stock_post(document_type="test", document_number="DB6", lines=transfer(product, a, b, 4), actor=user)

    stock_posting_reverse(posting=posting, actor=user)

    assert (balance_of(product, a).on_hand, balance_of(product, a).value) == (Decimal(4), Decimal("10.00"))
    assert (balance_of(product, b).on_hand, balance_of(product, b).value) == (Decimal(1), Decimal("7.00"))
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_at_once_queue_on_ordered_locks_and_never_deadlock():
    # Given stock of two products in two warehouses,
    products = ProductFactory.create_batch(2)
    a, b = WarehouseFactory(), WarehouseFactory()
    for product in products:
        post_stock(product, a, 500, unit_cost="3")
        post_stock(product, b, 500, unit_cost="5")
    user = UserFactory()
    threads, rounds = 6, 40
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        # Half the threads move A → B, the others B → A, each posting touching all four balances
        # in its own line order: only the sorted lock order keeps them from deadlocking.
        source, target = (a, b) if index % 2 else (b, a)
        try:
            barrier.wait()
            for _ in range(rounds):
                lines = []
                for product in reversed(products) if index % 2 else products:
                    lines += [
                        StockLine(product.pk, source.pk, Decimal(-1), OUT),
                        StockLine(product.pk, target.pk, Decimal(1), IN, paired_with=len(lines)),
                    ]
                stock_post(document_type="test", document_number="DB7", lines=lines, actor=user)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    # then every transfer went through, and no quantity or value was created or lost.
    assert errors == []
    assert StockMovement.objects.filter(movement_type=OUT).count() == threads * rounds * 2
    totals = StockBalance.objects.aggregate(quantity=Sum("on_hand"), value=Sum("value"))
    assert totals == {"quantity": Decimal(2000), "value": Decimal("8000.00")}
    assert ledger_verify().ok
