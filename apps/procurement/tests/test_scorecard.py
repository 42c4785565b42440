"""Scorecard figures on a known history, computed from posted receipts only."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import PurchaseOrder
from apps.procurement.selectors import supplier_comparison, supplier_scorecard, supplier_scorecard_trend
from apps.procurement.tests.factories import D, SupplierPriceFactory, buyer_user, receive

pytestmark = pytest.mark.django_db


def _order(supplier, product, quantity, price, order_date, expected, approved):
    buyer = buyer_user()
    order = services.purchase_order_create(
        actor=buyer,
        supplier=supplier,
        warehouse=WarehouseFactory(),
        order_date=order_date,
        expected_date=expected,
        lines=[services.OrderLineInput(product=product, quantity=D(quantity), unit_price=D(price), tax_rate=D(0))],
    )
    order = services.purchase_order_submit(actor=buyer, order=order)
    approved_at = timezone.make_aware(datetime.datetime.combine(approved, datetime.time(10)))
    PurchaseOrder.objects.filter(pk=order.pk).update(approved_at=approved_at)  # a history in the past
    order.refresh_from_db()
    return order


@pytest.fixture
def history():
    """Supplier S, product P (price list 10 all year):

    - order 1: 10 @ 11, expected Mar 10, approved Mar 1; received Mar 8: 10, 2 rejected; closed.
    - order 2: 20 @ 10, expected Apr 10, approved Apr 1; received Apr 15: 15, all accepted; closed.
    """
    supplier = SupplierFactory(code="S", name="S")
    product = ProductFactory(code="P")
    SupplierPriceFactory(supplier=supplier, product=product, price=D(10), valid_from=datetime.date(2026, 1, 1))
    first = _order(
        supplier, product, 10, 11, datetime.date(2026, 3, 1), datetime.date(2026, 3, 10), datetime.date(2026, 3, 1)
    )
    receive(first, quantities=[10], rejected=[2], receipt_date=datetime.date(2026, 3, 8))
    services.purchase_order_close(actor=first.buyer, order=first, reason="rest not needed")
    second = _order(
        supplier, product, 20, 10, datetime.date(2026, 4, 1), datetime.date(2026, 4, 10), datetime.date(2026, 4, 1)
    )
    receive(second, quantities=[15], receipt_date=datetime.date(2026, 4, 15))
    services.purchase_order_close(actor=second.buyer, order=second, reason="supplier short")
    return {"supplier": supplier, "product": product}


def test_scorecard_figures(history):
    figures = supplier_scorecard(supplier_id=history["supplier"].pk)

    assert figures["deliveries"] == 2
    assert figures["on_time_rate"] == D("50.0")  # Mar 8 ≤ Mar 10; Apr 15 > Apr 10
    assert figures["fill_rate"] == D("83.3")  # (10 + 15) / (10 + 20)
    assert figures["acceptance_rate"] == D("92.0")  # (8 + 15) / (10 + 15)
    assert figures["lead_time_mean"] == D("10.5")  # 7 and 14 days
    assert figures["lead_time_sd"] == D("3.5")
    assert figures["price_variance"] == D("4.0")  # paid 10×11 + 15×10 = 260 vs list 250


def test_scorecard_of_a_supplier_without_history_is_empty_not_zero():
    figures = supplier_scorecard(supplier_id=SupplierFactory().pk)

    assert [figures[key] for key in ("on_time_rate", "fill_rate", "acceptance_rate", "lead_time_mean")] == [None] * 4


def test_open_orders_do_not_count_for_the_fill_rate(history):
    order = _order(
        history["supplier"],
        history["product"],
        10,
        10,
        datetime.date(2026, 5, 1),
        datetime.date(2026, 5, 5),
        datetime.date(2026, 5, 1),
    )
    receive(order, quantities=[1], receipt_date=datetime.date(2026, 5, 4))

    figures = supplier_scorecard(supplier_id=history["supplier"].pk)

    assert figures["fill_rate"] == D("83.3")
    assert figures["on_time_rate"] == D("66.7")


def test_trend_by_month(history):
    trend = supplier_scorecard_trend(supplier_id=history["supplier"].pk, today=datetime.date(2026, 6, 15))

    assert [
        (
            row["month"],
            row["on_time_rate"],
            row["fill_rate"],
            row["acceptance_rate"],
            row["lead_time_mean"],
            row["price_variance"],
        )
        for row in trend
    ] == [
        ("2026-03", D("100.0"), D("100.0"), D("80.0"), Decimal("7.0"), D("10.0")),
        ("2026-04", D("0.0"), D("75.0"), D("100.0"), Decimal("14.0"), D("0.0")),
    ]


def test_comparison_ranks_the_suppliers_of_one_product(history):
    product = history["product"]
    better = SupplierFactory(code="T", name="T")
    SupplierPriceFactory(
        supplier=better, product=product, price=D(9), valid_from=datetime.date(2026, 1, 1), is_preferred=True
    )
    order = _order(
        better, product, 5, 9, datetime.date(2026, 3, 1), datetime.date(2026, 3, 5), datetime.date(2026, 3, 1)
    )
    receive(order, receipt_date=datetime.date(2026, 3, 4))
    newcomer = SupplierFactory(code="U", name="U")
    SupplierPriceFactory(supplier=newcomer, product=product, price=D(8), valid_from=datetime.date(2026, 1, 1))

    rows = supplier_comparison(product=product, on_date=datetime.date(2026, 6, 1))

    assert [(row["supplier"].code, row["score"], row["price"]) for row in rows] == [
        ("T", D("100.0"), D(9)),
        ("S", D("75.1"), D(10)),  # (50.0 + 83.3 + 92.0) / 3
        ("U", None, D(8)),
    ]
    assert rows[0]["is_preferred"] is True
    assert rows[1]["last_cost"] == D(10)
