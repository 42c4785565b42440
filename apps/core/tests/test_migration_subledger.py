"""The sub-ledger migrations keep every amount: payments become payable entries, receivable entries
keep their rows under the shared field names."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
DAY = datetime.date(2026, 3, 1)
BEFORE = [("procurement", "0002_documents_on_the_core"), ("sales", "0002_documents_on_the_core")]
AFTER = [("procurement", "0004_payments_as_entries"), ("sales", "0004_collection_kind")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_payments_and_receivable_entries_survive_the_move_to_the_shared_subledger(make_user):
    user = make_user("manager")
    old = migrate(BEFORE)
    Supplier, Customer = old.get_model("masterdata", "Supplier"), old.get_model("masterdata", "Customer")
    GoodsReceipt, Payable = old.get_model("procurement", "GoodsReceipt"), old.get_model("procurement", "Payable")
    Payment, Allocation = (
        old.get_model("procurement", "SupplierPayment"),
        old.get_model("procurement", "PaymentAllocation"),
    )
    Entry = old.get_model("sales", "ReceivableEntry")
    supplier = Supplier.objects.create(code="S1", name="Supplier")
    warehouse = old.get_model("masterdata", "Warehouse").objects.create(code="W1", name="Main")
    receipt = GoodsReceipt.objects.create(
        number="CGRK1", supplier=supplier, warehouse=warehouse, receipt_date=DAY, status="posted", created_by_id=user.pk
    )
    Payable.objects.create(
        supplier=supplier, kind="receipt", receipt=receipt, document_number="CGRK1", document_date=DAY,
        due_date=DAY, amount=D(100),
    )  # fmt: skip
    payment = Payment.objects.create(
        number="FKD1", supplier=supplier, payment_date=DAY, amount=D(70), created_by_id=user.pk
    )
    Allocation.objects.create(payment=payment, receipt=receipt, amount=D(60))
    customer = Customer.objects.create(code="K1", name="Customer")
    Entry.objects.create(customer=customer, entry_date=DAY, kind="receipt", document_number="SKD1", amount=D(-5))

    new = migrate(AFTER)

    entries = new.get_model("procurement", "Payable").objects.order_by("id")
    assert [(e.kind, e.receipt_id, e.payment_id, e.document_date, e.amount) for e in entries] == [
        ("receipt", receipt.pk, None, DAY, D(100)),
        ("payment", receipt.pk, payment.pk, DAY, D(-60)),
        ("payment", None, payment.pk, DAY, D(-10)),
    ]
    (entry,) = new.get_model("sales", "ReceivableEntry").objects.all()
    assert (entry.kind, entry.document_date, entry.amount) == ("collection", DAY, D(-5))

    migrate(BEFORE)  # and back: the payment entries go, the allocation stays
    assert old.get_model("procurement", "Payable").objects.count() == 1
    assert old.get_model("sales", "ReceivableEntry").objects.get().kind == "receipt"
    migrate(AFTER)
