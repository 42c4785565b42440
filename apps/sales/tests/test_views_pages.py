"""Every sales page renders for a role that may open it and refuses (403) roles that may not."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.services import customer_receipt_create
from apps.sales.tests.factories import CustomerFollowUpFactory, make_order, make_return, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def documents(make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 50)
    customer = CustomerFactory(credit_limit=D("100000"))
    CustomerFollowUpFactory(customer=customer, next_action="Send samples")
    # Dated today: the customer page sums up the current month.
    today = timezone.localdate()
    order = make_order(customer=customer, warehouse=warehouse, lines=[(product, 5)], confirm=True, order_date=today)
    draft = make_order(customer=customer, warehouse=warehouse, lines=[(product, 1)], order_date=today)
    shipment = make_shipment(order, [3], ship_date=today)
    sales_return = make_return(shipment, [1], return_date=today)
    receipt = customer_receipt_create(customer=customer, receipt_date=today, amount=D("10"), actor=make_user("sales"))
    return {
        "customer": customer,
        "order": order,
        "draft": draft,
        "shipment": shipment,
        "return": sales_return,
        "receipt": receipt,
        "warehouse": warehouse,
    }


def pages(docs):
    c, o, s, r, k = docs["customer"].pk, docs["order"].pk, docs["shipment"].pk, docs["return"].pk, docs["receipt"].pk
    return [
        ("sales:customer_list", [], "sales.view_customer_sales"),
        ("sales:customer_overview", [c], "sales.view_customer_sales"),
        ("sales:customer_statement", [c], "sales.view_receivable"),
        ("sales:order_list", [], "sales.view_salesorder"),
        ("sales:order_export", [], "sales.view_salesorder"),
        ("sales:order_create", [], "sales.add_salesorder"),
        ("sales:order_detail", [o], "sales.view_salesorder"),
        ("sales:order_update", [docs["draft"].pk], "sales.change_salesorder"),
        ("sales:order_print", [o], "sales.view_salesorder"),
        ("sales:shipment_list", [], "sales.view_shipment"),
        ("sales:shipment_create", [], "sales.add_shipment"),
        ("sales:shipment_detail", [s], "sales.view_shipment"),
        ("sales:shipment_print", [s], "sales.view_shipment"),
        ("sales:shipment_pick_list", [s], "sales.view_shipment"),
        ("sales:return_list", [], "sales.view_salesreturn"),
        ("sales:return_create", [s], "sales.add_salesreturn"),
        ("sales:return_detail", [r], "sales.view_salesreturn"),
        ("sales:receipt_list", [], "sales.view_customerreceipt"),
        ("sales:receipt_create", [], "sales.add_customerreceipt"),
        ("sales:receipt_detail", [k], "sales.view_customerreceipt"),
        ("sales:receivable_report", [], "sales.view_receivable"),
    ]


@pytest.mark.parametrize("role", ["sales", "manager", "warehouse", "buyer", "admin"])
def test_each_page_renders_for_roles_with_its_permission_and_is_403_for_the_others(role, documents, client_for):
    client = client_for(role)
    user = client.user

    for name, args, permission in pages(documents):
        response = client.get(reverse(name, args=args))
        expected = 200 if user.has_perm(permission) else 403
        assert response.status_code == expected, (name, role, response.status_code)


def test_the_roles_hold_what_the_sales_flow_needs(make_user):
    clerk, manager, warehouse = make_user("sales"), make_user("manager"), make_user("warehouse")

    assert clerk.has_perm("sales.change_salesorder")
    assert not clerk.has_perm("sales.approve_salesorder")
    assert manager.has_perm("sales.approve_salesorder")
    assert warehouse.has_perm("sales.post_shipment")
    assert not warehouse.has_perm("sales.change_salesorder")
    assert not warehouse.has_perm("sales.view_customer_sales")


def test_shipment_create_with_customer_lists_open_lines(documents, client_for):
    client = client_for("warehouse")
    url = reverse("sales:shipment_create")

    response = client.get(url, {"customer": documents["customer"].pk, "warehouse": documents["warehouse"].pk})

    assert response.status_code == 200
    assert [line.open_quantity for line, _form in response.context["rows"]] == [2]


def test_receipt_create_for_a_customer_lists_outstanding_deliveries(documents, client_for):
    response = client_for("sales").get(reverse("sales:receipt_create"), {"customer": documents["customer"].pk})

    assert response.status_code == 200
    assert [r.shipment for r, _form in response.context["rows"]] == [documents["shipment"]]


def test_order_export_is_an_xlsx_of_the_filtered_orders(documents, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for("manager").get(reverse("sales:order_export"), {"status": "draft"})

    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[0][0] == "Document no."
    assert [row[0] for row in rows[1:]] == [documents["draft"].number]


def test_print_pages_carry_the_company_header(documents, client_for):
    from apps.core.models import SystemSettings

    SystemSettings.objects.update_or_create(pk=1, defaults={"company_name": "Acme Trading"})
    client = client_for("manager")

    for name, pk in [("sales:order_print", documents["order"].pk), ("sales:shipment_print", documents["shipment"].pk)]:
        response = client.get(reverse(name, args=[pk]))
        assert b"Acme Trading" in response.content


def test_pages_speak_chinese(documents, client_for, settings):
    client = client_for("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    detail = client.get(reverse("sales:order_detail", args=[documents["order"].pk])).content.decode()
    report = client.get(reverse("sales:receivable_report")).content.decode()

    assert "销售订单" in detail
    assert "部分出库" in detail
    assert "缺货待发" in detail
    assert "应收账款" in report
    assert "未核销收款" in report


def test_the_customer_page_sums_up_the_account(documents, client_for):
    response = client_for("manager").get(reverse("sales:customer_overview", args=[documents["customer"].pk]))

    account = response.context["account"]
    # delivered 3 × 15 + 13 % tax = 50.85, one returned (16.95), 10 received
    assert (account.new, account.returned, account.received, account.closing) == (
        D("50.85"),
        D("16.95"),
        D("10.00"),
        D("23.90"),
    )
