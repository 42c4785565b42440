"""The stock reports cost the same number of queries for N and N+3 rows when they start from a monthly snapshot."""

import datetime

import pytest
from django.urls import reverse

from apps.analytics.stock_selectors import snapshot_before
from apps.analytics.tests.stock_history import at, june_history, post_at
from apps.inventory.models import StockSnapshotMonth
from apps.inventory.services.snapshots import stock_snapshots_update
from apps.masterdata.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
PAGES = [
    ("analytics:stock_summary", {"date_from": "2026-07-01", "date_to": "2026-07-31", "grouping": "product"}),
    ("analytics:stock_valuation", {"day": "2026-07-31", "grouping": "product_warehouse"}),
    ("analytics:stock_turnover", {"date_from": "2026-07-01", "date_to": "2026-09-30", "grouping": "product"}),
]


@pytest.mark.parametrize(("url_name", "params"), PAGES)
def test_a_report_from_a_snapshot_costs_the_same_queries_for_n_and_n_plus_3_rows(
    url_name, params, client_for, django_assert_num_queries, django_assert_max_num_queries
):
    data = june_history()
    stock_snapshots_update()
    client = client_for("manager")
    assert snapshot_before(datetime.date(2026, 7, 1)) is not None
    with django_assert_max_num_queries(30) as first:
        response = client.get(reverse(url_name), params)
    rows = len(response.context["rows"])

    StockSnapshotMonth.objects.all().delete()  # reopen the months to post three more products into June
    for _ in range(3):
        post_at(at(datetime.date(2026, 6, 15)), ProductFactory(), data["w1"], 5)
    stock_snapshots_update()

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse(url_name), params)
    assert len(response.context["rows"]) == rows + 3
