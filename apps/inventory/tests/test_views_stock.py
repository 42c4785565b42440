import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.inventory.models import AdjustmentKind, StockLevel
from apps.inventory.services import stock_adjustment_create, stock_adjustment_post
from apps.inventory.tests.factories import adjustment_lines, post_stock
from apps.masterdata.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

STOCK = reverse("inventory:stock_list")
LEDGER = reverse("inventory:movement_list")
AS_OF = reverse("inventory:stock_as_of")
AVAILABLE = reverse("inventory:stock_available")


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="MAIN", name="Main")


def rows(response, name="balances"):
    return list(response.context[name])


def post_at(when, monkeypatch, *args, **kwargs):
    """Post at ``when`` (the trusted-caller override; the ledger otherwise takes the database's time)."""
    return post_stock(*args, posted_at=when, **kwargs)


# --- Stock on hand ------------------------------------------------------------------------------


def test_stock_on_hand_lists_balances_with_totals_and_hides_zero_stock(client_for, warehouse):
    a, b, c = ProductFactory(code="A1"), ProductFactory(code="B1"), ProductFactory(code="C1")
    post_stock(a, warehouse, 10, unit_cost="2")
    post_stock(b, warehouse, 4, unit_cost="5")
    post_stock(c, warehouse, 3)
    post_stock(c, warehouse, -3)
    client = client_for("warehouse")

    response = client.get(STOCK)

    assert response.status_code == 200
    assert [(x.product.code, x.on_hand, x.value) for x in rows(response)] == [
        ("A1", 10, Decimal("20.00")),
        ("B1", 4, Decimal("20.00")),
    ]
    assert response.context["totals"]["on_hand"] == 14
    assert response.context["totals"]["value"] == Decimal("40.00")
    assert [x.product.code for x in rows(client.get(STOCK, {"show_zero": "on"}))] == ["A1", "B1", "C1"]


def test_stock_on_hand_filters_by_category_including_subcategories(client_for, warehouse):
    parent = CategoryFactory(name="Drinks")
    child = CategoryFactory(name="Tea", parent=parent)
    other = CategoryFactory(name="Food")
    post_stock(ProductFactory(code="P1", category=parent), warehouse, 1)
    post_stock(ProductFactory(code="T1", category=child), warehouse, 1)
    post_stock(ProductFactory(code="F1", category=other), warehouse, 1)

    response = client_for("manager").get(STOCK, {"category": parent.pk})

    assert [x.product.code for x in rows(response)] == ["P1", "T1"]


def test_stock_on_hand_filters_below_safety_stock_and_by_warehouse(client_for, warehouse):
    other_warehouse = WarehouseFactory(code="SIDE", name="Side")
    low, ok = ProductFactory(code="LOW"), ProductFactory(code="OK")
    StockLevel.objects.create(product=low, warehouse=warehouse, safety_stock=Decimal(10))
    StockLevel.objects.create(product=low, warehouse=other_warehouse, safety_stock=Decimal(10))
    StockLevel.objects.create(product=ok, warehouse=warehouse, safety_stock=Decimal(2))
    post_stock(low, warehouse, 5)
    post_stock(ok, warehouse, 5)
    post_stock(low, other_warehouse, 50)
    client = client_for("manager")

    below = client.get(STOCK, {"below_safety": "on"})
    side = client.get(STOCK, {"warehouse": other_warehouse.pk})

    assert [(x.product.code, x.warehouse.code) for x in rows(below)] == [("LOW", "MAIN")]
    assert [(x.product.code, x.warehouse.code) for x in rows(side)] == [("LOW", "SIDE")]


def test_staff_with_assigned_warehouses_see_only_those(client_for, warehouse):
    other = WarehouseFactory(code="SIDE", name="Side")
    product = ProductFactory(code="A1")
    post_stock(product, warehouse, 5)
    post_stock(product, other, 7)
    client = client_for("warehouse")
    other.assigned_users.add(client.user)

    response = client.get(STOCK)

    assert [x.warehouse.code for x in rows(response)] == ["SIDE"]
    assert response.context["totals"]["on_hand"] == 7
    assert list(response.context["filter"].form.fields["warehouse"].queryset) == [other]


@pytest.mark.parametrize("extra", [0, 3])
def test_stock_on_hand_costs_the_same_queries_for_n_and_n_plus_3_rows(
    extra, client_for, warehouse, django_assert_num_queries
):
    for product in ProductFactory.create_batch(2 + extra):
        post_stock(product, warehouse, 5)
    client = client_for("manager")
    client.get(STOCK)  # warm the session and permission caches

    # session, user, 2 × permissions, scope, count, rows, totals, in transit, filter choices (warehouses, categories)
    with django_assert_num_queries(11):
        response = client.get(STOCK)
    assert len(rows(response)) == 2 + extra


def test_stock_on_hand_exports_every_filtered_row_to_excel(client_for, warehouse):
    post_stock(ProductFactory(code="A1", name="Apple"), warehouse, 10, unit_cost="2.5")
    post_stock(ProductFactory(code="B1"), warehouse, 1)

    response = client_for("manager").get(reverse("inventory:stock_export"), {"q": "A1"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("Item code", "Name", "Specification")
    assert values[1][0:2] == ("A1", "Apple")
    assert values[1][6] == 10
    assert len(values) == 2


def test_a_user_without_the_permission_is_refused(client_for):
    client = client_for(None)

    for url in (STOCK, LEDGER, AS_OF, AVAILABLE, reverse("inventory:stock_export")):
        assert client.get(url).status_code == 403


# --- Stock ledger ---------------------------------------------------------------------------------


def test_ledger_shows_running_balance_and_links_to_the_source_document(client_for, warehouse):
    product = ProductFactory(code="A1")
    client = client_for("warehouse")
    document = stock_adjustment_create(
        actor=client.user,
        kind=AdjustmentKind.OPENING,
        warehouse=warehouse,
        date=timezone.localdate(),
        lines=adjustment_lines((product, 10, "2")),
    )
    stock_adjustment_post(actor=client.user, document=document)
    post_stock(product, warehouse, -4)

    response = client.get(LEDGER, {"product": product.pk, "warehouse": warehouse.pk})

    movements = rows(response, "movements")
    assert [(m.quantity, m.quantity_after, m.value_after) for m in movements] == [
        (10, 10, Decimal("20.00")),
        (-4, 6, Decimal("12.00")),
    ]
    assert movements[0].source_document == document
    assert movements[1].source_document is None  # a test posting has no document
    assert document.get_absolute_url().encode() in response.content
    assert response.context["product"] == product


def test_ledger_filters_by_date_range_type_document_and_user(client_for, warehouse, monkeypatch, make_user):
    product = ProductFactory(code="A1")
    someone = make_user("warehouse")
    day = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    post_at(day, monkeypatch, product, warehouse, 10, document_number="D1")
    post_at(day + datetime.timedelta(days=1), monkeypatch, product, warehouse, -2, document_number="D2")
    post_at(day + datetime.timedelta(days=2), monkeypatch, product, warehouse, 3, document_number="D3", actor=someone)
    client = client_for("manager")

    def numbers(**params):
        return [m.posting.document_number for m in rows(client.get(LEDGER, params), "movements")]

    assert numbers(date_from="2026-03-11", date_to="2026-03-11") == ["D2"]
    assert numbers(date_from="2026-03-11") == ["D2", "D3"]
    assert numbers(movement_type="other_issue") == ["D2"]
    assert numbers(document="d3") == ["D3"]
    assert numbers(user=someone.pk) == ["D3"]


@pytest.mark.parametrize("extra", [0, 3])
def test_ledger_costs_the_same_queries_for_n_and_n_plus_3_rows(extra, client_for, warehouse, django_assert_num_queries):
    client = client_for("manager")
    for product in ProductFactory.create_batch(2 + extra):
        document = stock_adjustment_create(
            actor=client.user,
            kind=AdjustmentKind.OPENING,
            warehouse=warehouse,
            date=timezone.localdate(),
            lines=adjustment_lines((product, 5, "1")),
        )
        stock_adjustment_post(actor=client.user, document=document)
        post_stock(product, warehouse, -1)
    client.get(LEDGER)

    # session, user, 2 × permissions, scope, count, rows, source documents of the page,
    # filter choices (warehouses, users)
    with django_assert_num_queries(10):
        response = client.get(LEDGER)
    assert len(rows(response, "movements")) == 2 * (2 + extra)


# --- Stock as of a date ---------------------------------------------------------------------------


def test_as_of_report_gives_quantity_and_value_at_the_end_of_the_day(client_for, warehouse, monkeypatch):
    a, b = ProductFactory(code="A1"), ProductFactory(code="B1")
    day = datetime.datetime(2026, 3, 10, 3, tzinfo=datetime.UTC)  # 11:00 in Shanghai
    post_at(day, monkeypatch, a, warehouse, 10, unit_cost="2")
    post_at(day + datetime.timedelta(hours=2), monkeypatch, a, warehouse, -3)
    post_at(day + datetime.timedelta(days=1), monkeypatch, a, warehouse, 5, unit_cost="4")
    post_at(day + datetime.timedelta(days=1), monkeypatch, b, warehouse, 1, unit_cost="1")
    client = client_for("manager")

    response = client.get(AS_OF, {"day": "2026-03-10"})

    assert [(x.product.code, x.qty_as_of, x.value_as_of) for x in rows(response)] == [
        ("A1", 7, Decimal("14.00")),
        ("B1", 0, Decimal("0.00")),
    ]
    assert response.context["totals"] == {"quantity": 7, "value": Decimal("14.00")}
    hidden = client.get(AS_OF, {"day": "2026-03-10", "hide_zero": "on"})
    assert [(x.product.code, x.qty_as_of) for x in rows(hidden)] == [("A1", 7)]
    assert hidden.context["totals"] == {"quantity": 7, "value": Decimal("14.00")}
    today = client.get(AS_OF)
    assert [(x.product.code, x.qty_as_of) for x in rows(today)] == [("A1", 12), ("B1", 1)]
    assert today.context["totals"] == {"quantity": 13, "value": Decimal("35.00")}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-03-10", (10, Decimal("20.00"))),  # near the first movement: the movements before are summed
        ("2026-05-31", (7, Decimal("14.00"))),  # near the last: today's balance minus the movements after
    ],
)
def test_as_of_totals_agree_with_the_rows_from_either_side_of_the_ledger(
    day, expected, client_for, warehouse, monkeypatch
):
    product = ProductFactory(code="A1")
    start = datetime.datetime(2026, 3, 10, 3, tzinfo=datetime.UTC)
    post_at(start, monkeypatch, product, warehouse, 10, unit_cost="2")
    post_at(start + datetime.timedelta(days=1), monkeypatch, product, warehouse, -3)
    post_at(start + datetime.timedelta(days=83), monkeypatch, product, warehouse, 5, unit_cost="4")
    post_at(start, monkeypatch, ProductFactory(code="OTHER"), WarehouseFactory(), 99)

    response = client_for("manager").get(AS_OF, {"day": day, "warehouse": warehouse.pk})

    (row,) = rows(response)
    assert (row.qty_as_of, row.value_as_of) == expected
    assert response.context["totals"] == {"quantity": expected[0], "value": expected[1]}


@pytest.mark.parametrize("extra", [0, 3])
def test_as_of_report_costs_the_same_queries_for_n_and_n_plus_3_rows(
    extra, client_for, warehouse, django_assert_num_queries
):
    for product in ProductFactory.create_batch(2 + extra):
        post_stock(product, warehouse, 5)
    client = client_for("manager")
    client.get(AS_OF)

    # session, user, 2 × permissions, scope, count, rows, ledger span, current totals, later
    # movements, filter choices (warehouses, categories)
    with django_assert_num_queries(12):
        response = client.get(AS_OF)
    assert len(rows(response)) == 2 + extra


def test_as_of_report_exports_to_excel(client_for, warehouse):
    post_stock(ProductFactory(code="A1"), warehouse, 4, unit_cost="2")

    response = client_for("manager").get(reverse("inventory:stock_as_of_export"))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert [row[0] for row in sheet.values] == ["Item code", "A1"]


# --- Available stock (JSON for line grids) ------------------------------------------------------


def test_available_stock_answers_each_product_asked_for(client_for, warehouse):
    a, b = ProductFactory(), ProductFactory()
    post_stock(a, warehouse, 10)

    response = client_for("sales").get(AVAILABLE, {"warehouse": warehouse.pk, "product": [a.pk, b.pk]})

    assert response.status_code == 200
    assert response.json() == {
        str(a.pk): {"on_hand": "10", "reserved": "0", "available": "10"},
        str(b.pk): {"on_hand": "0", "reserved": "0", "available": "0"},
    }


def test_available_stock_refuses_bad_input_and_hides_other_warehouses(client_for, warehouse):
    other = WarehouseFactory()
    product = ProductFactory()
    post_stock(product, other, 3)
    client = client_for("warehouse")
    warehouse.assigned_users.add(client.user)

    assert client.get(AVAILABLE, {"product": product.pk}).status_code == 400
    assert client.get(AVAILABLE, {"warehouse": "x", "product": product.pk}).status_code == 400
    assert client.get(AVAILABLE, {"warehouse": other.pk, "product": product.pk}).json() == {}


def test_the_ledger_keeps_the_product_filter_hidden_without_an_empty_labelled_box(client_for, warehouse):
    # The stock list links to the ledger with ?product=<id>: the filter row showed a "Product"
    # label over nothing (the hidden input had a column of its own).
    product = ProductFactory(code="A001")
    post_stock(product, warehouse, 5)

    response = client_for("manager").get(LEDGER, {"product": product.pk, "warehouse": warehouse.pk})

    content = response.content.decode()
    assert f'<input type="hidden" name="product" value="{product.pk}" id="id_product">' in content
    assert 'for="id_product"' not in content
    assert [movement.product for movement in rows(response, "movements")] == [product]


def test_the_ledger_of_one_product_leaves_out_the_product_columns(client_for, warehouse):
    # The product is in the heading; on a tablet the repeated code and name pushed the balance off screen.
    product = ProductFactory(code="A001", name="Mineral water")
    post_stock(product, warehouse, 5)
    client = client_for("manager")

    one = client.get(LEDGER, {"product": product.pk}).content.decode()
    every = client.get(LEDGER).content.decode()

    assert "<td>Mineral water</td>" not in one
    assert "<th>Item code</th>" not in one
    assert "<td>Mineral water</td>" in every
    assert "<th>Item code</th>" in every
