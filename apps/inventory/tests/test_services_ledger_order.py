"""The ledger's order and time come from the database, and a duplicate key waiting for the locks gets the posting."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.inventory.models import MovementType, StockBalance, StockMovement, StockPosting
from apps.inventory.selectors import ledger_verify, stock_as_of
from apps.inventory.services import StockLine, stock_post
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory


@pytest.mark.django_db
def test_app_server_clocks_two_seconds_apart_do_not_reorder_the_ledger(monkeypatch):
    # Given two app servers whose clocks are 2 s apart, posting one after the other,
    product, warehouse = ProductFactory(), WarehouseFactory()
    real_now = timezone.now

    def on_server(skew_seconds: int, quantity: int):
        monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(seconds=skew_seconds))
        try:
            return post_stock(product, warehouse, quantity, unit_cost="2")
        finally:
            monkeypatch.undo()

    on_server(+2, 10)  # server A runs ahead
    on_server(-2, -4)  # server B behind: posted after A's receipt
    on_server(+2, 1)

    # then the ledger keeps the order the balance locks gave, its times never run backwards,
    rows = list(StockMovement.objects.order_by("id").values_list("quantity_after", "posted_at"))
    assert [quantity for quantity, _at in rows] == [10, 6, 7]
    assert [at for _quantity, at in rows] == sorted(at for _quantity, at in rows)
    # the running balances verify, and stock as of today is the balance.
    assert ledger_verify().ok
    row = stock_as_of(user=UserFactory(is_superuser=True), day=timezone.localdate()).get()
    assert (row.qty_as_of, row.value_as_of) == (Decimal(7), Decimal("14.00"))


@pytest.mark.django_db
def test_posted_at_is_the_database_time_unless_a_trusted_caller_gives_one():
    product, warehouse = ProductFactory(), WarehouseFactory()
    before = datetime.datetime.now(tz=datetime.UTC)

    posting = post_stock(product, warehouse, 3)

    assert before <= posting.posted_at <= datetime.datetime.now(tz=datetime.UTC)
    assert StockPosting.objects.get(pk=posting.pk).posted_at == posting.posted_at
    assert posting.movement_list[0].posted_at == posting.posted_at


@pytest.mark.django_db
def test_a_trusted_posted_at_may_record_the_past_in_order_but_not_before_the_last_movement():
    product, warehouse = ProductFactory(code="P1"), WarehouseFactory(name="Main")
    january = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    post_stock(product, warehouse, 10, posted_at=january)
    posting = post_stock(product, warehouse, -2, posted_at=january + datetime.timedelta(days=30))
    assert posting.posted_at == january + datetime.timedelta(days=30)

    with pytest.raises(ValidationError) as caught:
        post_stock(product, warehouse, 5, posted_at=january + datetime.timedelta(days=1))

    assert caught.value.code == "posted_at_out_of_order"
    assert "product P1 already has later movements in Main" in caught.value.messages[0]
    assert StockMovement.objects.count() == 2
    with pytest.raises(ValidationError, match="time zone"):
        post_stock(product, warehouse, 5, posted_at=datetime.datetime(2026, 3, 1, 9))  # noqa: DTZ001  (the point)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_key_that_waited_for_the_locks_gets_the_first_posting_not_a_shortage():
    # Given 10 units, and two requests posting the same issue of 6 under one idempotency key,
    product, warehouse = ProductFactory(), WarehouseFactory()
    post_stock(product, warehouse, 10)
    user = UserFactory()
    line = StockLine(product.pk, warehouse.pk, Decimal(-6), MovementType.OTHER_ISSUE)
    first_posted, second_waiting = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = stock_post(
                    document_type="test", document_number="D", lines=[line], actor=user, idempotency_key="dup"
                ).pk
                first_posted.set()
                second_waiting.wait(20)  # commit only once the second request waits for the lock
        finally:
            connection.close()

    def second() -> None:
        first_posted.wait(20)
        try:
            results["second"] = stock_post(
                document_type="test", document_number="D", lines=[line], actor=user, idempotency_key="dup"
            ).pk
        except Exception as error:  # reported by the assertion below
            results["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # when the second one's lock statement is blocked behind the first, the first commits,
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not second_waiting.is_set():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                ["%FOR UPDATE%"],
            )
            if cursor.fetchone():
                second_waiting.set()
        time.sleep(0.01)
    second_waiting.set()
    for thread in threads:
        thread.join()
    connections.close_all()

    # then the second request answers the first one's posting, and the issue was applied once.
    assert results["second"] == results["first"]
    assert StockBalance.objects.get(product=product, warehouse=warehouse).on_hand == 4
    assert StockPosting.objects.filter(idempotency_key="dup").count() == 1
