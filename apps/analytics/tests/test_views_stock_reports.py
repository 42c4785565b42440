import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics.tests.stock_history import at, june_history, post_at
from apps.masterdata.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
JUNE = {"date_from": "2026-06-01", "date_to": "2026-06-30"}
REPORTS = [
    "analytics:stock_summary",
    "analytics:stock_valuation",
    "analytics:stock_turnover",
    "analytics:stock_ageing",
    "analytics:dead_stock",
]


@pytest.mark.parametrize("url_name", REPORTS + [f"{name}_export" for name in REPORTS])
@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("buyer", 200), ("warehouse", 200), ("sales", 403), ("admin", 200)]
)
def test_stock_reports_are_for_managers_buyers_and_warehouse_staff(url_name, role, status, client_for):
    assert client_for(role).get(reverse(url_name)).status_code == status


def test_summary_page_shows_rows_totals_and_ledger_links(client_for):
    data = june_history()

    response = client_for("manager").get(reverse("analytics:stock_summary"), JUNE)

    rows = response.context["rows"]
    assert [(r["labels"][0], r["closing_qty"], r["closing_value"]) for r in rows] == [("A", 100, 1100), ("B", 10, 400)]
    assert response.context["totals"]["closing_value"] == 1500
    assert rows[0]["link"] == (
        reverse("inventory:movement_list") + f"?product={data['a'].pk}&date_from=2026-06-01&date_to=2026-06-30"
    )
    assert [key for key, _label in response.context["in_columns"]] == ["in_opening", "in_purchase", "in_sales_return"]
    assert [key for key, _label in response.context["out_columns"]] == ["out_sales", "out_other"]
    assert "movement_type=purchase_receipt" in rows[0]["column_links"]["in_purchase"]
    assert "¥1,500.00" in response.content.decode()


def test_a_drill_down_link_lists_the_movements_behind_the_figure(client_for):
    june_history()
    client = client_for("manager")
    row = client.get(reverse("analytics:stock_summary"), JUNE).context["rows"][0]

    response = client.get(row["column_links"]["out_sales"])

    assert [m.quantity for m in response.context["movements"]] == [-30]


def test_category_rows_drill_down_to_the_products_of_the_category(client_for):
    data = june_history()
    client = client_for("manager")
    rows = client.get(reverse("analytics:stock_summary"), {**JUNE, "grouping": "category"}).context["rows"]

    response = client.get(rows[1]["link"])

    assert f"category={data['food'].pk}" in rows[1]["link"]
    assert [r["labels"][0] for r in response.context["rows"]] == ["B"]


def test_bad_dates_show_the_error_and_no_figures(client_for):
    response = client_for("manager").get(
        reverse("analytics:stock_summary"), {"date_from": "2026-07-01", "date_to": "2026-06-01"}
    )

    assert "rows" not in response.context
    assert b"The start date is after the end date." in response.content


def test_summary_export_has_every_row_and_the_total(client_for):
    june_history()

    response = client_for("manager").get(reverse("analytics:stock_summary_export"), JUNE)

    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:4] == ("Item code", "Product", "Opening quantity", "Opening value")
    assert [row[0] for row in rows[1:]] == ["A", "B", "Total"]
    assert rows[-1][-1] == 1500


def test_valuation_at_a_date_by_warehouse(client_for):
    june_history()

    response = client_for("manager").get(reverse("analytics:stock_valuation"), {"day": "2026-06-15"})

    rows = response.context["rows"]
    assert [(r["labels"], r["closing_qty"], r["closing_value"]) for r in rows] == [(["W1", "North"], 125, 1375)]
    assert rows[0]["link"].startswith(reverse("inventory:stock_as_of") + "?day=2026-06-15")


def test_turnover_shows_the_formula_and_the_ratios(client_for):
    june_history()

    response = client_for("manager").get(reverse("analytics:stock_turnover"), {**JUNE, "grouping": "product"})

    totals = response.context["totals"]
    # (1000 + 1500) / 2 = 1250; 275 / 1250 = 0.22; 1250 × 30 / 275 = 136.4 days
    assert (totals["cogs"], totals["average_value"], totals["turnover"]) == (275, 1250, Decimal("0.22"))
    assert totals["days_of_inventory"] == Decimal("136.4")
    assert b'id="turnover-formula"' in response.content
    assert [r["days_of_inventory"] for r in response.context["rows"]] == [Decimal("114.5"), None]


@pytest.mark.parametrize("url_name", REPORTS)
def test_report_pages_cost_the_same_queries_for_n_and_n_plus_3_products(url_name, client_for):
    data = june_history()
    client = client_for("manager")
    params = {**JUNE, "day": "2026-06-30", "grouping": "product_warehouse"}
    client.get(reverse(url_name), params)  # warm the session and the user

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name), params).status_code == 200
        return len(captured)

    before = count()
    for _ in range(3):
        post_at(at(datetime.date(2026, 6, 3)), ProductFactory(), data["w1"], 4, unit_cost="2")
    assert count() == before


def test_ageing_page_shows_buckets_and_links_to_the_ledger(client_for):
    data = june_history()

    response = client_for("manager").get(reverse("analytics:stock_ageing"))

    rows = response.context["rows"]
    assert [(r["labels"][0], r["on_hand"], sum(q for q, _v in r["buckets"])) for r in rows] == [
        ("A", 80, 80),
        ("B", 10, 10),
    ]
    assert rows[0]["link"].startswith(reverse("inventory:movement_list") + f"?product={data['a'].pk}")
    assert response.context["totals"]["value"] == 1280


def test_dead_stock_page_and_export(client_for):
    june_history()
    client = client_for("manager")

    response = client.get(reverse("analytics:dead_stock"), {"days": "30"})
    export = client.get(reverse("analytics:dead_stock_export"), {"days": "30"})

    assert [r["labels"][0] for r in response.context["rows"]] == ["A", "B"]
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.values)
    assert [row[0] for row in rows[1:]] == ["A", "B", "Total"]
    assert rows[-1][4] == 1280


def test_a_bad_number_of_days_is_refused(client_for):
    response = client_for("manager").get(reverse("analytics:dead_stock"), {"days": "0"})

    assert "rows" not in response.context
    assert b"Ensure this value is greater than or equal to 1." in response.content
