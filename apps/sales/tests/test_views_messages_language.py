"""Order command messages come out in the language of the request, not the one active at import."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal

EXPECTED = {
    "en": {
        "order_submit": "Sales order {} submitted.",
        "order_withdraw": "Sales order {} withdrawn to draft.",
        "order_approve": "Sales order {} approved over the credit limit.",
        "order_reserve": "Sales order {}: backorders reserved.",
        "order_close": "Sales order {} closed.",
        "order_cancel": "Sales order {} voided.",
    },
    "zh-hans": {
        "order_submit": "销售订单 {} 已提交。",
        "order_withdraw": "销售订单 {} 已撤回为草稿。",
        "order_approve": "销售订单 {} 已通过超额度审批。",
        "order_reserve": "销售订单 {}：缺货已预留。",
        "order_close": "销售订单 {} 已关闭。",
        "order_cancel": "销售订单 {} 已作废。",
    },
}


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

        shown = [str(message) for message in response.context["messages"]]
        assert shown == [EXPECTED[language][command].format(order.number)], command
