"""The sales clerk's dashboard: this month's sales against the target a manager set."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.analytics.tests.factories import sell
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.targets import sales_targets_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def _sales_panel(client):
    return next(p for p in client.get(reverse("core:home")).context["home_panels"] if p["role"] == "sales")


def test_my_month_sales_against_my_target(client_for, make_user):
    client = client_for("sales")
    clerk, today = client.user, timezone.localdate()
    warehouse, product = WarehouseFactory(), ProductFactory(min_sale_price=0)
    post_stock(product, warehouse, 100, unit_cost="10")
    customer = CustomerFactory(salesperson=clerk)
    sell(customer=customer, warehouse=warehouse, product=product, quantity=10, price=20, day=today)
    sales_targets_set(actor=make_user("manager"), month=today, amounts={clerk: Decimal(800)})

    panel = _sales_panel(client)

    assert panel["data"]["target"] == {"amount": Decimal(800), "revenue": Decimal(200), "percent": Decimal("25.0")}
    content = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="my-target"' in content
    assert "¥200.00 of ¥800.00" in content


def test_without_a_target_the_figure_says_so(client_for):
    client = client_for("sales")
    post_stock(ProductFactory(), WarehouseFactory(), 1, unit_cost="1")  # not a new company: panels are shown

    panel = _sales_panel(client)

    assert panel["data"]["target"]["amount"] is None
    assert "No target set" in client.get(reverse("core:home")).content.decode()
