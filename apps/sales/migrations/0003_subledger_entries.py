"""Receivable entries take the shared sub-ledger shape (apps.core.subledger): ``entry_date`` becomes
``document_date``, numbers up to 40 characters, a creation time, and the money kind ``collection``
(0004 renames the rows). Every row is kept."""

import django.utils.timezone
from django.db import migrations, models

import apps.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_documents_on_the_core"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="receivableentry", name="sales_recentry_cust_date_idx"),
        migrations.RenameField(model_name="receivableentry", old_name="entry_date", new_name="document_date"),
        migrations.AddIndex(
            model_name="receivableentry",
            index=models.Index(fields=["customer", "document_date"], name="sales_recentry_cust_date_idx"),
        ),
        migrations.AlterField(
            model_name="receivableentry",
            name="document_number",
            field=models.CharField(max_length=40, verbose_name="document no."),
        ),
        migrations.AddField(
            model_name="receivableentry",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="created at"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="receivableentry",
            name="kind",
            field=models.CharField(
                choices=[("shipment", "Sales delivery"), ("return", "Sales return"), ("collection", "Customer receipt")],
                max_length=16,
                verbose_name="type",
            ),
        ),
        migrations.AlterModelOptions(
            name="receivableentry",
            options={
                "ordering": ["document_date", "id"],
                "verbose_name": "receivable entry",
                "verbose_name_plural": "receivable entries",
            },
        ),
        migrations.AlterField(
            model_name="receivableentry",
            name="amount",
            field=apps.core.fields.MoneyField(verbose_name="amount"),
        ),
    ]
