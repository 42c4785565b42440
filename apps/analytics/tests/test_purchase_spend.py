"""Spend by supplier, category and month: receipts less returns, net of tax and with tax."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics.tests.purchase_history import PERIOD, purchase_history
from apps.masterdata.tests.factories import CategoryFactory, ProductFactory
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("analytics:purchase_spend")


def _figures(rows):
    return [(row["label"], row["net"], row["tax"], row["total"]) for row in rows]


def test_spend_by_supplier_is_receipts_less_returns(client_for):
    data = purchase_history()

    response = client_for("buyer").get(URL, {**PERIOD, "dimension": "supplier"})

    assert _figures(response.context["rows"]) == [
        ("S1 Acme", D("173.00"), D("22.49"), D("195.49")),
        ("S2 Beta", D("90.00"), D("11.70"), D("101.70")),
    ]
    row = response.context["rows"][0]
    assert (row["received_net"], row["returned_net"]) == (D("206.00"), D("33.00"))
    totals = response.context["totals"]
    assert (totals["net"], totals["tax"], totals["total"]) == (D("263.00"), D("34.19"), D("297.19"))
    assert row["links"]["receipts"] == (
        reverse("procurement:goodsreceipt_list")
        + f"?status=posted&supplier={data['s1'].pk}&date_from=2026-05-01&date_to=2026-06-30"
    )
    assert "¥297.19" in response.content.decode()


def test_spend_by_month_counts_a_return_in_its_own_month(client_for):
    purchase_history()

    response = client_for("buyer").get(URL, {**PERIOD, "dimension": "month"})

    assert _figures(response.context["rows"]) == [
        ("2026-05", D("96.00"), D("12.48"), D("108.48")),
        ("2026-06", D("167.00"), D("21.71"), D("188.71")),
    ]
    assert "date_from=2026-06-01&date_to=2026-06-30" in response.context["rows"][1]["links"]["receipts"]


def test_spend_by_category_drills_down_to_the_suppliers_of_the_category(client_for):
    data = purchase_history()
    client = client_for("buyer")

    rows = client.get(URL, {**PERIOD, "dimension": "category"}).context["rows"]
    response = client.get(rows[1]["links"]["detail"])

    assert _figures(rows) == [
        ("DR Drinks", D("173.00"), D("22.49"), D("195.49")),
        ("FD Food", D("90.00"), D("11.70"), D("101.70")),
    ]
    assert f"category={data['food'].pk}" in rows[1]["links"]["detail"]
    assert _figures(response.context["rows"]) == [("S2 Beta", D("90.00"), D("11.70"), D("101.70"))]


def test_a_receipt_outside_the_period_or_a_draft_is_not_spend(client_for):
    purchase_history()
    receive(approved_order(), receipt_date=datetime.date(2026, 7, 1))
    receive(approved_order(), receipt_date=datetime.date(2026, 6, 2), post=False)

    response = client_for("buyer").get(URL, {**PERIOD, "dimension": "supplier"})

    assert response.context["totals"]["net"] == D("263.00")


def test_the_spend_page_costs_the_same_queries_for_n_and_n_plus_3_suppliers(client_for, django_assert_max_num_queries):
    purchase_history()
    client = client_for("buyer")
    params = {**PERIOD, "dimension": "supplier"}
    client.get(URL, params)
    with django_assert_max_num_queries(11):
        first = client.get(URL, params)
    for _ in range(3):
        receive(approved_order(lines=[(ProductFactory(), 2, "5")]), receipt_date=datetime.date(2026, 6, 3))
    with django_assert_max_num_queries(11):
        second = client.get(URL, params)
    assert len(second.context["rows"]) == len(first.context["rows"]) + 3


def test_the_spend_page_reads_in_chinese(client_for):
    purchase_history()

    response = client_for("buyer").get(URL, PERIOD, headers={"accept-language": "zh-hans"})

    content = response.content.decode()
    assert "采购支出" in content
    assert "净采购额（价税合计）" in content


def test_a_category_row_and_its_drill_down_leave_out_the_subcategories(client_for):
    data = purchase_history()
    juice = CategoryFactory(code="JU", name="Juice", parent=data["drinks"])
    receive(approved_order(lines=[(ProductFactory(category=juice), 2, "5")]), receipt_date=datetime.date(2026, 6, 3))
    client = client_for("buyer")

    rows = client.get(URL, {**PERIOD, "dimension": "category"}).context["rows"]
    drinks = next(row for row in rows if row["code"] == "DR")
    drilled = client.get(drinks["links"]["detail"])
    whole_tree = client.get(URL, {**PERIOD, "dimension": "supplier", "category": data["drinks"].pk})

    assert [(row["code"], row["net"]) for row in rows] == [("DR", D("173.00")), ("FD", D("90.00")), ("JU", D("10.00"))]
    assert drilled.context["totals"]["net"] == D("173.00")
    assert whole_tree.context["totals"]["net"] == D("183.00")
