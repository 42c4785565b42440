import datetime
from decimal import Decimal

import pytest

from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import Customer
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.selectors import with_rfm
from apps.sales.tests.factories import TODAY, make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sell():
    warehouse = WarehouseFactory()
    product = ProductFactory(min_sale_price=0, tax_rate=0)
    post_stock(product, warehouse, 100000, unit_cost="1")

    def _sell(customer, amount, days_ago):
        day = TODAY - datetime.timedelta(days=days_ago)
        order = make_order(
            customer=customer, warehouse=warehouse, lines=[(product, 1, amount)], order_date=day, confirm=True
        )
        make_shipment(order, [1], ship_date=day)

    return _sell


def test_rfm_segments_on_known_data(sell):
    champion = CustomerFactory(code="CHAMP")
    for days in (5, 40, 70, 100):
        sell(champion, 1000, days)
    loyal = CustomerFactory(code="LOYAL")
    for days in (80, 120, 150):
        sell(loyal, 10, days)
    new = CustomerFactory(code="NEW")
    sell(new, 500, 3)
    at_risk = CustomerFactory(code="RISK")
    for days in (130, 140, 170):
        sell(at_risk, 800, days)
    sleepy = CustomerFactory(code="SLEEPY")
    sell(sleepy, 20, 150)
    lost = CustomerFactory(code="LOST")
    sell(lost, 900, 400)
    CustomerFactory(code="NONE")

    rows = {
        c.code: (c.r_score, c.f_score, c.m_score, c.segment, c.frequency, c.monetary)
        for c in with_rfm(Customer.objects.all(), today=TODAY)
    }

    assert rows == {
        "CHAMP": (5, 3, 5, "champions", 4, D("4000.00")),
        "LOYAL": (3, 3, 2, "loyal", 3, D("30.00")),
        "NEW": (5, 1, 3, "new", 1, D("500.00")),
        "RISK": (2, 3, 4, "at_risk", 3, D("2400.00")),
        "SLEEPY": (2, 1, 1, "hibernating", 1, D("20.00")),
        "LOST": (1, 0, 0, "lost", 0, D("0.00")),
        "NONE": (0, 0, 0, "none", 0, D("0.00")),
    }


def test_segment_is_a_filter(sell):
    sell(CustomerFactory(code="NEW"), 500, 3)
    CustomerFactory(code="NONE")

    codes = list(with_rfm(Customer.objects.all(), today=TODAY).filter(segment="new").values_list("code", flat=True))

    assert codes == ["NEW"]
