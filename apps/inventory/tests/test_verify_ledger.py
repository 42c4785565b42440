from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.accounts.tests.factories import UserFactory
from apps.core.models import AuditLog, SystemSettings
from apps.inventory.models import MovementType, StockBalance
from apps.inventory.selectors import ledger_verify
from apps.inventory.services import ReservationLine, StockLine, stock_post, stock_reserve
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(code="A001")


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Main")


def run_verify(*args) -> tuple[str, CommandError | None]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def corrupt_balance(product, warehouse, *, on_hand, value) -> None:
    """The one place outside the posting service that writes a balance: to prove verify_ledger sees it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockBalance._meta.db_table} SET on_hand = %s, value = %s "  # noqa: S608
            "WHERE product_id = %s AND warehouse_id = %s",
            [on_hand, value, product.pk, warehouse.pk],
        )


def test_a_healthy_ledger_passes(product, warehouse):
    post_stock(product, warehouse, 10, unit_cost="3")
    post_stock(product, warehouse, -4)

    output, error = run_verify()

    assert error is None
    assert "Stock ledger OK." in output
    assert "[FAIL]" not in output


def test_a_drifted_balance_fails_with_a_readable_report_and_repair_fixes_it(product, warehouse):
    post_stock(product, warehouse, 10, unit_cost="3")
    stock_reserve(lines=[ReservationLine(product.pk, warehouse.pk, Decimal(2))])
    corrupt_balance(product, warehouse, on_hand=7, value="99.50")

    output, error = run_verify()

    assert error is not None
    assert error.returncode == 1
    assert "balance_sums" in str(error)
    assert (
        f"product {product.pk} / warehouse {warehouse.pk}: on hand 7 but movements sum to 10; "
        "value 99.5 but movements sum to 30" in output
    )

    output, error = run_verify("--repair")

    assert error is None, output
    assert "Repaired 1 balance(s)" in output
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.value, balance.avg_cost, balance.reserved) == (10, Decimal(30), Decimal(3), 2)
    assert AuditLog.objects.filter(object_id=str(balance.pk), action="changed").count() == 1
    assert ledger_verify().ok


def test_a_posting_no_document_references_is_an_orphan(product, warehouse):
    posting = stock_post(
        document_type="procurement.goodsreceipt",
        document_number="CGRK20261126-0001",
        lines=[StockLine(product.pk, warehouse.pk, Decimal(1), MovementType.PURCHASE_RECEIPT, unit_cost=Decimal(1))],
        actor=UserFactory(),
    )

    output, error = run_verify()

    assert error is not None
    assert f"posting {posting.pk} (procurement.goodsreceipt CGRK20261126-0001) is referenced by no document" in output


def test_negative_stock_fails_unless_the_setting_allows_it(product, warehouse):
    SystemSettings.objects.update_or_create(pk=1, defaults={"allow_negative_stock": True})
    post_stock(product, warehouse, -3)
    assert ledger_verify().ok

    SystemSettings.objects.filter(pk=1).update(allow_negative_stock=False)

    report = ledger_verify()
    failed = {check.name: check.samples for check in report.checks if not check.ok}
    assert failed == {"no_negative_stock": [f"product {product.pk} / warehouse {warehouse.pk}: on hand -3"]}


def test_a_wrong_running_balance_is_reported(product, warehouse):
    post_stock(product, warehouse, 5)
    (movement,) = post_stock(product, warehouse, 5).movement_list
    # Corrupt a running balance. PostgreSQL's append-only trigger refuses the UPDATE unless
    # triggers are off for this (rolled back) test transaction.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE inventory_stockmovement SET quantity_after = 7 WHERE id = %s", [movement.pk])

    report = ledger_verify()

    (check,) = [check for check in report.checks if not check.ok]
    assert check.name == "running_balance"
    assert check.samples == [
        f"product {product.pk} / warehouse {warehouse.pk}, movement {movement.pk}: shows 7 / 100 after it, "
        "but the movements up to it sum to 10 / 100"
    ]


@pytest.mark.parametrize("count", [2, 5])
def test_verification_costs_the_same_queries_however_many_balances(count, warehouse, django_assert_num_queries):
    for product in ProductFactory.create_batch(count):
        post_stock(product, warehouse, 3)
    SystemSettings.load()

    # settings, the window over the ledger (running balances and sums), negative stock, reserved,
    # orphan postings, empty postings
    with django_assert_num_queries(6):
        assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_product_ranges_are_checked_at_once_and_all_seen(warehouse):
    # Given products spread over both halves of the product ids, one of them with a drifted balance,
    products = ProductFactory.create_batch(6)
    for product in products:
        post_stock(product, warehouse, 4, unit_cost="2")
        post_stock(product, warehouse, -1)
    assert not connection.in_atomic_block
    assert ledger_verify().ok
    low, high = products[0], products[-1]
    corrupt_balance(low, warehouse, on_hand=9, value="1.00")
    corrupt_balance(high, warehouse, on_hand=8, value="2.00")

    # when the ledger is verified (each half of the products on its own connection),
    report = ledger_verify()

    # then both drifted balances are reported, in product order.
    (check,) = [check for check in report.checks if not check.ok]
    assert check.name == "balance_sums"
    assert check.samples == [
        f"product {low.pk} / warehouse {warehouse.pk}: on hand 9 but movements sum to 3; "
        "value 1 but movements sum to 6",
        f"product {high.pk} / warehouse {warehouse.pk}: on hand 8 but movements sum to 3; "
        "value 2 but movements sum to 6",
    ]
