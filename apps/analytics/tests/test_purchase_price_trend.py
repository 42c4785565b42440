"""Average purchase price per month of one product, picked by code like on the supplier comparison."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics.tests.purchase_history import PERIOD, purchase_history
from apps.masterdata.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("analytics:purchase_price_trend")


def test_average_price_per_month_and_over_the_period(client_for):
    data = purchase_history()

    response = client_for("buyer").get(URL, {**PERIOD, "q": "A"})

    assert response.context["product"] == data["a"]
    rows = response.context["rows"]
    assert [(r["month"], r["quantity"], r["amount"], r["average"], r["receipts"]) for r in rows] == [
        (datetime.date(2026, 5, 1), D(8), D(96), D(12), 1),
        (datetime.date(2026, 6, 1), D(10), D(110), D(11), 1),
    ]
    totals = response.context["totals"]
    assert (totals["quantity"], totals["amount"], totals["average"]) == (D(18), D(206), D("11.4444"))
    assert (totals["low"], totals["high"]) == (D(11), D(12))
    assert response.context["chart_option"]["series"][0]["data"] == ["12.0000", "11.0000"]
    assert rows[1]["link"] == (
        reverse("inventory:movement_list")
        + f"?product={data['a'].pk}&movement_type=purchase_receipt&date_from=2026-06-01&date_to=2026-06-30"
    )


def test_a_supplier_filter_keeps_only_its_receipts(client_for):
    data = purchase_history()

    response = client_for("buyer").get(URL, {**PERIOD, "product": data["b"].pk, "supplier": data["s1"].pk})

    assert response.context["rows"] == []
    assert response.context["totals"]["average"] is None
    assert b'value="B"' in response.content  # the picker shows the chosen product's code


def test_typing_part_of_a_name_lists_the_matches_to_pick_from(client_for):
    purchase_history()
    ProductFactory(code="A2", name="Apple cider")

    response = client_for("buyer").get(URL, {**PERIOD, "q": "Apple"})

    assert "rows" not in response.context
    assert [p.code for p in response.context["matches"]] == ["A", "A2"]
    assert b"product=" in response.content


def test_the_trend_page_costs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    data = purchase_history()
    client = client_for("buyer")
    client.get(URL, {**PERIOD, "product": data["a"].pk})

    with django_assert_max_num_queries(10):
        response = client.get(URL, {**PERIOD, "product": data["a"].pk})

    assert len(response.context["rows"]) == 2
