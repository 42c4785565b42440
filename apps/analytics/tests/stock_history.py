"""A small stock history with hand-computed figures, posted through the ledger at chosen times."""

import datetime
from decimal import Decimal

from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.inventory.models import MovementType
from apps.inventory.services import StockLine, stock_post
from apps.masterdata.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory

D = Decimal


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon (or ``hour``) of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def post_at(moment, product, warehouse, quantity, unit_cost="10", movement_type=MovementType.OPENING):
    """One line posted at ``moment`` (the ledger's ``posted_at`` for trusted callers): a receipt at
    ``unit_cost`` when positive, an issue at average cost when negative."""
    quantity = Decimal(str(quantity))
    if quantity < 0 and movement_type == MovementType.OPENING:
        movement_type = MovementType.OTHER_ISSUE
    line = StockLine(
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        quantity=quantity,
        movement_type=movement_type,
        unit_cost=Decimal(str(unit_cost)) if quantity > 0 else None,
    )
    return stock_post(document_type="test", document_number="TEST", lines=[line], actor=UserFactory(), posted_at=moment)


def june_history():
    """W1: A opening 100 @ 10 on 10 May; in June a receipt of 50 @ 13 (avg 11), a delivery of 30
    (cost 330), a sales return of 5 @ 11, a miscellaneous issue of 25 (275); on 3 July a delivery
    of 20. W2: B opening 10 @ 40 on 20 June.

    June by product: A opens 100 / ¥1,000, receives 55 (¥705), issues 55 (¥605), closes 100 /
    ¥1,100, COGS ¥275; B receives 10 (¥400) and closes 10 / ¥400.
    """
    w1, w2 = WarehouseFactory(code="W1", name="North"), WarehouseFactory(code="W2", name="South")
    drinks, food = CategoryFactory(code="DR", name="Drinks"), CategoryFactory(code="FD", name="Food")
    a = ProductFactory(code="A", name="Apple juice", category=drinks)
    b = ProductFactory(code="B", name="Biscuits", category=food)
    post_at(at(datetime.date(2026, 5, 10)), a, w1, 100, unit_cost="10")
    receipt = post_at(
        at(datetime.date(2026, 6, 5)), a, w1, 50, unit_cost="13", movement_type=MovementType.PURCHASE_RECEIPT
    )
    post_at(at(datetime.date(2026, 6, 10)), a, w1, -30, movement_type=MovementType.SALES_SHIPMENT)
    post_at(at(datetime.date(2026, 6, 12)), a, w1, 5, unit_cost="11", movement_type=MovementType.SALES_RETURN)
    post_at(at(datetime.date(2026, 6, 20)), b, w2, 10, unit_cost="40")
    post_at(at(datetime.date(2026, 6, 25)), a, w1, -25)
    post_at(at(datetime.date(2026, 7, 3)), a, w1, -20, movement_type=MovementType.SALES_SHIPMENT)
    return {"w1": w1, "w2": w2, "a": a, "b": b, "drinks": drinks, "food": food, "receipt": receipt}
