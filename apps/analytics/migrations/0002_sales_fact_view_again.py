"""Create the sales analysis view again after sales 0002 aligned the document tables."""

import importlib

from django.db import migrations

CREATE_VIEW = importlib.import_module("apps.analytics.migrations.0001_sales_fact_view").CREATE_VIEW


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_sales_fact_view"),
        ("sales", "0002_documents_on_the_core"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP VIEW IF EXISTS analytics_salesfact", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW IF EXISTS analytics_salesfact"),
    ]
