import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import Customer
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import CustomerReceipt, Receivable, ReceivableEntry
from apps.sales.selectors import customer_statement, open_receivables, receivables_report
from apps.sales.services import customer_receipt_allocate, customer_receipt_create
from apps.sales.tests.factories import make_order, make_return, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 6, 30)


def days_ago(n: int) -> datetime.date:
    return DAY - datetime.timedelta(days=n)


@pytest.fixture
def customer():
    return CustomerFactory(code="K001", payment_terms_days=30)


@pytest.fixture
def sell(customer, make_user):
    """``sell(amount, day)`` posts a delivery owing ``amount`` (no tax) on ``day``."""
    warehouse = WarehouseFactory()
    product = ProductFactory(min_sale_price=0, tax_rate=0)
    post_stock(product, warehouse, 10000, unit_cost="1")

    def _sell(amount, day):
        order = make_order(
            customer=customer, warehouse=warehouse, lines=[(product, 1, amount)], order_date=day, confirm=True
        )
        return make_shipment(order, [1], ship_date=day)

    return _sell


def receivable_of(shipment) -> Receivable:
    return Receivable.objects.get(shipment=shipment)


def test_receipts_are_matched_oldest_first_and_the_rest_kept_as_an_advance(customer, sell, make_user):
    old, new = sell(100, days_ago(40)), sell(50, days_ago(10))

    receipt = customer_receipt_create(customer=customer, receipt_date=DAY, amount=D("170"), actor=make_user("sales"))

    assert receipt.number.startswith("SKD")
    assert (receivable_of(old).outstanding, receivable_of(new).outstanding) == (0, 0)
    assert (receipt.allocated_amount, receipt.unallocated_amount) == (D("150.00"), D("20.00"))
    assert sum(ReceivableEntry.objects.values_list("amount", flat=True)) == D("-20.00")


def test_manual_allocation_goes_where_it_is_told(customer, sell, make_user):
    old, new = sell(100, days_ago(40)), sell(50, days_ago(10))

    customer_receipt_create(
        customer=customer,
        receipt_date=DAY,
        amount=D("30"),
        actor=make_user("sales"),
        allocations=[(receivable_of(new), D("30"))],
    )

    assert (receivable_of(old).outstanding, receivable_of(new).outstanding) == (D(100), D(20))


def test_allocating_more_than_outstanding_or_than_the_receipt_is_refused(customer, sell, make_user):
    old, new = sell(100, days_ago(40)), sell(50, days_ago(10))

    with pytest.raises(ValidationError) as caught:
        customer_receipt_create(
            customer=customer,
            receipt_date=DAY,
            amount=D("120"),
            actor=make_user("sales"),
            allocations=[(receivable_of(old), D("90")), (receivable_of(new), D("60"))],
        )

    assert caught.value.messages == [
        f"{new.number}: allocating 60.00 is more than the 50.00 outstanding.",
    ]
    with pytest.raises(
        ValidationError, match=re.escape("The allocations add up to 140.00, more than the 120.00 available.")
    ):
        customer_receipt_create(
            customer=customer,
            receipt_date=DAY,
            amount=D("120"),
            actor=make_user("sales"),
            allocations=[(receivable_of(old), D("90")), (receivable_of(new), D("50"))],
        )
    assert not CustomerReceipt.objects.exists()
    assert receivable_of(old).received_amount == 0


def test_another_customers_receivable_is_refused(customer, sell, make_user):
    shipment = sell(100, days_ago(5))

    with pytest.raises(ValidationError, match="owes nothing or is not this customer's"):
        customer_receipt_create(
            customer=CustomerFactory(),
            receipt_date=DAY,
            amount=D("10"),
            actor=make_user("sales"),
            allocations=[(receivable_of(shipment), D("10"))],
        )


def test_an_advance_is_allocated_later_to_new_deliveries(customer, sell, make_user):
    receipt = customer_receipt_create(
        customer=customer, receipt_date=days_ago(20), amount=D("80"), actor=make_user("sales")
    )
    shipment = sell(100, days_ago(10))

    customer_receipt_allocate(receipt=receipt, actor=make_user("sales"))

    receipt.refresh_from_db()
    assert (receipt.allocated_amount, receivable_of(shipment).outstanding) == (D(80), D(20))
    assert sum(ReceivableEntry.objects.values_list("amount", flat=True)) == D(20)


def test_ageing_on_known_data(customer, sell, make_user):
    sell(100, days_ago(10))  # 0–30
    sell(200, days_ago(45))  # 31–60
    sell(300, days_ago(75))  # 61–90, half paid
    old = sell(400, days_ago(120))  # 90+, 150 returned
    make_return(old, [D("0.375")], return_date=days_ago(100))
    customer_receipt_create(
        customer=customer,
        receipt_date=days_ago(5),
        amount=D("150"),
        actor=make_user("sales"),
        allocations=[(Receivable.objects.get(amount=300), D("150"))],
    )
    customer_receipt_create(
        customer=customer, receipt_date=DAY + datetime.timedelta(days=1), amount=D(50), actor=make_user("sales")
    )

    row = receivables_report(customers=Customer.objects.all(), date_from=days_ago(29), date_to=DAY).get()

    assert (row.age_0, row.age_31, row.age_61, row.age_91) == (D(100), D(200), D(150), D(250))
    assert row.overdue == D(600)  # everything due before the report date: all but the 10-day-old one
    assert (row.opening, row.new, row.returned, row.received, row.closing) == (
        D(750),
        D(100),
        D(0),
        D(150),
        D(700),
    )
    assert row.unapplied == 0
    assert not str(row.returned).startswith("-")  # no "-0.00" from SQLite's float sums


def test_statement_shows_a_running_balance_from_the_opening(customer, sell, make_user):
    first = sell(100, days_ago(40))
    second = sell(60, days_ago(20))
    make_return(second, [D("0.5")], return_date=days_ago(15))
    receipt = customer_receipt_create(
        customer=customer, receipt_date=days_ago(5), amount=D("120"), actor=make_user("sales")
    )

    opening, rows, closing = customer_statement(customer=customer, date_from=days_ago(30), date_to=DAY)

    assert opening == D(100)
    assert [(r["document_number"], r["amount"], r["balance"]) for r in rows] == [
        (second.number, D(60), D(160)),
        (second.returns.get().number, D(-30), D(130)),
        (receipt.number, D(-120), D(10)),
    ]
    assert closing == D(10)
    assert first.number not in [r["document_number"] for r in rows]


def test_on_one_day_the_statement_lists_the_delivery_before_the_return_and_the_receipt(customer, sell, make_user):
    # given an advance received first thing, then a delivery and a return, all on the same day
    receipt = customer_receipt_create(customer=customer, receipt_date=DAY, amount=D("50"), actor=make_user("sales"))
    shipment = sell(100, DAY)
    make_return(shipment, [D("0.5")], return_date=DAY)

    # when the statement of that day is printed
    opening, rows, closing = customer_statement(customer=customer, date_from=DAY, date_to=DAY)

    # then charges come before credits (SKD sorts before XSCK, but must not come first)
    assert [(r["document_number"], r["amount"], r["balance"]) for r in rows] == [
        (shipment.number, D(100), D(100)),
        (shipment.returns.get().number, D(-50), D(50)),
        (receipt.number, D(-50), D(0)),
    ]
    assert (opening, closing) == (D(0), D(0))


def test_the_sub_ledger_agrees_with_the_receivables(customer, sell, make_user):
    a, b = sell(100, days_ago(40)), sell(60, days_ago(20))
    make_return(b, [D("0.5")], return_date=days_ago(15))
    customer_receipt_create(customer=customer, receipt_date=days_ago(5), amount=D("90"), actor=make_user("sales"))

    for shipment in (a, b):
        receivable = receivable_of(shipment)
        assert sum(receivable.entries.values_list("amount", flat=True)) == receivable.outstanding


def test_amounts_that_cancel_out_leave_exactly_zero_on_both_databases(customer, sell, make_user):
    sell(D("0.10"), days_ago(20))
    sell(D("0.20"), days_ago(10))
    customer_receipt_create(customer=customer, receipt_date=days_ago(1), amount=D("0.30"), actor=make_user("sales"))

    row = receivables_report(customers=Customer.objects.all(), date_from=days_ago(30), date_to=DAY).get()

    assert (row.new, row.received, row.closing, row.age_0, row.overdue) == (D("0.30"), D("0.30"), 0, 0, 0)
    assert not receivables_report(customers=Customer.objects.all(), date_from=DAY, date_to=DAY).exists()


def test_naming_a_delivery_twice_allocates_the_sum_once(customer, sell, make_user):
    shipment = sell(100, days_ago(10))
    receivable = receivable_of(shipment)

    receipt = customer_receipt_create(
        customer=customer,
        receipt_date=DAY,
        amount=D("70"),
        actor=make_user("sales"),
        allocations=[(receivable, D("30")), (receivable, D("40"))],
    )

    assert list(receipt.allocations.values_list("amount", flat=True)) == [D("70.00")]
    assert receivable_of(shipment).outstanding == D(30)


def test_a_receivable_settled_by_a_return_and_a_receipt_is_no_longer_open(customer, make_user):
    # given a delivery of 1748.17 credited 1665.27 by a return and paid 82.90 (on SQLite the generated
    # outstanding column is computed in floating point and is left at about 1e-13, not 0)
    warehouse = WarehouseFactory()
    kept, returned = ProductFactory(min_sale_price=0, tax_rate=0), ProductFactory(min_sale_price=0, tax_rate=0)
    post_stock(kept, warehouse, 10, unit_cost="1")
    post_stock(returned, warehouse, 10, unit_cost="1")
    order = make_order(
        customer=customer,
        warehouse=warehouse,
        lines=[(kept, 1, "82.90"), (returned, 1, "1665.27")],
        order_date=DAY,
        confirm=True,
    )
    shipment = make_shipment(order, [1, 1], ship_date=DAY)
    make_return(shipment, [0, 1], return_date=DAY)
    customer_receipt_create(customer=customer, receipt_date=DAY, amount=D("82.90"), actor=make_user("sales"))

    # when more money comes in
    receipt = customer_receipt_create(customer=customer, receipt_date=DAY, amount=D("10"), actor=make_user("sales"))

    # then the settled delivery is not offered for matching and the money is an advance
    assert list(open_receivables(customer)) == []
    assert receipt.allocations.count() == 0
    assert (receipt.allocated_amount, receipt.unallocated_amount) == (D("0.00"), D("10.00"))
