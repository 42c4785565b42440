"""Paid price against the supplier price list valid on the receipt date, per line and per supplier."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics.tests.purchase_history import PERIOD, purchase_history
from apps.masterdata.tests.factories import ProductFactory
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("analytics:purchase_price_variance")


def test_each_line_against_the_list_price_valid_on_its_receipt_date(client_for):
    data = purchase_history()

    response = client_for("buyer").get(URL, PERIOD)

    lines = response.context["rows"]
    assert [
        (line.receipt, line.unit_cost, line.list_price, line.variance, line.variance_percent) for line in lines
    ] == [
        (data["r1"], D(12), D(10), D(16), D("20.0")),  # May: the list said 10
        (data["r2"], D(11), D(11), D(0), D("0.0")),  # June: the list said 11
        (data["r3"], D(18), D(20), D(-10), D("-10.0")),
    ]


def test_totals_per_supplier_and_overall(client_for):
    data = purchase_history()

    response = client_for("buyer").get(URL, PERIOD)

    suppliers = response.context["suppliers"]
    assert [
        (r["receipt__supplier__code"], r["paid"], r["listed"], r["variance"], r["variance_percent"]) for r in suppliers
    ] == [
        ("S1", D(206), D(190), D(16), D("8.4")),
        ("S2", D(90), D(100), D(-10), D("-10.0")),
    ]
    totals = response.context["totals"]
    assert (totals["paid"], totals["listed"], totals["variance"], totals["variance_percent"]) == (
        D(296),
        D(290),
        D(6),
        D("2.1"),
    )
    assert f"supplier={data['s1'].pk}" in suppliers[0]["link"]


def test_a_line_without_a_list_price_is_shown_but_not_totalled(client_for):
    purchase_history()
    receive(approved_order(lines=[(ProductFactory(code="Z"), 2, "7")]), receipt_date=datetime.date(2026, 6, 3))

    response = client_for("buyer").get(URL, {**PERIOD, "ordering": "-variance"})

    lines = response.context["rows"]
    assert [line.product.code for line in lines] == ["A", "A", "B", "Z"]
    assert lines[-1].list_price is None
    assert (response.context["totals"]["lines"], response.context["totals"]["priced_lines"]) == (4, 3)
    assert response.context["totals"]["variance"] == D(6)
    assert b"No price-list price" in response.content


def test_the_variance_page_costs_the_same_queries_for_n_and_n_plus_3_lines(client_for, django_assert_max_num_queries):
    purchase_history()
    client = client_for("buyer")
    client.get(URL, PERIOD)
    with django_assert_max_num_queries(11):
        client.get(URL, PERIOD)
    for _ in range(3):
        receive(approved_order(), receipt_date=datetime.date(2026, 6, 3))
    with django_assert_max_num_queries(11):
        response = client.get(URL, PERIOD)
    assert len(response.context["rows"]) == 6
