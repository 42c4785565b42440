"""The purchase analysis exports: the page's figures and totals in a workbook, formula-safe."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics.tests.purchase_history import PERIOD, purchase_history
from apps.masterdata.tests.factories import SupplierFactory
from apps.procurement.tests.factories import approved_order, receive

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)


def test_spend_export_has_each_supplier_and_the_total(client_for):
    purchase_history()

    rows = _rows(
        client_for("buyer").get(reverse("analytics:purchase_spend_export"), {**PERIOD, "dimension": "supplier"})
    )

    assert rows[0] == (
        "Supplier",
        "Received, excl. tax",
        "Returned, excl. tax",
        "Net spend excl. tax",
        "Tax amount",
        "Net spend incl. tax",
    )
    assert rows[1:] == [
        ("S1 Acme", 206, 33, 173, 22.49, 195.49),
        ("S2 Beta", 90, 0, 90, 11.7, 101.7),
        ("Total", 296, 33, 263, 34.19, 297.19),
    ]


def test_a_supplier_name_that_looks_like_a_formula_is_written_as_text(client_for):
    supplier = SupplierFactory(code="EVIL", name="=HYPERLINK(1)")
    receive(approved_order(supplier=supplier), receipt_date=datetime.date(2026, 6, 3))

    rows = _rows(
        client_for("buyer").get(reverse("analytics:purchase_spend_export"), {**PERIOD, "dimension": "supplier"})
    )

    assert not str(rows[1][0]).startswith("=")
    assert "HYPERLINK(1)" in rows[1][0]


def test_variance_delivery_and_trend_exports(client_for):
    data = purchase_history()
    client = client_for("manager")

    variance = _rows(client.get(reverse("analytics:purchase_price_variance_export"), PERIOD))
    delivery = _rows(client.get(reverse("analytics:supplier_delivery_export"), PERIOD))
    trend = _rows(client.get(reverse("analytics:purchase_price_trend_export"), {**PERIOD, "product": data["a"].pk}))

    assert [row[8] for row in variance[1:]] == [16, 0, -10, 6]
    assert variance[-1][9] == 2.1
    assert [row[:3] for row in delivery[1:4]] == [
        ("S1 Acme", "2026-05", 1),
        ("S1 Acme", "2026-06", 1),
        ("S2 Beta", "2026-06", 1),
    ]
    assert delivery[-1][4] == 66.7
    assert [row[0] for row in trend[1:]] == ["2026-05", "2026-06", "Total"]
    assert trend[-1][3] == 11.4444
