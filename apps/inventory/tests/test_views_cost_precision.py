"""Where cost is the subject (stock on hand, the ledger), unit and average costs keep their full precision."""

import pytest
from django.urls import reverse

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_stock_and_ledger_show_the_average_cost_to_six_decimals(client_for):
    product, warehouse = ProductFactory(code="A1"), WarehouseFactory()
    post_stock(product, warehouse, 3, unit_cost="1")
    post_stock(product, warehouse, 3, unit_cost="1.333333")  # average 1.1666665 → 1.166667
    client = client_for("manager")

    stock = client.get(reverse("inventory:stock_list")).content.decode()
    ledger = client.get(reverse("inventory:movement_list"), {"product": product.pk}).content.decode()

    assert "¥1.166667" in stock
    assert "¥1.333333" in ledger
