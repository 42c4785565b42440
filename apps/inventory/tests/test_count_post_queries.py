"""Posting a stock count costs the same statements for 10 lines as for 50 (the 5,000-line count too)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import MovementType, StockCountLine, StockMovement
from apps.inventory.services import StockLine, stock_post
from apps.inventory.services.counts import (
    CountEntryInput,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_count_submit,
)
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def submitted_count(lines: int, opener):
    warehouse = WarehouseFactory()
    products = ProductFactory.create_batch(lines)
    stock_post(
        document_type="test",
        document_number=f"OPEN-{lines}",
        lines=[
            StockLine(p.pk, warehouse.pk, Decimal(20), MovementType.OPENING, unit_cost=Decimal(2)) for p in products
        ],
        actor=opener,
    )
    count = stock_count_open(actor=opener, warehouse=warehouse)
    # Every line varies, gains and losses alternating: one movement per line.
    entries = [CountEntryInput(p.pk, Decimal(20) + (1 if n % 2 else -1)) for n, p in enumerate(products)]
    stock_count_record(actor=opener, count=count, entries=entries)
    return stock_count_submit(actor=opener, count=count)


def posting_statements(count, approver, capture_callbacks) -> int:
    with CaptureQueriesContext(connection) as queries, capture_callbacks(execute=True):
        stock_count_post(actor=approver, count=count)
    return len(queries)


def test_posting_10_or_50_lines_costs_the_same_statements(make_user, django_capture_on_commit_callbacks):
    opener, approver = make_user("manager"), make_user("admin")
    warm_up, small, large = submitted_count(2, opener), submitted_count(10, opener), submitted_count(50, opener)
    posting_statements(warm_up, approver, django_capture_on_commit_callbacks)  # permission cache, settings row

    statements_10 = posting_statements(small, approver, django_capture_on_commit_callbacks)
    statements_50 = posting_statements(large, approver, django_capture_on_commit_callbacks)

    # 19 on SQLite, 17 on PostgreSQL (one CTE writes it all), of which 3 after the commit are the
    # count-variance alert (the count, the policy row, closing a cleared alert).
    assert statements_10 == statements_50 <= 19
    assert StockMovement.objects.filter(movement_type__in=["count_gain", "count_loss"]).count() == 62
    assert not StockCountLine.objects.filter(count=large, movement__isnull=True).exists()
    large.refresh_from_db()
    assert (large.status, large.gain_value, large.loss_value) == ("posted", Decimal(50), Decimal(50))
