"""Stock count pages: open, scan, the bulk sheet, review, commands, print and the cycle-count page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.models import CountStatus, StockBalance, StockClassification, StockCount
from apps.inventory.services.counts import CountEntryInput, stock_count_open, stock_count_record
from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import ProductBarcode
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="MAIN", name="Main")


@pytest.fixture
def stocked(warehouse):
    products = [ProductFactory(code=f"P{i}", name=f"Product {i}") for i in range(3)]
    for product in products:
        post_stock(product, warehouse, 10, unit_cost="2")
    ProductBarcode.objects.create(product=products[0], barcode="6900000000017")
    return products


def test_open_from_the_form_and_land_on_the_counting_page(client_for, warehouse, stocked):
    client = client_for("warehouse")

    response = client.post(reverse("inventory:count_create"), {"warehouse": warehouse.pk, "scope": "all"})

    count = StockCount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:count_scan", args=[count.pk])
    assert count.lines.count() == 3


def test_open_with_unknown_item_codes_is_refused(client_for, warehouse, stocked):
    response = client_for("warehouse").post(
        reverse("inventory:count_create"), {"warehouse": warehouse.pk, "scope": "products", "products": "P1 NOPE"}
    )
    assert response.status_code == 400
    assert "Unknown item codes: NOPE" in response.content.decode()
    assert not StockCount.objects.exists()


def test_scanning_a_barcode_adds_one_and_answers_the_line(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)
    url = reverse("inventory:count_record", args=[count.pk])

    client.post(url, {"term": "6900000000017"})
    response = client.post(url, {"term": "6900000000017"})

    assert response.status_code == 200
    assert response.json()["line"]["code"] == "P0"
    assert response.json()["line"]["mine"] == "2"
    assert count.lines.get(product=stocked[0]).counted_quantity == 2


def test_a_search_that_is_not_exact_answers_candidates_and_records_nothing(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)

    response = client.post(reverse("inventory:count_record", args=[count.pk]), {"term": "Product"})

    assert [c["code"] for c in response.json()["candidates"]] == ["P0", "P1", "P2"]
    assert not count.lines.filter(counted_quantity__isnull=False).exists()
    chosen = client.post(
        reverse("inventory:count_record", args=[count.pk]), {"product": stocked[1].pk, "quantity": "4", "mode": "set"}
    )
    assert chosen.json()["line"]["counted"] == "4"


def test_blind_counts_do_not_tell_the_counter_the_book_quantity(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse, blind=True)

    response = client.post(reverse("inventory:count_record", args=[count.pk]), {"term": "P1"})
    page = client.get(reverse("inventory:count_scan", args=[count.pk]))

    assert response.json()["line"]["book"] is None
    assert "Book qty" not in page.content.decode()


def test_the_sheet_saves_a_page_of_typed_counts_in_one_call(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)
    lines = list(count.lines.order_by("line_no"))
    data = {"line": [line.pk for line in lines], f"qty-{lines[0].pk}": "9", f"qty-{lines[1].pk}": "10"}

    response = client.post(reverse("inventory:count_scan", args=[count.pk]), data)

    assert response.status_code == 302
    assert list(count.lines.order_by("line_no").values_list("counted_quantity", flat=True)) == [9, 10, None]


def test_a_bad_cell_on_the_sheet_saves_nothing(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)
    lines = list(count.lines.order_by("line_no"))
    data = {"line": [line.pk for line in lines], f"qty-{lines[0].pk}": "9", f"qty-{lines[1].pk}": "ten"}

    response = client.post(reverse("inventory:count_scan", args=[count.pk]), data, follow=True)

    assert "Row 2: “ten” is not a number." in [str(m) for m in response.context["messages"]]
    assert not count.lines.filter(counted_quantity__isnull=False).exists()


def test_review_submit_recount_and_post_through_the_pages(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)
    stock_count_record(
        actor=client.user,
        count=count,
        entries=[CountEntryInput(stocked[0].pk, Decimal(7)), CountEntryInput(stocked[1].pk, Decimal(10))],
    )

    client.post(reverse("inventory:count_submit", args=[count.pk]))
    detail = client.get(reverse("inventory:count_detail", args=[count.pk]))
    assert [line.product.code for line in detail.context["lines"]][:2] == ["P0", "P1"]
    assert detail.context["lines"][0].variance_value == Decimal("-6.00")

    line = count.lines.get(product=stocked[0])
    client.post(reverse("inventory:count_recount", args=[count.pk]), {"line": [line.pk]})
    count.refresh_from_db()
    assert count.status == CountStatus.COUNTING
    client.post(reverse("inventory:count_record", args=[count.pk]), {"term": "P0", "quantity": "8", "mode": "set"})
    client.post(reverse("inventory:count_submit", args=[count.pk]))
    client.post(reverse("inventory:count_post", args=[count.pk]))

    count.refresh_from_db()
    assert count.status == CountStatus.POSTED
    assert StockBalance.objects.get(product=stocked[0], warehouse=warehouse).on_hand == 8


def test_count_sheet_prints_lines_with_barcodes(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)

    response = client.get(reverse("inventory:count_sheet", args=[count.pk]))

    assert response.status_code == 200
    assert 'data-barcode="6900000000017"' in response.content.decode()


def test_a_count_of_another_warehouse_is_not_found(client_for, warehouse, stocked, make_user):
    count = stock_count_open(actor=make_user("manager"), warehouse=warehouse)
    client = client_for("warehouse", sees_all_warehouses=False)
    WarehouseFactory(code="SIDE").assigned_users.add(client.user)

    assert client.get(reverse("inventory:count_detail", args=[count.pk])).status_code == 404
    assert client.post(reverse("inventory:count_record", args=[count.pk]), {"term": "P0"}).status_code == 404


def test_cycle_count_lists_what_is_due(client_for, warehouse, stocked):
    from apps.inventory.services.classification import classification_recompute

    client = client_for("manager")
    classification_recompute(actor=client.user)
    assert StockClassification.objects.count() == 3

    response = client.get(reverse("inventory:cycle_count"))

    assert response.status_code == 200
    assert response.context["due_total"] == 3


@pytest.mark.parametrize("extra", [0, 3])
def test_count_list_costs_the_same_queries_for_n_and_n_plus_3_rows(
    extra, client_for, warehouse, stocked, django_assert_num_queries
):
    client = client_for("manager")
    for _ in range(1 + extra):
        stock_count_open(actor=client.user, warehouse=warehouse)
    client.get(reverse("inventory:count_list"))
    # 7: a manager sees every warehouse, so the page costs no scope query; the same for N and N+3 rows.
    with django_assert_num_queries(7):
        assert client.get(reverse("inventory:count_list")).status_code == 200


def test_pasted_counts_are_recorded_in_one_call_and_bad_rows_named(client_for, warehouse, stocked):
    client = client_for("warehouse")
    count = stock_count_open(actor=client.user, warehouse=warehouse)
    url = reverse("inventory:count_paste", args=[count.pk])

    bad = client.post(url, {"rows": "P0 4\nNOPE 1\nP1 x"}, follow=True)
    assert [str(m) for m in bad.context["messages"]] == [
        "Row 3: “x” is not a number.",
        "Row 2: unknown item code or barcode “NOPE”.",
    ]
    assert not count.lines.filter(counted_quantity__isnull=False).exists()

    client.post(url, {"rows": "6900000000017\t4\np1, 9\n"})
    assert list(count.lines.order_by("line_no").values_list("counted_quantity", flat=True)) == [4, 9, None]


def test_a_resent_open_form_opens_one_count(client_for, warehouse, stocked):
    client = client_for("warehouse")
    data = {"warehouse": warehouse.pk, "scope": "all", "form_token": "0f7e8a52-3c0b-4a53-9a5e-3d0f3c6b9a11"}

    first = client.post(reverse("inventory:count_create"), data)
    second = client.post(reverse("inventory:count_create"), data)

    assert StockCount.objects.count() == 1
    assert first["Location"] == second["Location"]
