"""Two people post the same receipt at once: PostgreSQL row locks let exactly one through."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.accounts.roles import sync_role_permissions
from apps.inventory.models import StockBalance, StockMovement
from apps.procurement import services
from apps.procurement.models import Payable
from apps.procurement.tests.factories import approved_order, receive, warehouse_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_post_applies_once():
    sync_role_permissions()
    order = approved_order()
    receipt = receive(order, post=False)
    actors = [warehouse_user(), warehouse_user()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def post(actor):
        try:
            barrier.wait()
            services.goods_receipt_post(actor=actor, receipt=receipt)
            outcomes.append("posted")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted(["posted", f"{receipt.number} was already posted; it cannot be posted again."])
    assert StockMovement.objects.count() == 1
    assert Payable.objects.count() == 1
    assert StockBalance.objects.get().on_hand == order.lines.get().base_quantity
