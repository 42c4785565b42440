"""Only roles that may see purchase prices open the purchase analysis; each sees its warehouses."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.analytics.tests.purchase_history import PERIOD, purchase_history

pytestmark = pytest.mark.django_db
PAGES = [
    "analytics:purchase_spend",
    "analytics:purchase_price_trend",
    "analytics:purchase_price_variance",
    "analytics:supplier_delivery",
]


@pytest.mark.parametrize("url_name", PAGES + [f"{name}_export" for name in PAGES])
@pytest.mark.parametrize(
    ("role", "status"), [("buyer", 200), ("manager", 200), ("admin", 200), ("warehouse", 403), ("sales", 403)]
)
def test_purchase_analysis_is_for_buyers_and_managers(url_name, role, status, client_for):
    assert client_for(role).get(reverse(url_name)).status_code == status


def test_the_analysis_permission_alone_is_not_enough_without_seeing_purchase_prices(client_for):
    from django.contrib.auth.models import Permission

    client = client_for("sales")
    client.user.user_permissions.add(Permission.objects.get(codename="view_purchase_analysis"))

    assert client.get(reverse("analytics:purchase_spend")).status_code == 403


def test_the_menu_lists_the_purchase_reports_for_a_buyer_only(client_for):
    home = reverse("core:home")

    assert reverse("analytics:purchase_spend").encode() in client_for("buyer").get(home).content
    assert reverse("analytics:purchase_spend").encode() not in client_for("warehouse").get(home).content


def test_a_buyer_limited_to_one_warehouse_sees_only_its_receipts(client_for):
    data = purchase_history()
    client = client_for("buyer", sees_all_warehouses=False)
    data["w1"].assigned_users.add(client.user)

    spend = client.get(reverse("analytics:purchase_spend"), {**PERIOD, "dimension": "supplier"})
    delivery = client.get(reverse("analytics:supplier_delivery"), PERIOD)
    variance = client.get(reverse("analytics:purchase_price_variance"), PERIOD)

    assert [row["code"] for row in spend.context["rows"]] == ["S1"]
    assert spend.context["totals"]["net"] == Decimal("173.00")
    assert [row["supplier__code"] for row in delivery.context["suppliers"]] == ["S1"]
    assert [line.receipt for line in variance.context["rows"]] == [data["r1"], data["r2"]]
    assert list(spend.context["form"].fields["warehouse"].queryset) == [data["w1"]]
