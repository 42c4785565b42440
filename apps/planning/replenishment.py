"""Replenishment suggestions (补货建议): the arithmetic per product × warehouse, in Decimal.

inventory position = on hand − reserved + on order
order when the position is at or below the reorder point, up to the order-up-to level
(demand over lead time + review period + safety stock); optionally at least the EOQ;
then at least the supplier's minimum order quantity, rounded up to whole packs (or whole units).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.fields import QUANTITY_QUANT
from apps.planning.models import ItemForecast, ItemStatus
from apps.planning.selectors import PERIOD_DAYS, balances, on_order
from apps.planning.suppliers import supplier_choices

ZERO = Decimal(0)


def eoq(*, annual_demand: Decimal, order_cost: Decimal, unit_cost: Decimal, holding_rate: Decimal) -> Decimal:
    """Economic order quantity sqrt(2 D S / (h c)); zero when any input is missing."""
    holding = unit_cost * holding_rate
    if annual_demand <= 0 or order_cost <= 0 or holding <= 0:
        return ZERO
    return Decimal(math.sqrt(float(2 * annual_demand * order_cost / holding))).quantize(QUANTITY_QUANT)


def round_order(quantity: Decimal, *, moq: Decimal, pack: Decimal) -> Decimal:
    """At least ``moq``, then up to a whole number of packs (without a pack size, whole units)."""
    if quantity <= 0:
        return ZERO
    quantity = max(quantity, moq)
    step = pack if pack > 0 else Decimal(1)
    return ((quantity / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(QUANTITY_QUANT)


@dataclass
class Suggestion:
    item: ItemForecast
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    supplier_row: Any  # SupplierPrice or None
    eoq: Decimal
    use_eoq: bool
    choice: Any = None  # SupplierChoice: the reason and every candidate
    steps: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def product(self):
        return self.item.product

    @property
    def warehouse(self):
        return self.item.warehouse

    @property
    def supplier(self):
        return self.supplier_row.supplier if self.supplier_row else None

    @property
    def moq(self) -> Decimal:
        return self.supplier_row.min_order_qty if self.supplier_row else ZERO

    @property
    def pack(self) -> Decimal:
        return self.supplier_row.pack_size if self.supplier_row else ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def position(self) -> Decimal:
        return self.available + self.on_order

    @property
    def reorder_point(self) -> Decimal:
        return self.item.reorder_point or ZERO

    @property
    def order_up_to(self) -> Decimal:
        return self.item.order_up_to or ZERO

    @property
    def needed(self) -> bool:
        return self.item.status == ItemStatus.OK and self.position <= self.reorder_point

    @property
    def shortfall(self) -> Decimal:
        return max(self.order_up_to - self.position, ZERO) if self.needed else ZERO

    @property
    def raw_quantity(self) -> Decimal:
        raw = self.shortfall
        if self.use_eoq and raw > 0:
            raw = max(raw, self.eoq)
        return raw

    @property
    def quantity(self) -> Decimal:
        return round_order(self.raw_quantity, moq=self.moq, pack=self.pack)

    @property
    def value(self) -> Decimal:
        price = self.supplier_row.price if self.supplier_row else self.product.purchase_price
        return (self.quantity * price).quantize(Decimal("0.01"))


def suggestions_for(
    items: Iterable[ItemForecast], *, period: str, use_eoq: bool = False, on_date=None
) -> list[Suggestion]:
    """A suggestion per forecast item, with five more queries whatever the number of items."""
    items = list(items)
    on_date = on_date or timezone.localdate()
    product_ids = {item.product_id for item in items}
    warehouse_ids = {item.warehouse_id for item in items}
    stock = balances(product_ids=product_ids, warehouse_ids=warehouse_ids)
    open_orders = on_order(product_ids=product_ids, warehouse_ids=warehouse_ids)
    choices = supplier_choices(product_ids=product_ids, on_date=on_date)
    order_cost = Decimal(str(getattr(settings, "PLANNING_ORDER_COST", "50")))
    holding_rate = Decimal(str(getattr(settings, "PLANNING_HOLDING_RATE", "0.2")))
    periods_per_year = Decimal(365) / PERIOD_DAYS[period]
    out = []
    for item in items:
        key = (item.product_id, item.warehouse_id)
        on_hand, reserved = stock.get(key, (0.0, 0.0))
        choice = choices.get(item.product_id)
        row = choice.row if choice else None
        unit_cost = row.price if row else item.product.purchase_price
        out.append(
            Suggestion(
                item=item,
                on_hand=Decimal(str(on_hand)),
                reserved=Decimal(str(reserved)),
                on_order=Decimal(str(open_orders.get(key, 0.0))).quantize(QUANTITY_QUANT),
                supplier_row=row,
                eoq=eoq(
                    annual_demand=item.mean_demand * periods_per_year,
                    order_cost=order_cost,
                    unit_cost=unit_cost,
                    holding_rate=holding_rate,
                ),
                use_eoq=use_eoq,
                choice=choice,
            )
        )
    return out
