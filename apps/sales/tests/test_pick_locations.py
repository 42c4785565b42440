"""Deliveries say where to pick each product: its default location in the delivery's warehouse."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.models import StockLevel, StorageLocation
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.sales.tests.factories import make_order, make_shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment():
    warehouse = WarehouseFactory()
    far = StorageLocation.objects.create(warehouse=warehouse, code="C-30", sort_order=30)
    near = StorageLocation.objects.create(warehouse=warehouse, code="A-02", sort_order=2)
    products = [ProductFactory(code=code) for code in ("P1", "P2", "P3")]
    StockLevel.objects.create(product=products[0], warehouse=warehouse, location=far)
    StockLevel.objects.create(product=products[2], warehouse=warehouse, location=near)
    for product in products:
        post_stock(product, warehouse, Decimal(10))
    order = make_order(warehouse=warehouse, lines=[(product, 2) for product in products], confirm=True)
    return make_shipment(order, post=False)


def test_pick_list_walks_the_locations_in_order_unplaced_last(client_for, shipment):
    response = client_for("warehouse").get(reverse("sales:shipment_pick_list", args=[shipment.pk]))

    assert response.status_code == 200
    assert [(line.product.code, line.location_code) for line in response.context["lines"]] == [
        ("P3", "A-02"),
        ("P1", "C-30"),
        ("P2", ""),
    ]
    page = response.content.decode()
    assert page.index("A-02") < page.index("C-30")


def test_delivery_detail_note_and_pick_screen_show_the_location(client_for, shipment):
    client = client_for("warehouse")

    detail = client.get(reverse("sales:shipment_detail", args=[shipment.pk]))
    note = client.get(reverse("sales:shipment_print", args=[shipment.pk]))
    edit = client.get(reverse("sales:shipment_update", args=[shipment.pk]))

    assert [line.location_code for line in detail.context["lines"]] == ["C-30", "", "A-02"]
    assert "C-30" in note.content.decode()
    assert [line.location_code for line, _form in edit.context["rows"]] == ["C-30", "", "A-02"]
