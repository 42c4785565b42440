"""Receipts say where to put each product away: its default location in the line's warehouse."""

import pytest
from django.urls import reverse

from apps.inventory.models import StockLevel, StorageLocation
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed():
    warehouse = WarehouseFactory()
    far = StorageLocation.objects.create(warehouse=warehouse, code="Z-09", sort_order=9)
    near = StorageLocation.objects.create(warehouse=warehouse, code="A-01", sort_order=1)
    first, second, loose = ProductFactory(code="P1"), ProductFactory(code="P2"), ProductFactory(code="P3")
    StockLevel.objects.create(product=first, warehouse=warehouse, location=far)
    StockLevel.objects.create(product=second, warehouse=warehouse, location=near)
    return approved_order(warehouse=warehouse, lines=[(first, 5, "1"), (second, 5, "1"), (loose, 5, "1")])


def test_receipt_form_shows_the_put_away_location_of_each_order_line(client_for, placed):
    response = client_for("warehouse").get(reverse("procurement:goodsreceipt_create_from_order", args=[placed.pk]))

    assert response.status_code == 200
    assert [form.put_away_to for form in response.context["formset"].forms] == ["Z-09", "A-01", ""]
    assert "data-put-away>Z-09</td>" in response.content.decode()


def test_receipt_detail_and_put_away_list_in_location_order(client_for, placed):
    receipt = receive(placed)
    client = client_for("warehouse")

    detail = client.get(reverse("procurement:goodsreceipt_detail", args=[receipt.pk]))
    printed = client.get(reverse("procurement:goodsreceipt_print", args=[receipt.pk]))

    assert [line.location_code for line in detail.context["receipt"].lines.all()] == ["Z-09", "A-01", ""]
    assert printed.status_code == 200
    assert [(line.product.code, line.location_code) for line in printed.context["lines"]] == [
        ("P2", "A-01"),
        ("P1", "Z-09"),
        ("P3", ""),
    ]
    page = printed.content.decode()
    assert page.index("A-01") < page.index("Z-09")
