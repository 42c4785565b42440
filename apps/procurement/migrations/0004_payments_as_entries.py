"""Payments become payable entries (apps.core.subledger).

Each payment allocation becomes a ``payment`` entry of −amount on its receipt, and the unallocated
rest of each payment an entry without a receipt (paid on account), all dated on the payment date,
so outstanding amounts, reports and ageing are sums of ``Payable`` rows alone. Every row is kept;
reversing deletes the payment entries again. Apart from 0003 so that PostgreSQL never alters the
table with row changes pending in the same transaction."""

from django.db import migrations
from django.db.models import Sum


def payments_to_entries(apps, schema_editor):
    Payable = apps.get_model("procurement", "Payable")
    SupplierPayment = apps.get_model("procurement", "SupplierPayment")
    PaymentAllocation = apps.get_model("procurement", "PaymentAllocation")
    allocated = {
        row["payment_id"]: row["total"]
        for row in PaymentAllocation.objects.values("payment_id").annotate(total=Sum("amount"))
    }
    entries = []
    for allocation in PaymentAllocation.objects.select_related("payment").order_by("payment_id", "id"):
        payment = allocation.payment
        entries.append(
            Payable(
                supplier_id=payment.supplier_id,
                kind="payment",
                receipt_id=allocation.receipt_id,
                payment=payment,
                document_number=payment.number,
                document_date=payment.payment_date,
                due_date=payment.payment_date,
                amount=-allocation.amount,
            )
        )
    for payment in SupplierPayment.objects.order_by("id"):
        rest = payment.amount - (allocated.get(payment.pk) or 0)
        if rest:
            entries.append(
                Payable(
                    supplier_id=payment.supplier_id,
                    kind="payment",
                    receipt_id=None,
                    payment=payment,
                    document_number=payment.number,
                    document_date=payment.payment_date,
                    due_date=payment.payment_date,
                    amount=-rest,
                )
            )
    Payable.objects.bulk_create(entries, batch_size=1000)


def entries_to_payments(apps, schema_editor):
    apps.get_model("procurement", "Payable").objects.filter(kind="payment").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0003_subledger_entries"),
    ]

    operations = [
        migrations.RunPython(payments_to_entries, entries_to_payments),
    ]
