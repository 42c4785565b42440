"""Prefix searches for the product lookup (scanner / line grid) on PostgreSQL.

``code__istartswith`` compiles to ``UPPER(code) LIKE UPPER('abc%')``; under a non-C collation
only a ``text_pattern_ops`` index serves it. SQLite's LIKE cannot use such an index, so the
migration does nothing there.
"""

from django.db import migrations

INDEXES = (
    ("md_product_code_upper_like_idx", "UPPER(code) text_pattern_ops"),
    ("md_product_mnemonic_upper_like_idx", "UPPER(mnemonic) text_pattern_ops"),
    ("md_product_name_upper_like_idx", "UPPER(name) text_pattern_ops"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON masterdata_product ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("masterdata", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
