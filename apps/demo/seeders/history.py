"""The demo company's earlier history: the months before the window the purchasing and sales seeders
fill, posted in date order through the real document services with the ledger's posting clock.

Each stock posting is stamped with its document's date (receipts at 10:00, deliveries from 14:00,
returns at 16:00), so the stock as of a date, the movement summary, turnover, ageing and the
dashboards' trends show a year of figures. Customers pay these old deliveries before the recent
window starts, so the history leaves no overdue debt behind.

Dead stock on purpose: the history, purchasing and sales seeders trade only the first products by
code; every other product keeps just its opening stock, posted at ``history_start`` (more than
360 days ago), so the dead-stock report and the "no movement for N days" alert have rows
(``apps/demo/tests/test_seed_dead_stock.py`` keeps it so).
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.demo.seeders import texts
from apps.demo.seeders.procurement import _backdate_approval
from apps.demo.seeders.sales import _confirm, _price, _ship
from apps.inventory.models import StockMovement
from apps.inventory.services.hooks import posting_clock
from apps.masterdata.models import Customer, Product, Supplier, Warehouse
from apps.procurement import services as purchasing
from apps.procurement.models import PurchaseOrderStatus
from apps.sales import services as selling
from apps.sales.models import Receivable

MONTHS = 12
RECENT_DAYS = 183  # the purchasing and sales seeders fill the last half year


def history_start(today: datetime.date) -> datetime.date:
    """The first day of the history: the opening stock is dated here."""
    return today - datetime.timedelta(days=MONTHS * 30 + 10)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.in_bulk(["buyer", "manager", "warehouse", "sales"], field_name="username")


def _receive(order, day: datetime.date, keeper: Any, rng: random.Random) -> None:
    lines = []
    for line in order.lines.order_by("line_no"):
        rejected = Decimal(1) if rng.random() < 0.08 else Decimal(0)
        lines.append(
            purchasing.ReceiptLineInput(
                order_line=line,
                received_quantity=line.quantity,
                rejected_quantity=rejected,
                rejection_reason=str(texts.DAMAGED_PACKAGING) if rejected else "",
            )
        )
    receipt = purchasing.goods_receipt_create(actor=keeper, order=order, receipt_date=day, lines=lines)
    with posting_clock(at(day, 10)):
        purchasing.goods_receipt_post(actor=keeper, receipt=receipt)


@transaction.atomic
def seed(*, today: datetime.date | None = None, rng_seed: int = 2025) -> dict[str, int]:
    """Post the history; idempotent (nothing when movements before the recent window exist)."""
    today = today or timezone.localdate()
    start, end = history_start(today), today - datetime.timedelta(days=RECENT_DAYS)
    counts = {"receipts": 0, "shipments": 0, "returns": 0}
    if StockMovement.objects.filter(posted_at__gte=at(start, 12), posted_at__lt=at(end, 0)).exists():
        return counts
    rng = random.Random(rng_seed)  # noqa: S311  (repeatable demo data, not security)
    users = _users()
    buyer, manager, keeper, clerk = users["buyer"], users["manager"], users["warehouse"], users["sales"]
    warehouse = Warehouse.objects.active().order_by("code").first()
    products = list(Product.objects.active().filter(sale_price__gt=0).order_by("code")[:16])
    customers = list(Customer.objects.active().filter(salesperson__isnull=False).order_by("code")[:12])
    suppliers = list(Supplier.objects.filter(is_active=True).order_by("code")[:3])
    if not (warehouse and products and customers and suppliers):
        return counts
    shipments = []
    day = start + datetime.timedelta(days=7)
    week = 0
    while day < end:
        if week % 2 == 0:  # a purchase order every other week, received three days later
            chosen = rng.sample(products, k=3)
            order = purchasing.purchase_order_create(
                actor=buyer,
                supplier=suppliers[week // 2 % len(suppliers)],
                warehouse=warehouse,
                order_date=day - datetime.timedelta(days=3),
                expected_date=day - datetime.timedelta(days=rng.choice((0, 0, 0, 2))),
                lines=[
                    purchasing.OrderLineInput(product=product, quantity=Decimal(rng.choice((30, 50, 80))))
                    for product in chosen
                ],
                remarks="",
            )
            order = purchasing.purchase_order_submit(actor=buyer, order=order)
            if order.status == PurchaseOrderStatus.SUBMITTED:
                order = purchasing.purchase_order_approve(actor=manager, order=order)
            _backdate_approval(order, order.order_date)
            _receive(order, day, keeper, rng)
            counts["receipts"] += 1
        for number in range(3):  # three sales a week, delivered the next day
            customer = rng.choice(customers)
            lines = [
                selling.OrderLineInput(
                    product=product, quantity=Decimal(rng.choice((2, 3, 5, 8))), unit_price=_price(customer, product)
                )
                for product in rng.sample(products, k=rng.randint(1, 3))
                if _price(customer, product) is not None
            ]
            if not lines:
                continue
            ship_day = day + datetime.timedelta(days=1 + number)
            order = selling.sales_order_create(
                customer=customer,
                warehouse=warehouse,
                order_date=ship_day - datetime.timedelta(days=1),
                delivery_date=ship_day,
                lines=lines,
                actor=clerk,
            )
            order = selling.sales_order_submit(order=order, actor=clerk)
            try:
                order = _confirm(order, clerk, manager, allow_backorder=False)
            except ValidationError:
                selling.sales_order_cancel(order=order, actor=clerk)
                continue
            with posting_clock(at(ship_day, 14, number)):
                shipment = _ship(order, ship_day, keeper, share=1)
            if shipment is not None:
                shipments.append(shipment)
                counts["shipments"] += 1
        if week % 6 == 5 and shipments:  # now and then a customer sends something back
            shipment = shipments[-2] if len(shipments) > 1 else shipments[-1]
            line = shipment.lines.first()
            return_day = day + datetime.timedelta(days=4)
            sales_return = selling.sales_return_create(
                shipment=shipment,
                return_date=return_day,
                reason=str(texts.WRONG_SPECIFICATION),
                lines=[selling.ReturnLineInput(shipment_line=line, quantity=Decimal(1), disposition="restock")],
                actor=clerk,
            )
            with posting_clock(at(return_day, 16)):
                selling.sales_return_post(sales_return=sales_return, actor=clerk)
            counts["returns"] += 1
        day += datetime.timedelta(days=7)
        week += 1
    _settle(customers, end, clerk)
    return counts


def _settle(customers: list[Customer], day: datetime.date, clerk: Any) -> None:
    """Customers pay everything the history left them owing, just before the recent window."""
    for customer in customers:
        owed = sum((r.outstanding for r in Receivable.objects.filter(customer=customer, outstanding__gt=0)), Decimal(0))
        if owed > 0:
            selling.customer_receipt_create(
                customer=customer,
                receipt_date=day - datetime.timedelta(days=1),
                amount=owed,
                method="bank",
                reference=f"DEMO-H-{customer.code}",
                actor=clerk,
            )
