"""Users assigned to warehouses stay limited to them under the explicit scope flags.

Before ``accounts.0003_user_scope_flags`` an assignment was what limited a user; that
migration switched "all warehouses" on by role, so it is switched off again here for every
non-superuser who is assigned to at least one warehouse.
"""

from django.db import migrations


def keep_assignments(apps, schema_editor):
    user_model = apps.get_model("accounts", "User")
    assigned = user_model.objects.filter(assigned_warehouses__isnull=False, is_superuser=False).distinct()
    user_model.objects.filter(pk__in=assigned.values("pk")).update(sees_all_warehouses=False)


class Migration(migrations.Migration):
    dependencies = [("masterdata", "0002_product_lookup_pattern_indexes"), ("accounts", "0003_user_scope_flags")]

    operations = [migrations.RunPython(keep_assignments, migrations.RunPython.noop)]
