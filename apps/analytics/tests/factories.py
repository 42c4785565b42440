"""Known sales history for the analysis tests, built through the sales services."""

import datetime
from decimal import Decimal

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import CategoryFactory, CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.tests.factories import make_order, make_return, make_shipment

D = Decimal
DAY = datetime.date(2026, 6, 15)


def sell(*, customer, warehouse, product, quantity, price, day, actor=None):
    order = make_order(
        customer=customer,
        warehouse=warehouse,
        lines=[(product, quantity, price)],
        order_date=day,
        confirm=True,
        actor=actor,
    )
    return make_shipment(order, [quantity], ship_date=day)


def known_history(make_user):
    """June 2026: A sells 10 @ 20 (cost 10) to K1 and 5 @ 30 to K2, 2 of K1's come back;
    B sells 4 @ 50 (cost 40) to K2. May 2026 (the previous period): A sells 5 @ 20 to K1."""
    warehouse = WarehouseFactory()
    drinks, food = CategoryFactory(name="Drinks"), CategoryFactory(name="Food")
    a = ProductFactory(code="A", name="Apple juice", category=drinks, min_sale_price=0, tax_rate=D(13))
    b = ProductFactory(code="B", name="Biscuits", category=food, min_sale_price=0, tax_rate=D(13))
    post_stock(a, warehouse, 100, unit_cost="10")
    post_stock(b, warehouse, 100, unit_cost="40")
    alice, bob = make_user("sales", first_name="Alice"), make_user("sales", first_name="Bob")
    k1 = CustomerFactory(code="K1", name="First", salesperson=alice)
    k2 = CustomerFactory(code="K2", name="Second", salesperson=bob)
    first = sell(customer=k1, warehouse=warehouse, product=a, quantity=10, price=20, day=DAY)
    sell(customer=k2, warehouse=warehouse, product=a, quantity=5, price=30, day=DAY + datetime.timedelta(days=1))
    sell(customer=k2, warehouse=warehouse, product=b, quantity=4, price=50, day=DAY + datetime.timedelta(days=2))
    make_return(first, [2], return_date=DAY + datetime.timedelta(days=5))
    sell(customer=k1, warehouse=warehouse, product=a, quantity=5, price=20, day=DAY - datetime.timedelta(days=30))
    return {"a": a, "b": b, "k1": k1, "k2": k2, "alice": alice, "bob": bob, "drinks": drinks, "food": food}
