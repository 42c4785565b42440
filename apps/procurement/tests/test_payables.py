"""Payments, allocations and the payables report on a known history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import Payable, PaymentAllocation, SupplierPayment
from apps.procurement.selectors import (
    payables_report,
    payables_totals,
    receipts_with_outstanding,
    supplier_statement,
)
from apps.procurement.tests.factories import D, approved_order, buyer_user, receive

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 30)


def _receipt(supplier, amount, day):
    """A posted receipt owing ``amount`` (10 units at amount/10, no tax) dated ``day``."""
    order = approved_order(
        supplier=supplier,
        warehouse=WarehouseFactory(),
        lines=[(ProductFactory(), 10, D(amount) / 10)],
        order_date=day - datetime.timedelta(days=10),
    )
    return receive(order, receipt_date=day)


@pytest.fixture
def history():
    """Supplier S: receipts of 1000 (Jan 20), 2000 (Apr 15), 3000 (May 20), 4000 (Jun 20);
    a return of 200 against the Apr receipt (Jun 5); payments: 1000 (Feb 1, matched to Jan),
    500 (Jun 10, matched to Apr), 300 (Jun 25, not matched)."""
    supplier = SupplierFactory(code="S1", name="Supplier One")
    buyer = buyer_user()
    jan = _receipt(supplier, 1000, datetime.date(2026, 1, 20))
    apr = _receipt(supplier, 2000, datetime.date(2026, 4, 15))
    may = _receipt(supplier, 3000, datetime.date(2026, 5, 20))
    jun = _receipt(supplier, 4000, datetime.date(2026, 6, 20))
    purchase_return = services.purchase_return_create(
        actor=buyer,
        receipt=apr,
        reason="faulty",
        return_date=datetime.date(2026, 6, 5),
        lines=[services.ReturnLineInput(receipt_line=apr.lines.get(), quantity=D(1))],
    )
    services.purchase_return_post(actor=buyer, purchase_return=purchase_return)
    services.supplier_payment_create(
        actor=buyer,
        supplier=supplier,
        amount=D(1000),
        payment_date=datetime.date(2026, 2, 1),
        allocations=[services.AllocationInput(receipt=jan, amount=D(1000))],
    )
    services.supplier_payment_create(
        actor=buyer,
        supplier=supplier,
        amount=D(500),
        payment_date=datetime.date(2026, 6, 10),
        allocations=[services.AllocationInput(receipt=apr, amount=D(500))],
    )
    services.supplier_payment_create(
        actor=buyer, supplier=supplier, amount=D(300), payment_date=datetime.date(2026, 6, 25)
    )
    return {"supplier": supplier, "jan": jan, "apr": apr, "may": may, "jun": jun}


def test_outstanding_per_receipt(history):
    rows = {r.pk: (r.payable_amount, r.paid_amount, r.outstanding) for r in receipts_with_outstanding()}

    assert rows == {
        history["jan"].pk: (D(1000), D(1000), D(0)),
        history["apr"].pk: (D(1800), D(500), D(1300)),
        history["may"].pk: (D(3000), D(0), D(3000)),
        history["jun"].pk: (D(4000), D(0), D(4000)),
    }


def test_payables_report_opening_new_returns_paid_outstanding_and_ageing(history):
    (row,) = payables_report(date_from=datetime.date(2026, 6, 1), date_to=AS_OF)

    # opening: 1000 + 2000 + 3000 owed before June, 1000 paid = 5000
    assert (row.opening, row.new_amount, row.returned, row.paid_amount) == (D(5000), D(4000), D(200), D(800))
    assert row.outstanding == D(8000)
    # by receipt age on Jun 30: Jun 20 → 10 days, May 20 → 41, Apr 15 → 76, Jan 20 → 161 (paid off)
    assert (row.age_0_30, row.age_31_60, row.age_61_90, row.age_90_plus) == (D(4000), D(3000), D(1300), D(0))
    assert row.unallocated == D(300)
    assert row.age_0_30 + row.age_31_60 + row.age_61_90 + row.age_90_plus - row.unallocated == row.outstanding


def test_payables_report_as_of_an_earlier_date_ignores_later_documents(history):
    (row,) = payables_report(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 4, 30))

    assert (row.opening, row.new_amount, row.returned, row.paid_amount, row.outstanding) == (
        D(0),
        D(3000),
        D(0),
        D(1000),
        D(2000),
    )
    assert (row.age_0_30, row.age_31_60, row.age_61_90, row.age_90_plus, row.unallocated) == (
        D(2000),
        D(0),
        D(0),
        D(0),
        D(0),
    )


def test_payables_totals_sum_the_rows(history):
    other = SupplierFactory()
    _receipt(other, 700, datetime.date(2026, 2, 1))

    rows = payables_report(date_from=datetime.date(2026, 6, 1), date_to=AS_OF)
    totals = payables_totals(rows)

    assert sorted(r.code for r in rows) == sorted(["S1", other.code])
    assert (totals["outstanding"], totals["age_90_plus"], totals["opening"]) == (D(8700), D(700), D(5700))


def test_auto_allocation_pays_the_oldest_receipts_first(history):
    payment = services.supplier_payment_create(
        actor=buyer_user(), supplier=history["supplier"], amount=D(2000), auto_allocate=True
    )

    allocations = list(payment.allocations.order_by("receipt__receipt_date").values_list("receipt_id", "amount"))
    assert allocations == [(history["apr"].pk, D(1300)), (history["may"].pk, D(700))]
    assert payment.number.startswith("FKD")


def test_allocating_more_than_outstanding_or_than_the_payment_is_refused_and_nothing_is_saved(history):
    buyer = buyer_user()
    before = SupplierPayment.objects.count()

    with pytest.raises(ValidationError) as too_much:
        services.supplier_payment_create(
            actor=buyer,
            supplier=history["supplier"],
            amount=D(5000),
            allocations=[services.AllocationInput(receipt=history["apr"], amount=D(1400))],
        )
    with pytest.raises(ValidationError) as over_payment:
        services.supplier_payment_create(
            actor=buyer,
            supplier=history["supplier"],
            amount=D(100),
            allocations=[services.AllocationInput(receipt=history["may"], amount=D(200))],
        )

    apr, may = history["apr"].number, history["may"].number
    assert too_much.value.messages == [f"Row 1: {apr}: 1400.00 is more than its outstanding 1300.00."]
    assert over_payment.value.messages == [
        "The allocations total 200.00, more than the 100.00 available on the payment."
    ]
    assert SupplierPayment.objects.count() == before
    assert may


def test_allocating_to_another_suppliers_receipt_is_refused(history):
    other_receipt = _receipt(SupplierFactory(), 100, datetime.date(2026, 6, 1))

    with pytest.raises(ValidationError, match="is not a posted receipt of Supplier One"):
        services.supplier_payment_create(
            actor=buyer_user(),
            supplier=history["supplier"],
            amount=D(100),
            allocations=[services.AllocationInput(receipt=other_receipt, amount=D(100))],
        )


def test_allocate_the_rest_of_a_payment_later(history):
    payment = SupplierPayment.objects.get(amount=D(300))

    services.supplier_payment_allocate(actor=buyer_user(), payment=payment)

    assert list(PaymentAllocation.objects.filter(payment=payment).values_list("receipt_id", "amount")) == [
        (history["apr"].pk, D(300))
    ]
    with pytest.raises(ValidationError, match="is fully allocated"):
        services.supplier_payment_allocate(actor=buyer_user(), payment=payment)


def test_supplier_statement_runs_the_balance_through_receipts_returns_and_payments(history):
    opening, rows, closing = supplier_statement(
        supplier=history["supplier"], date_from=datetime.date(2026, 6, 1), date_to=AS_OF
    )

    assert opening == D(5000)
    assert [(row["document_date"].day, row["kind"], row["amount"], row["balance"]) for row in rows] == [
        (5, "return", D(-200), D(4800)),
        (10, "payment", D(-500), D(4300)),
        (20, "receipt", D(4000), D(8300)),
        (25, "payment", D(-300), D(8000)),
    ]
    assert closing == D(8000)


def test_the_statement_page_shows_the_supplier_account(history, client_for):
    response = client_for("buyer").get(
        reverse("procurement:supplier_statement", args=[history["supplier"].pk]),
        {"date_from": "2026-06-01", "date_to": "2026-06-30"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Supplier payment" in page
    assert "8,000.00" in page


def test_payment_entries_match_the_allocations_and_the_rest_is_on_account(history):
    payments = Payable.objects.filter(kind="payment").order_by("document_date", "id")

    assert [(p.document_number[:3], p.receipt_id, p.amount) for p in payments] == [
        ("FKD", history["jan"].pk, D(-1000)),
        ("FKD", history["apr"].pk, D(-500)),
        ("FKD", None, D(-300)),
    ]
    assert sum(PaymentAllocation.objects.values_list("amount", flat=True)) == D(1500)
