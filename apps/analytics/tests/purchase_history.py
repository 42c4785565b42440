"""A known purchasing history for the purchase analysis tests, built through the procurement services.

Suppliers S1 Acme and S2 Beta; products A (Drinks) and B (Food); warehouses W1 and W2; 13 % VAT.
Price list: S1·A 10 until 2026-05-31, then 11; S2·B 20.

- R1 (W1, S1): order O1 A 10 @ 12, expected 05-20; received 05-18: 10, 2 rejected → 8 accepted:
  96.00 + tax 12.48 = 108.48; on time; list 10 → paid 16.00 (20 %) above the list.
- R2 (W1, S1): order O2 A 10 @ 11, expected 06-05; received 06-10, all accepted: 110.00 + 14.30
  = 124.30; late; list 11 → no variance.
- R3 (W2, S2): order O3 B 5 @ 18, expected 06-20; received 06-15: 90.00 + 11.70 = 101.70; on
  time; list 20 → 10.00 (10 %) below the list.
- T1: 3 of A returned from R2 on 06-20: 33.00 + 4.29 = 37.29.
"""

import datetime
from decimal import Decimal

from apps.masterdata.tests.factories import CategoryFactory, ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.tests.factories import SupplierPriceFactory, buyer_user, manager_user, receive

D = Decimal
PERIOD = {"date_from": "2026-05-01", "date_to": "2026-06-30"}


def _order(*, supplier, warehouse, product, quantity, price, order_date, expected):
    buyer = buyer_user()
    order = services.purchase_order_create(
        actor=buyer,
        supplier=supplier,
        warehouse=warehouse,
        order_date=order_date,
        expected_date=expected,
        lines=[services.OrderLineInput(product=product, quantity=D(quantity), unit_price=D(price), tax_rate=D(13))],
    )
    order = services.purchase_order_submit(actor=buyer, order=order)
    if order.status == "submitted":
        order = services.purchase_order_approve(actor=manager_user(), order=order)
    return order


def purchase_history() -> dict:
    w1, w2 = WarehouseFactory(code="W1", name="North"), WarehouseFactory(code="W2", name="South")
    drinks, food = CategoryFactory(code="DR", name="Drinks"), CategoryFactory(code="FD", name="Food")
    a = ProductFactory(code="A", name="Apple juice", category=drinks)
    b = ProductFactory(code="B", name="Biscuits", category=food)
    s1, s2 = SupplierFactory(code="S1", name="Acme"), SupplierFactory(code="S2", name="Beta")
    SupplierPriceFactory(
        supplier=s1, product=a, price=D(10), valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 5, 31)
    )
    SupplierPriceFactory(supplier=s1, product=a, price=D(11), valid_from=datetime.date(2026, 6, 1))
    SupplierPriceFactory(supplier=s2, product=b, price=D(20), valid_from=datetime.date(2026, 1, 1))
    o1 = _order(
        supplier=s1,
        warehouse=w1,
        product=a,
        quantity=10,
        price=12,
        order_date=datetime.date(2026, 5, 2),
        expected=datetime.date(2026, 5, 20),
    )
    r1 = receive(o1, quantities=[10], rejected=[2], receipt_date=datetime.date(2026, 5, 18))
    o2 = _order(
        supplier=s1,
        warehouse=w1,
        product=a,
        quantity=10,
        price=11,
        order_date=datetime.date(2026, 5, 25),
        expected=datetime.date(2026, 6, 5),
    )
    r2 = receive(o2, quantities=[10], receipt_date=datetime.date(2026, 6, 10))
    o3 = _order(
        supplier=s2,
        warehouse=w2,
        product=b,
        quantity=5,
        price=18,
        order_date=datetime.date(2026, 6, 1),
        expected=datetime.date(2026, 6, 20),
    )
    r3 = receive(o3, quantities=[5], receipt_date=datetime.date(2026, 6, 15))
    buyer = buyer_user()
    t1 = services.purchase_return_create(
        actor=buyer,
        receipt=r2,
        reason="leaking",
        lines=[services.ReturnLineInput(receipt_line=r2.lines.get(), quantity=D(3))],
        return_date=datetime.date(2026, 6, 20),
    )
    t1 = services.purchase_return_post(actor=buyer, purchase_return=t1)
    return {
        "w1": w1,
        "w2": w2,
        "drinks": drinks,
        "food": food,
        "a": a,
        "b": b,
        "s1": s1,
        "s2": s2,
        "r1": r1,
        "r2": r2,
        "r3": r3,
        "t1": t1,
    }
