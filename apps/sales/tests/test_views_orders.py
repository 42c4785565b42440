from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.templatetags.jxc import audit_changes
from apps.inventory.models import StockBalance
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductBarcodeFactory, ProductFactory, WarehouseFactory
from apps.sales.models import SalesOrder, SalesOrderStatus
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def order_post_data(customer, warehouse, rows, **extra):
    data = {
        "customer": customer.pk,
        "warehouse": warehouse.pk,
        "order_date": "2026-11-26",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def test_an_order_is_entered_without_javascript_by_item_code_and_barcode(client_for):
    client = client_for("sales")
    customer, warehouse = CustomerFactory(), WarehouseFactory()
    a = ProductFactory(code="A001", sale_price=D("15"))
    b = ProductBarcodeFactory(barcode="6900000000017").product

    response = client.post(
        reverse("sales:order_create"),
        order_post_data(
            customer,
            warehouse,
            [{"product_search": "a001", "quantity": "2"}, {"product_search": "6900000000017", "quantity": "1"}],
        ),
    )

    order = SalesOrder.objects.get()
    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    assert [(line.product, line.quantity, line.unit_price) for line in order.lines.order_by("line_no")] == [
        (a, D(2), D(15)),
        (b, D(1), D(15)),
    ]


def test_save_and_submit_sends_the_order_for_approval(client_for):
    client = client_for("sales")
    product = ProductFactory()

    client.post(
        reverse("sales:order_create"),
        order_post_data(CustomerFactory(), WarehouseFactory(), [{"product": product.pk, "quantity": "1"}], submit="1"),
    )

    assert SalesOrder.objects.get().status == SalesOrderStatus.PENDING


def test_a_price_below_the_minimum_is_shown_on_the_form_and_nothing_is_saved(client_for):
    client = client_for("sales")
    product = ProductFactory(code="A001", min_sale_price=D("12"))

    response = client.post(
        reverse("sales:order_create"),
        order_post_data(
            CustomerFactory(),
            WarehouseFactory(),
            [
                {"product": ProductFactory().pk, "quantity": "1"},
                {"product": product.pk, "quantity": "1", "unit_price": "9"},
            ],
        ),
    )

    assert response.status_code == 400
    assert "Row 2: product A001 price 9.00 is below the minimum selling price 12.00" in response.content.decode()
    assert not SalesOrder.objects.exists()


def test_an_unknown_product_is_refused(client_for):
    response = client_for("sales").post(
        reverse("sales:order_create"),
        order_post_data(CustomerFactory(), WarehouseFactory(), [{"product_search": "NOPE", "quantity": "1"}]),
    )

    assert response.status_code == 400
    assert "Row 1: no product has the code or barcode “NOPE”." in response.content.decode()
    assert not SalesOrder.objects.exists()


def test_only_a_draft_is_edited(client_for):
    client = client_for("sales")
    order = make_order(submit=True)

    response = client.get(reverse("sales:order_update", args=[order.pk]))

    assert response.status_code == 302
    assert response.url == order.get_absolute_url()


def test_short_stock_at_approval_explains_and_offers_backorders(client_for):
    client = client_for("sales")
    warehouse = WarehouseFactory(name="Main")
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 3)
    order = make_order(warehouse=warehouse, lines=[(product, 5)], submit=True)

    response = client.post(reverse("sales:order_confirm", args=[order.pk]), follow=True)

    text = response.content.decode()
    assert "Row 1: product A001 is short in Main: available 3, requested 5" in text
    assert "Approve with backorders to reserve what is available and backorder the rest." in text
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.PENDING

    client.post(reverse("sales:order_confirm", args=[order.pk]), {"backorder": "1"})

    order.refresh_from_db()
    line = order.lines.get()
    assert (order.status, line.reserved_quantity, line.backordered_quantity) == (SalesOrderStatus.CONFIRMED, 3, 2)


def test_a_clerk_may_not_give_the_credit_approval_a_manager_may(client_for, make_user):
    order = make_order(customer=CustomerFactory(credit_limit=D(1)), submit=True)

    assert client_for("sales").post(reverse("sales:order_approve", args=[order.pk])).status_code == 403
    client_for("manager").post(reverse("sales:order_approve", args=[order.pk]))

    order.refresh_from_db()
    assert order.credit_approved_by is not None


def test_commands_are_post_only(client_for):
    order = make_order()

    assert client_for("manager").get(reverse("sales:order_submit", args=[order.pk])).status_code == 405


def test_close_from_the_page_releases_the_reservation(client_for):
    warehouse, product = WarehouseFactory(), ProductFactory()
    post_stock(product, warehouse, 5)
    order = make_order(warehouse=warehouse, lines=[(product, 5)], confirm=True)

    client_for("sales").post(reverse("sales:order_close", args=[order.pk]))

    assert StockBalance.objects.get(product=product).reserved == 0


def test_a_scoped_clerk_sees_only_the_orders_of_their_customers(client_for, make_user):
    client = client_for("sales", sees_all_customers=False)
    mine = make_order(customer=CustomerFactory(salesperson=client.user))
    theirs = make_order(customer=CustomerFactory(salesperson=make_user("sales")))

    listed = list(client.get(reverse("sales:order_list")).context["orders"])

    assert listed == [mine]
    assert client.get(reverse("sales:order_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("sales:customer_overview", args=[theirs.customer_id])).status_code == 404
    customers = client.get(reverse("sales:order_create")).context["form"].fields["customer"].queryset
    assert list(customers) == [mine.customer]


def test_a_manager_sees_every_order(client_for, make_user):
    client = client_for("manager")
    make_order(customer=CustomerFactory(salesperson=make_user("sales")))
    make_order(customer=CustomerFactory(salesperson=make_user("sales")))

    assert len(client.get(reverse("sales:order_list")).context["orders"]) == 2


def test_the_history_labels_line_counts_and_backorders_instead_of_showing_raw_keys(client_for):
    # given an order approved with a backorder: 5 in stock, 8 ordered
    warehouse, product = WarehouseFactory(), ProductFactory(code="A001", min_sale_price=0)
    post_stock(product, warehouse, 5)
    order = make_order(warehouse=warehouse, lines=[(product, 8)], confirm=True, allow_backorder=True)

    # when the order page is shown
    response = client_for("manager").get(reverse("sales:order_detail", args=[order.pk]))

    # then the trail reads as labels and "row: quantity", not "lines" or "{'1': '3'}"
    rows = [row for entry in response.context["audit_trail"] for row in audit_changes(entry)]
    assert ("Backordered (base unit, by row)", "—", "1: 3") in rows
    assert ("Lines", "—", "1") in rows
    assert "{&#x27;1&#x27;" not in response.content.decode()
