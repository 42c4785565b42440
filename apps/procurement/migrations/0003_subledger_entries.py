"""Payables become the shared sub-ledger (apps.core.subledger): a ``payment`` kind, entries without a
receipt (paid on account) and a link to the payment. The rows are written by 0004."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_documents_on_the_core"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payable",
            name="kind",
            field=models.CharField(
                choices=[("receipt", "Purchase receipt"), ("return", "Purchase return"), ("payment", "Supplier payment")],
                max_length=10,
                verbose_name="type",
            ),
        ),
        migrations.AlterField(
            model_name="payable",
            name="receipt",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="payables",
                to="procurement.goodsreceipt",
                verbose_name="purchase receipt",
            ),
        ),
        migrations.AddField(
            model_name="payable",
            name="payment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="entries",
                to="procurement.supplierpayment",
                verbose_name="supplier payment",
            ),
        ),
    ]
