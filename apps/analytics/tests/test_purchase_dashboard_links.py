"""The buyer's and the manager's dashboards lead to the purchase analysis."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.analytics.tests.purchase_history import purchase_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_buyer_dashboard_links_to_the_purchase_reports(client_for):
    purchase_history()

    response = client_for("buyer").get(reverse("core:home"))

    content = response.content.decode()
    assert 'data-testid="buyer-purchase-reports"' in content
    for name in ("purchase_spend", "purchase_price_trend", "purchase_price_variance", "supplier_delivery"):
        assert reverse(f"analytics:{name}") in content


def test_the_managers_on_time_figure_opens_the_supplier_delivery_report(client_for):
    purchase_history()
    today = timezone.localdate()

    response = client_for("manager").get(reverse("core:home"))

    link = response.context["home_panels"][0]["data"]["links"]["on_time"]
    assert link.startswith(reverse("analytics:supplier_delivery") + "?date_from=")
    assert link.endswith(f"date_to={today.isoformat()}")
