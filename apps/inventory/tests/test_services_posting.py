from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models import Sum

from apps.accounts.tests.factories import UserFactory
from apps.core.amounts import money
from apps.core.models import SystemSettings
from apps.inventory.models import AppendOnlyError, MovementType, StockBalance, StockMovement, StockPosting
from apps.inventory.services import (
    InsufficientStock,
    ReservationLine,
    StockLine,
    stock_post,
    stock_posting_reverse,
    stock_reserve,
)
from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import Product
from apps.masterdata.tests.factories import CategoryFactory, ProductFactory, UnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(code="A001")


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Main")


def balance_of(product, warehouse) -> StockBalance:
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def test_receipt_creates_movement_and_balance_at_its_cost(product, warehouse):
    posting = post_stock(product, warehouse, 10, unit_cost="2.50")

    (movement,) = posting.movement_list
    assert (movement.quantity, movement.unit_cost, movement.value) == (10, Decimal("2.5"), Decimal("25.00"))
    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.value, balance.avg_cost) == (10, Decimal("25.00"), Decimal("2.5"))


def test_receipts_at_different_costs_give_the_moving_weighted_average(product, warehouse):
    post_stock(product, warehouse, 10, unit_cost="2")
    post_stock(product, warehouse, 30, unit_cost="4")

    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.value, balance.avg_cost) == (40, Decimal("140.00"), Decimal("3.5"))


def test_issue_snapshots_the_average_cost_it_left_with(product, warehouse):
    post_stock(product, warehouse, 10, unit_cost="2")
    post_stock(product, warehouse, 30, unit_cost="4")

    (movement,) = post_stock(product, warehouse, -4).movement_list

    assert (movement.unit_cost, movement.value) == (Decimal("3.5"), Decimal("-14.00"))
    assert balance_of(product, warehouse).value == Decimal("126.00")


def test_issuing_the_last_units_leaves_no_value_behind(product, warehouse):
    post_stock(product, warehouse, 3, unit_cost="1")
    post_stock(product, warehouse, 3, unit_cost="2")  # avg 1.5; 3 × 0.333… rounding would leave cents
    post_stock(product, warehouse, -1)
    post_stock(product, warehouse, -5)

    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.value) == (0, Decimal("0.00"))


def test_running_balance_is_stored_on_each_movement(product, warehouse):
    post_stock(product, warehouse, 5, unit_cost="2")
    post_stock(product, warehouse, -2)

    rows = list(StockMovement.objects.order_by("id").values_list("quantity_after", "value_after"))

    assert rows == [(Decimal(5), Decimal("10.00")), (Decimal(3), Decimal("6.00"))]


def test_short_lines_are_all_named_and_nothing_is_written(product, warehouse):
    other = ProductFactory(code="B002")
    post_stock(product, warehouse, 5)
    movements_before = StockMovement.objects.count()

    with pytest.raises(InsufficientStock) as caught:
        stock_post(
            document_type="test",
            document_number="XSCK20261126-0001",
            lines=[
                StockLine(product.pk, warehouse.pk, Decimal(-8), MovementType.SALES_SHIPMENT, line_no=1),
                StockLine(other.pk, warehouse.pk, Decimal(-2), MovementType.SALES_SHIPMENT, line_no=3),
            ],
            actor=UserFactory(),
        )

    assert caught.value.messages == [
        "XSCK20261126-0001 cannot be posted: insufficient stock.",
        "Row 1: product A001 is short in Main: available 5, requested 8",
        "Row 3: product B002 is short in Main: available 0, requested 2",
    ]
    assert StockMovement.objects.count() == movements_before
    assert balance_of(product, warehouse).on_hand == 5
    assert not StockBalance.objects.filter(product=other).exists()


def test_lines_of_one_document_draw_on_the_same_stock(product, warehouse):
    post_stock(product, warehouse, 5)

    with pytest.raises(InsufficientStock) as caught:
        stock_post(
            document_type="test",
            document_number="D1",
            lines=[
                StockLine(product.pk, warehouse.pk, Decimal(-3), MovementType.OTHER_ISSUE),
                StockLine(product.pk, warehouse.pk, Decimal(-3), MovementType.OTHER_ISSUE),
            ],
            actor=UserFactory(),
        )

    assert [s.line_no for s in caught.value.shortages] == [2]
    assert caught.value.shortages[0].available == 2


def test_negative_stock_is_allowed_only_by_the_system_setting(product, warehouse):
    SystemSettings.objects.update_or_create(pk=1, defaults={"allow_negative_stock": True})
    post_stock(product, warehouse, 2, unit_cost="3")

    post_stock(product, warehouse, -5)

    balance = balance_of(product, warehouse)
    assert balance.on_hand == -3
    assert balance.value == StockMovement.objects.aggregate(total=Sum("value"))["total"]


def test_reserved_stock_cannot_be_issued_to_others_but_its_own_issue_consumes_it(product, warehouse):
    post_stock(product, warehouse, 10)
    stock_reserve(lines=[ReservationLine(product.pk, warehouse.pk, Decimal(8))])

    with pytest.raises(InsufficientStock):
        post_stock(product, warehouse, -3)
    stock_post(
        document_type="test",
        document_number="XSCK1",
        lines=[
            StockLine(product.pk, warehouse.pk, Decimal(-8), MovementType.SALES_SHIPMENT, release_reserved=Decimal(8))
        ],
        actor=UserFactory(),
    )

    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.reserved, balance.available) == (2, 0, 2)


def test_reservation_is_all_or_nothing_unless_partial(product, warehouse):
    post_stock(product, warehouse, 5)
    line = ReservationLine(product.pk, warehouse.pk, Decimal(8), line_no=2)

    with pytest.raises(InsufficientStock, match="Row 2: product A001 is short in Main: available 5, requested 8"):
        stock_reserve(lines=[line])
    assert balance_of(product, warehouse).reserved == 0

    assert stock_reserve(lines=[line], allow_partial=True) == [Decimal(5)]
    assert balance_of(product, warehouse).reserved == 5


def test_releasing_more_than_reserved_is_refused(product, warehouse):
    post_stock(product, warehouse, 5)
    stock_reserve(lines=[ReservationLine(product.pk, warehouse.pk, Decimal(2))])

    with pytest.raises(ValidationError, match="cannot release more than is reserved"):
        stock_reserve(lines=[ReservationLine(product.pk, warehouse.pk, Decimal(-3))])
    assert balance_of(product, warehouse).reserved == 2


def test_same_idempotency_key_is_applied_once(product, warehouse):
    line = StockLine(product.pk, warehouse.pk, Decimal(4), MovementType.OPENING, unit_cost=Decimal(1))
    user = UserFactory()

    first = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k1")
    second = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k1")

    assert first.pk == second.pk
    assert balance_of(product, warehouse).on_hand == 4
    assert StockMovement.objects.count() == 1


def test_reversal_restores_quantity_and_value_exactly(product, warehouse):
    post_stock(product, warehouse, 3, unit_cost="1")
    posting = post_stock(product, warehouse, 3, unit_cost="2.333")

    reversal = stock_posting_reverse(posting=posting, actor=UserFactory())

    (movement,) = reversal.movement_list
    assert movement.reverses_id == posting.movement_list[0].pk
    assert movement.movement_type == MovementType.REVERSAL
    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.value) == (3, Decimal("3.00"))


def test_a_posting_is_reversed_only_once(product, warehouse):
    posting = post_stock(product, warehouse, 3)
    stock_posting_reverse(posting=posting, actor=UserFactory())
    posting.refresh_from_db()

    with pytest.raises(ValidationError, match="already reversed"):
        stock_posting_reverse(posting=posting, actor=UserFactory())
    assert balance_of(product, warehouse).on_hand == 0


def test_bad_lines_are_refused_before_anything_is_written(product, warehouse):
    with pytest.raises(ValidationError) as caught:
        stock_post(
            document_type="t",
            document_number="D",
            lines=[
                StockLine(product.pk, warehouse.pk, Decimal(0), MovementType.OPENING),
                StockLine(product.pk, warehouse.pk, Decimal(-1), MovementType.PURCHASE_RECEIPT),
                StockLine(product.pk, warehouse.pk, Decimal(1), MovementType.SALES_SHIPMENT),
            ],
            actor=UserFactory(),
        )

    assert caught.value.messages == [
        "Row 1: the quantity cannot be zero.",
        "Row 2: a receipt line needs a positive quantity.",
        "Row 3: an issue line needs a negative quantity.",
    ]
    assert not StockPosting.objects.exists()


def test_posted_movements_cannot_be_changed_or_deleted(product, warehouse):
    (movement,) = post_stock(product, warehouse, 3).movement_list

    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=5)
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.all().delete()


@pytest.mark.postgres
def test_postgres_refuses_raw_updates_of_movements(product, warehouse):
    post_stock(product, warehouse, 3)

    with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stockmovement SET quantity = 5")


@pytest.mark.parametrize("line_count", [10, 100])
def test_posting_costs_the_same_number_of_queries_for_10_and_100_lines(
    line_count, warehouse, django_assert_max_num_queries
):
    products = ProductFactory.create_batch(line_count)
    user = UserFactory()
    lines = [
        StockLine(p.pk, warehouse.pk, Decimal(5), MovementType.OPENING, unit_cost=Decimal(2), line_no=i)
        for i, p in enumerate(products, start=1)
    ]
    SystemSettings.load()

    # lock (with the idempotency and settings look-ups), savepoint, create missing balances, lock
    # again, then the writes (one statement on PostgreSQL, three on SQLite, whatever the lines).
    with django_assert_max_num_queries(10):
        stock_post(document_type="t", document_number="D", lines=lines, actor=user)

    assert StockBalance.objects.aggregate(total=Sum("on_hand"))["total"] == 5 * line_count


def test_a_replayed_idempotent_post_returns_the_original_movements(product, warehouse):
    line = StockLine(product.pk, warehouse.pk, Decimal(4), MovementType.OPENING, unit_cost=Decimal(1))
    user = UserFactory()
    first = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k2")

    again = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k2")

    assert [m.pk for m in again.movement_list] == [m.pk for m in first.movement_list]


def test_losing_the_idempotency_race_returns_the_winner_and_writes_nothing(product, warehouse, monkeypatch):
    # Given a post that passed the idempotency check just before another request with the same
    # key committed (simulated: the check answers "not posted yet"),
    line = StockLine(product.pk, warehouse.pk, Decimal(4), MovementType.OPENING, unit_cost=Decimal(1))
    user = UserFactory()
    winner = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k3")
    from apps.inventory.services import ledger

    real = ledger._lock_balances

    def lock_before_the_winner_committed(keys, idempotency_key=None):
        locked = real(keys, idempotency_key)
        locked.existing_posting_id = None  # the winner's posting was not visible yet
        return locked

    monkeypatch.setattr(ledger, "_lock_balances", lock_before_the_winner_committed)

    # when it inserts its posting and hits the unique key,
    loser = stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="k3")

    # then it answers the winner's posting and leaves no trace of its own.
    assert loser.pk == winner.pk
    assert [m.pk for m in loser.movement_list] == [m.pk for m in winner.movement_list]
    assert StockMovement.objects.count() == 1
    assert balance_of(product, warehouse).on_hand == 4


def test_a_document_larger_than_the_parameter_limit_posts_in_full(warehouse):
    # 600 lines × 12 columns is far beyond SQLite's 999 parameters: the rows go as one JSON parameter.
    category, unit = CategoryFactory(), UnitFactory()
    products = Product.objects.bulk_create(ProductFactory.build_batch(600, category=category, base_unit=unit))
    lines = [
        StockLine(p.pk, warehouse.pk, Decimal(2), MovementType.OPENING, unit_cost=Decimal(3), line_no=i)
        for i, p in enumerate(products, start=1)
    ]

    posting = stock_post(document_type="t", document_number="BIG", lines=lines, actor=UserFactory())

    assert [m.line_no for m in posting.movement_list] == list(range(1, 601))
    assert [m.product_id for m in posting.movement_list] == [p.pk for p in products]
    assert StockMovement.objects.filter(posting=posting).count() == 600
    assert StockBalance.objects.aggregate(total=Sum("on_hand"), value=Sum("value")) == {
        "total": 1200,
        "value": Decimal(3600),
    }


def test_a_single_line_posting_inside_a_transaction_costs_two_statements_on_postgresql(
    product, warehouse, django_assert_num_queries
):
    post_stock(product, warehouse, 5)  # the balance exists
    user = UserFactory()
    line = StockLine(product.pk, warehouse.pk, Decimal(-1), MovementType.OTHER_ISSUE)

    # No savepoint inside the caller's (here the test's) transaction. Lock + idempotency +
    # settings; then posting, movement and balance in one statement on PostgreSQL, three on SQLite.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4):
        stock_post(document_type="t", document_number="D", lines=[line], actor=user, idempotency_key="one")


def test_movement_values_round_half_up_like_document_amounts(product, warehouse):
    # A receipt of 1 × 8.005: the document's net amount is 8.01, and so is the stock value.
    posting = post_stock(product, warehouse, 1, unit_cost="8.005")

    (movement,) = posting.movement_list
    assert movement.value == money(Decimal("8.005")) == Decimal("8.01")
    assert balance_of(product, warehouse).value == Decimal("8.01")


def test_an_issue_at_the_average_cost_rounds_half_up_too(product, warehouse):
    post_stock(product, warehouse, 4, unit_cost="2.675")  # value 10.70, average 2.675

    posting = post_stock(product, warehouse, -3)  # 3 × 2.675 = 8.025

    assert posting.movement_list[0].value == Decimal("-8.03")
    assert balance_of(product, warehouse).value == Decimal("2.67")
