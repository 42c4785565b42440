"""Explicit "all warehouses" / "all customers" flags: data scope fails closed from now on.

Existing users keep what they could do before, minus the fail-open cases: superusers, managers
and administrators see all; buyers see every warehouse and customer; warehouse staff every
customer (they ship to them) but only their assigned warehouses; sales clerks every warehouse
but only their own customers. Users who are assigned to warehouses stay limited to them
(``masterdata.0003_assigned_users_keep_their_warehouses``).
"""

from django.db import migrations, models

SEES_ALL_WAREHOUSES = {"buyer", "sales", "manager", "admin"}
SEES_ALL_CUSTOMERS = {"warehouse", "buyer", "manager", "admin"}
UNLIMITED = {"manager", "admin"}


def set_flags(apps, schema_editor):
    user_model = apps.get_model("accounts", "User")
    for user in user_model.objects.prefetch_related("groups"):
        roles = {group.name for group in user.groups.all()}
        unlimited = user.is_superuser or bool(roles & UNLIMITED)
        user.sees_all_warehouses = unlimited or bool(roles & SEES_ALL_WAREHOUSES)
        # A sales clerk who also works the dock is still limited to their own customers.
        user.sees_all_customers = unlimited or (bool(roles & SEES_ALL_CUSTOMERS) and "sales" not in roles)
        user.save(update_fields=["sees_all_warehouses", "sees_all_customers"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_create_roles")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sees_all_customers",
            field=models.BooleanField(
                default=False,
                help_text="Sees every customer and their documents. Otherwise only the customers they are salesperson of.",
                verbose_name="all customers",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="sees_all_warehouses",
            field=models.BooleanField(
                default=False,
                help_text="Sees and works in every warehouse. Otherwise only the warehouses the user is assigned to.",
                verbose_name="all warehouses",
            ),
        ),
        migrations.RunPython(set_flags, migrations.RunPython.noop),
    ]
