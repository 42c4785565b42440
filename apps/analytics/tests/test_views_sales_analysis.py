from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics.tests.factories import known_history

pytestmark = pytest.mark.django_db
JUNE = {"date_from": "2026-06-01", "date_to": "2026-06-30"}


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("admin", 200), ("sales", 403), ("warehouse", 403), ("buyer", 403)]
)
def test_only_managers_and_admins_open_the_analysis(role, status, client_for):
    client = client_for(role)

    assert client.get(reverse("analytics:sales_analysis")).status_code == status
    assert client.get(reverse("analytics:sales_analysis_export")).status_code == status


def test_analysis_page_shows_rows_chart_and_drill_down_links(client_for, make_user):
    data = known_history(make_user)

    response = client_for("manager").get(reverse("analytics:sales_analysis"), {**JUNE, "dimension": "customer"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["label"], r["revenue"]) for r in rows] == [("K2 Second", 350), ("K1 First", 160)]
    assert f"customer={data['k2'].pk}" in rows[0]["links"]["shipments"]
    assert "status=posted" in rows[0]["links"]["shipments"]
    assert rows[0]["links"]["orders"].startswith(reverse("sales:order_list"))
    assert b'id="trend-option"' in response.content


def test_a_drill_down_link_lists_exactly_the_deliveries_behind_the_figure(client_for, make_user):
    known_history(make_user)
    client = client_for("manager")
    rows = client.get(reverse("analytics:sales_analysis"), {**JUNE, "dimension": "product"}).context["rows"]

    response = client.get(rows[1]["links"]["shipments"])

    assert [s.customer.code for s in response.context["shipments"]] == ["K2"]


def test_bad_dates_show_the_error_and_no_figures(client_for):
    response = client_for("manager").get(
        reverse("analytics:sales_analysis"), {"date_from": "2026-07-01", "date_to": "2026-06-01"}
    )

    assert response.status_code == 200
    assert "rows" not in response.context
    assert b"The start date is after the end date." in response.content


def test_export_writes_the_rows_and_the_total(client_for, make_user):
    known_history(make_user)

    response = client_for("manager").get(reverse("analytics:sales_analysis_export"), {**JUNE, "dimension": "product"})

    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[0] for row in rows[2:]] == ["A Apple juice", "B Biscuits", "Total"]
    assert rows[-1][2] == 510


def test_the_page_costs_the_same_queries_for_n_and_n_plus_3_products(
    client_for, django_assert_num_queries, django_assert_max_num_queries
):
    import datetime

    from apps.analytics.tests.factories import DAY, sell
    from apps.inventory.tests.factories import post_stock
    from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

    client = client_for("manager")
    warehouse, customer = WarehouseFactory(), CustomerFactory()

    def add_products(n):
        for _ in range(n):
            product = ProductFactory(min_sale_price=0)
            post_stock(product, warehouse, 10)
            sell(customer=customer, warehouse=warehouse, product=product, quantity=1, price=20, day=DAY)

    url = reverse("analytics:sales_analysis")
    params = {**JUNE, "dimension": "product"}
    add_products(2)
    client.get(url, params)
    with django_assert_max_num_queries(100) as first:
        client.get(url, params)
    add_products(3)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    assert len(response.context["rows"]) == 5
    assert datetime.date(2026, 6, 15) == DAY


def test_the_analysis_speaks_chinese(client_for, settings):
    client = client_for("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = client.get(reverse("analytics:sales_analysis")).content.decode()

    assert "销售分析" in content
    assert "毛利率 %" in content


def test_the_orders_link_lists_the_orders_shipped_in_the_period(client_for, make_user):
    known_history(make_user)
    client = client_for("manager")
    rows = client.get(reverse("analytics:sales_analysis"), {**JUNE, "dimension": "customer"}).context["rows"]
    k1 = next(r for r in rows if r["label"] == "K1 First")

    orders = client.get(k1["links"]["orders"]).context["orders"]

    # K1 ordered in May and in June; only the June order shipped in June
    assert [o.order_date.isoformat() for o in orders] == ["2026-06-15"]
