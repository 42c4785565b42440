"""Order command messages come out in the language of the request, not the one active at import."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal

CJK = re.compile(r"[\u4e00-\u9fff]")


def orders_for_each_command(manager):
    """An order in the state each command needs."""
    warehouse, product = WarehouseFactory(), ProductFactory()
    post_stock(product, warehouse, 2)
    backordered = make_order(
        warehouse=warehouse, lines=[(product, 3)], actor=manager, confirm=True, allow_backorder=True
    )
    post_stock(product, warehouse, 1)
    return {
        "order_submit": make_order(actor=manager),
        "order_withdraw": make_order(actor=manager, submit=True),
        "order_approve": make_order(customer=CustomerFactory(credit_limit=D(1)), actor=manager, submit=True),
        "order_reserve": backordered,
        "order_close": make_order(warehouse=warehouse, lines=[(product, 0.5)], actor=manager, confirm=True),
        "order_cancel": make_order(actor=manager),
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_order_command_answers_in_the_language_of_the_request(client_for, settings, language):
    client = client_for("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    orders = orders_for_each_command(client.user)

    for command, order in orders.items():
        response = client.post(reverse(f"sales:{command}", args=[order.pk]), follow=True)

        (shown,) = [str(message) for message in response.context["messages"]]
        assert order.number in shown, command
        assert bool(CJK.search(shown)) is (language == "zh-hans"), (command, shown)
