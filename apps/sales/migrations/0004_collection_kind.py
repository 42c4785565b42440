"""The money kind of receivable entries is ``collection`` (a customer receipt of money, 收款单);
"receipt" alone is goods in purchasing. Apart from 0003 so that PostgreSQL never alters the table
with row changes pending in the same transaction."""

from django.db import migrations


def rename_money_kind(apps, schema_editor):
    apps.get_model("sales", "ReceivableEntry").objects.filter(kind="receipt").update(kind="collection")


def restore_money_kind(apps, schema_editor):
    apps.get_model("sales", "ReceivableEntry").objects.filter(kind="collection").update(kind="receipt")


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_subledger_entries"),
    ]

    operations = [
        migrations.RunPython(rename_money_kind, restore_money_kind),
    ]
