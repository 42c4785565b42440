"""Every list and report costs the same number of queries for N and N+3 rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.services import customer_receipt_create, customer_tags_set
from apps.sales.tests.factories import make_order, make_return, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def add_history(make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory(min_sale_price=0)
    post_stock(product, warehouse, 1000)
    actor = make_user("manager")

    def _add(n):
        for _ in range(n):
            customer = CustomerFactory(salesperson=make_user("sales"))
            customer_tags_set(customer=customer, names=["VIP", f"T{customer.pk}"], actor=actor)
            order = make_order(customer=customer, warehouse=warehouse, lines=[(product, 2)], confirm=True)
            shipment = make_shipment(order, [2], ship_date=timezone.localdate())
            make_return(shipment, [1], return_date=timezone.localdate())
            customer_receipt_create(customer=customer, receipt_date=timezone.localdate(), amount=D(5), actor=actor)

    return _add


@pytest.mark.parametrize(
    "url_name",
    [
        "sales:order_list",
        "sales:shipment_list",
        "sales:return_list",
        "sales:receipt_list",
        "sales:customer_list",
        "sales:receivable_report",
    ],
)
def test_list_queries_do_not_grow_with_rows(url_name, add_history, client_for, django_assert_num_queries):
    client = client_for("manager")
    url = reverse(url_name)
    add_history(2)
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200
    add_history(3)

    with django_assert_num_queries(len(first)):
        response = client.get(url)

    rows = response.context["object_list"]
    assert len(rows) >= 5
