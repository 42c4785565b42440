"""Per supplier and month: share of receipts on or before the promised date, accepted ÷ received."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics.tests.purchase_history import PERIOD, purchase_history
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("analytics:supplier_delivery")


def test_on_time_and_acceptance_per_supplier_and_month(client_for):
    purchase_history()

    response = client_for("buyer").get(URL, PERIOD)

    rows = response.context["rows"]
    assert [
        (
            r["supplier__code"],
            f"{r['month']:%Y-%m}",
            r["receipts"],
            r["on_time"],
            r["on_time_rate"],
            r["acceptance_rate"],
        )
        for r in rows
    ] == [
        ("S1", "2026-05", 1, 1, D(100), D(80)),
        ("S1", "2026-06", 1, 0, D(0), D(100)),
        ("S2", "2026-06", 1, 1, D(100), D(100)),
    ]
    suppliers = response.context["suppliers"]
    assert [
        (r["supplier__code"], r["on_time_rate"], r["received"], r["accepted"], r["acceptance_rate"]) for r in suppliers
    ] == [
        ("S1", D(50), D(20), D(18), D(90)),
        ("S2", D(100), D(5), D(5), D(100)),
    ]
    totals = response.context["totals"]
    assert (totals["receipts"], totals["on_time"], totals["on_time_rate"], totals["acceptance_rate"]) == (
        3,
        2,
        D("66.7"),
        D(92),
    )
    assert "date_from=2026-06-01&date_to=2026-06-30" in rows[1]["link"]
    assert response.context["chart_option"]["series"][0]["data"] == ["100.0", "50.0"]


def test_the_delivery_page_costs_the_same_queries_for_n_and_n_plus_3_suppliers(
    client_for, django_assert_max_num_queries
):
    purchase_history()
    client = client_for("buyer")
    client.get(URL, PERIOD)
    with django_assert_max_num_queries(10):
        client.get(URL, PERIOD)
    for _ in range(3):
        receive(approved_order(), receipt_date=datetime.date(2026, 6, 3))
    with django_assert_max_num_queries(10):
        response = client.get(URL, PERIOD)
    assert len(response.context["suppliers"]) == 5
