from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import CustomerFollowUp, CustomerReceipt, DocumentStatus, Receivable, SalesReturn, Shipment
from apps.sales.tests.factories import make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order():
    warehouse, product = (
        WarehouseFactory(name="Main"),
        ProductFactory(code="A001", sale_price=D(10), min_sale_price=0, tax_rate=0),
    )
    post_stock(product, warehouse, 10)
    return make_order(warehouse=warehouse, lines=[(product, 4)], confirm=True)


def shipment_data(order, quantity, **extra):
    line = order.lines.get()
    return {
        "customer": order.customer_id,
        "warehouse": order.warehouse_id,
        "ship_date": "2026-11-26",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-order_line": line.pk,
        "lines-0-quantity": quantity,
        **extra,
    }


def test_warehouse_staff_pick_and_post_a_delivery(order, client_for):
    client = client_for("warehouse")
    url = reverse("sales:shipment_create") + f"?customer={order.customer_id}&warehouse={order.warehouse_id}"

    response = client.post(url, shipment_data(order, "3", post="1"))

    shipment = Shipment.objects.get()
    assert response.url == shipment.get_absolute_url()
    assert shipment.status == DocumentStatus.POSTED
    assert Receivable.objects.get(shipment=shipment).amount == D("30.00")


def test_over_shipment_is_shown_on_the_form(order, client_for):
    client = client_for("warehouse")
    url = reverse("sales:shipment_create") + f"?customer={order.customer_id}&warehouse={order.warehouse_id}"

    response = client.post(url, shipment_data(order, "5"))

    assert response.status_code == 400
    assert (
        f"Row 1: product A001: shipping 5 is more than the 4 still open on {order.number}" in response.content.decode()
    )
    assert not Shipment.objects.exists()


def test_a_draft_delivery_is_posted_from_its_page(order, client_for):
    shipment = make_shipment(order, [2], post=False)

    client_for("warehouse").post(reverse("sales:shipment_post", args=[shipment.pk]))

    shipment.refresh_from_db()
    assert shipment.status == DocumentStatus.POSTED


def test_a_buyer_cannot_post_a_delivery(order, client_for):
    shipment = make_shipment(order, [2], post=False)

    assert client_for("buyer").post(reverse("sales:shipment_post", args=[shipment.pk])).status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == DocumentStatus.DRAFT


def test_a_return_is_entered_and_posted_from_the_delivery(order, client_for):
    shipment = make_shipment(order, [3])
    line = shipment.lines.get()

    response = client_for("sales").post(
        reverse("sales:return_create", args=[shipment.pk]),
        {
            "return_date": "2026-11-27",
            "reason": "wrong colour",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-shipment_line": line.pk,
            "lines-0-quantity": "1",
            "lines-0-disposition": "restock",
            "post": "1",
        },
    )

    sales_return = SalesReturn.objects.get()
    assert response.url == sales_return.get_absolute_url()
    assert (sales_return.status, sales_return.total_amount) == (DocumentStatus.POSTED, D("10.00"))


def test_a_receipt_is_allocated_as_entered(order, client_for):
    first = make_shipment(order, [1])
    second = make_shipment(order, [1])
    receivable = Receivable.objects.get(shipment=second)

    response = client_for("sales").post(
        reverse("sales:receipt_create"),
        {
            "customer": order.customer_id,
            "receipt_date": "2026-11-26",
            "amount": "10",
            "method": "bank",
            "allocation": "manual",
            "alloc-TOTAL_FORMS": "2",
            "alloc-INITIAL_FORMS": "2",
            "alloc-MIN_NUM_FORMS": "0",
            "alloc-MAX_NUM_FORMS": "1000",
            "alloc-0-receivable": Receivable.objects.get(shipment=first).pk,
            "alloc-0-amount": "",
            "alloc-1-receivable": receivable.pk,
            "alloc-1-amount": "10",
        },
    )

    receipt = CustomerReceipt.objects.get()
    assert response.url == receipt.get_absolute_url()
    receivable.refresh_from_db()
    assert receivable.outstanding == 0


def test_follow_ups_and_tags_are_kept_on_the_customer_page(client_for):
    client = client_for("sales")
    customer = CustomerFactory()

    client.post(
        reverse("sales:followup_create", args=[customer.pk]),
        {"date": "2026-11-26", "channel": "visit", "note": "Met the buyer", "next_action": "Quote"},
    )
    client.post(reverse("sales:customer_tags_update", args=[customer.pk]), {"tags": "VIP，华东, VIP"})

    assert CustomerFollowUp.objects.get(customer=customer).next_action == "Quote"
    page = client.get(reverse("sales:customer_overview", args=[customer.pk]))
    assert [tag.name for tag in page.context["tags"]] == ["VIP", "华东"]


def test_a_follow_up_without_a_note_is_refused(client_for):
    customer = CustomerFactory()

    response = client_for("sales").post(
        reverse("sales:followup_create", args=[customer.pk]), {"date": "2026-11-26", "channel": "visit", "note": ""}
    )

    assert response.status_code == 400
    assert not CustomerFollowUp.objects.exists()


def test_customer_list_filters_by_rfm_segment_and_tag(client_for):
    from apps.sales.services import customer_tags_set

    client = client_for("manager")
    tagged = CustomerFactory(code="K1")
    CustomerFactory(code="K2")
    customer_tags_set(customer=tagged, names=["VIP"], actor=client.user)
    tag = tagged.sales_tags.get()

    by_segment = client.get(reverse("sales:customer_list"), {"segment": "none"}).context["customers"]
    by_tag = client.get(reverse("sales:customer_list"), {"tag": tag.pk}).context["customers"]

    assert [c.code for c in by_segment] == ["K1", "K2"]
    assert [c.code for c in by_tag] == ["K1"]


def test_save_and_post_with_short_stock_keeps_the_draft_and_names_the_row(client_for):
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="A001", min_sale_price=0)
    post_stock(product, warehouse, 1)
    order = make_order(warehouse=warehouse, lines=[(product, 4)], confirm=True, allow_backorder=True)
    client = client_for("warehouse")
    url = reverse("sales:shipment_create") + f"?customer={order.customer_id}&warehouse={order.warehouse_id}"

    response = client.post(url, shipment_data(order, "3", post="1"), follow=True)

    shipment = Shipment.objects.get()
    assert shipment.status == DocumentStatus.DRAFT
    assert "Row 1: product A001 is short in Main: available 1, requested 3" in response.content.decode()
    assert not Receivable.objects.exists()


def test_amounts_typed_while_matching_oldest_first_are_refused_not_ignored(order, client_for):
    # given two deliveries; the clerk types an amount against the second but leaves "oldest first"
    first = make_shipment(order, [1])
    second = make_shipment(order, [1])

    response = client_for("sales").post(
        reverse("sales:receipt_create"),
        {
            "customer": order.customer_id,
            "receipt_date": "2026-11-26",
            "amount": "10",
            "method": "bank",
            "allocation": "auto",
            "alloc-TOTAL_FORMS": "2",
            "alloc-INITIAL_FORMS": "2",
            "alloc-MIN_NUM_FORMS": "0",
            "alloc-MAX_NUM_FORMS": "1000",
            "alloc-0-receivable": Receivable.objects.get(shipment=first).pk,
            "alloc-0-amount": "",
            "alloc-1-receivable": Receivable.objects.get(shipment=second).pk,
            "alloc-1-amount": "10",
        },
    )

    # then the form says so and nothing was received or matched
    assert response.status_code == 400
    assert response.context["form"].errors["allocation"] == [
        "Amounts are entered below, but matching is set to oldest deliveries first: "
        "choose “As entered below” or clear the amounts."
    ]
    assert not CustomerReceipt.objects.exists()
    assert [r.outstanding for r in Receivable.objects.order_by("pk")] == [D("10.00"), D("10.00")]
