import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.analytics import dashboard_selectors as figures
from apps.analytics.tests.factories import known_history
from apps.analytics.tests.stock_history import at, june_history
from apps.inventory.models import StockMonthTotal
from apps.inventory.services.snapshots import stock_snapshots_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_new_company_sees_where_to_start(client_for):
    response = client_for("manager").get(reverse("core:home"))

    assert response.status_code == 200
    assert b'data-testid="dashboard-empty"' in response.content
    assert reverse("masterdata:product_create").encode() in response.content


@pytest.mark.parametrize(
    ("role", "panels"),
    [
        ("manager", ["manager"]),
        ("admin", ["manager"]),
        ("buyer", ["buyer"]),
        ("warehouse", ["warehouse"]),
        ("sales", ["sales"]),
    ],
)
def test_each_role_lands_on_its_dashboard(role, panels, client_for):
    june_history()

    response = client_for(role).get(reverse("core:home"))

    assert response.status_code == 200
    assert [panel["role"] for panel in response.context["home_panels"]] == panels
    assert f'data-testid="dashboard-{panels[0]}"'.encode() in response.content


def test_manager_figures_link_to_the_reports_behind_them(client_for):
    june_history()

    response = client_for("manager").get(reverse("core:home"), {"period": "30", "months": "6"})

    panel = response.context["home_panels"][0]
    assert panel["data"]["inventory_value"] == Decimal(1280)  # A 80 × 11 + B 10 × 40
    assert panel["selectors"]["period"] == 30
    assert len(panel["charts"]["inventory"]["xAxis"]["data"]) == 6
    content = response.content.decode()
    assert reverse("analytics:stock_turnover") in content
    assert 'id="chart-inventory-value" type="application/json"' in content
    assert "<script>" not in content.replace('<script src="', "")  # charts come from a static file


def test_the_sales_clerk_sees_own_sales_and_no_costs(make_user, client):
    data = known_history(make_user)
    client.force_login(data["alice"])

    response = client.get(reverse("core:home"))

    panel = response.context["home_panels"][0]
    assert panel["role"] == "sales"
    assert [series["name"] for series in panel["charts"]["sales"]["series"]] == ["Revenue"]
    assert b"Gross profit" not in response.content
    assert b"Cost" not in response.content


def test_inventory_value_trend_walks_back_from_today(make_user):
    june_history()
    today = datetime.date(2026, 7, 31)

    trend = figures.inventory_value_trend(make_user("manager"), months=3, today=today)

    # The value today is 1,280; July's delivery of 20 (220) and the June movements are peeled off.
    assert trend == [("2026-05", Decimal(1000)), ("2026-06", Decimal(1500)), ("2026-07", Decimal(1280))]


def test_inventory_value_trend_reads_month_ends_from_the_snapshots_in_scope(make_user, django_assert_num_queries):
    data = june_history()
    stock_snapshots_update(now=at(datetime.date(2026, 7, 15)))  # May and June
    today = datetime.date(2026, 7, 31)
    manager = make_user("manager")
    clerk = make_user("warehouse", sees_all_warehouses=False)
    data["w2"].assigned_users.add(clerk)

    with django_assert_num_queries(2):  # the month-end totals and today's value: no movement is read
        trend = figures.inventory_value_trend(manager, months=3, today=today)

    assert trend == [("2026-05", Decimal(1000)), ("2026-06", Decimal(1500)), ("2026-07", Decimal(1280))]
    StockMonthTotal.objects.filter(month__month_end=datetime.date(2026, 5, 31)).update(value=Decimal(999))
    assert figures.inventory_value_trend(manager, months=3, today=today)[0] == ("2026-05", Decimal(999))
    # W2 holds only the biscuits received on 20 June (¥400).
    assert figures.inventory_value_trend(clerk, months=3, today=today) == [
        ("2026-05", Decimal(0)),
        ("2026-06", Decimal(400)),
        ("2026-07", Decimal(400)),
    ]


def test_dashboard_is_cached_for_a_minute(client_for, django_assert_max_num_queries):
    june_history()
    client = client_for("manager")
    client.get(reverse("core:home"))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("core:home"))
    assert len(captured) < 12  # session, user, groups, menu: the figures come from the cache


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dashboard_creates_the_inventory_policy_on_first_use_inside_its_snapshot(client_for):
    from apps.inventory.models import InventoryPolicy

    june_history()
    InventoryPolicy.objects.all().delete()

    response = client_for("manager").get(reverse("core:home"))

    assert response.status_code == 200
    assert InventoryPolicy.objects.filter(pk=1).exists()
