"""PostgreSQL keeps statistics on the movements' (product, warehouse) pairs, so that anti-joins of
balances against recent movements (dead stock, no movement) are estimated by the pairs that exist
rather than by products × warehouses."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_pair_statistics_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'inv_mv_pair_ndistinct' "
            "AND stxrelid = 'inventory_stockmovement'::regclass"
        )
        row = cursor.fetchone()

    assert row is not None
    assert "d" in row[0]  # ndistinct
