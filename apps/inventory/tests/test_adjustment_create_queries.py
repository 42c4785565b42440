"""Saving an adjustment costs the same statements for 5 lines as for 100 (no query per line)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import AdjustmentKind
from apps.inventory.services import AdjustmentLineInput, stock_adjustment_create
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def _statements(actor, warehouse, products) -> int:
    lines = [AdjustmentLineInput(product_id=p.pk, quantity=Decimal(3), unit_cost=Decimal("1.5")) for p in products]
    with CaptureQueriesContext(connection) as captured:
        stock_adjustment_create(
            actor=actor,
            kind=AdjustmentKind.OPENING,
            warehouse=warehouse,
            date=warehouse.created_at.date(),
            lines=lines,
        )
    return len(captured.captured_queries)


def test_the_statements_do_not_grow_with_the_lines(make_user):
    actor, warehouse = make_user("admin"), WarehouseFactory()
    products = ProductFactory.create_batch(100)
    _statements(actor, warehouse, products[:1])  # the day's first number creates its counter

    few = _statements(actor, warehouse, products[:5])
    many = _statements(actor, warehouse, products)

    assert many == few
