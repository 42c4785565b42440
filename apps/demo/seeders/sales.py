"""Demo sales history: about six months of orders, deliveries, returns and receipts.

Built only through the sales services (and the stock ledger for opening stock), so every number
the pages show — reservations, costs, margins, receivables, ageing, RFM segments — comes from the
same code paths as real use. Needs the master data seeder first (users ``sales``, ``manager``,
``warehouse``; products, customers, warehouses). Deterministic for a given ``today`` and
idempotent: it does nothing when sales orders already exist.

    from apps.demo.seeders import sales
    sales.seed()                     # after masterdata.seed()
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.demo.seeders import texts
from apps.demo.seeders.inventory import post_demo_adjustment
from apps.inventory.models import AdjustmentKind, StockBalance
from apps.inventory.services import AdjustmentLineInput, stock_adjustment_create
from apps.masterdata.models import Customer, Product, Warehouse
from apps.sales import services
from apps.sales.models import FollowUpChannel, Receivable, SalesOrder, SalesOrderStatus
from apps.sales.services import default_unit_price

DAYS = 182
ORDERS = 160
PRODUCTS = 40
CUSTOMERS = 30
TAGS = ["VIP", "经销商", "华南", "华东", "新客户", "重点跟进"]
FOLLOW_UP_NOTES = [
    ("电话回访，客户对上批货满意，下月有补货计划。", "发送新品报价"),
    ("拜访采购经理，讨论年度框架协议。", "准备合同草稿"),
    ("微信沟通账期，客户希望延长到60天。", "请经理审批账期"),
    ("客户反馈包装破损，已安排退货。", ""),
]
PRICE_QUANT = Decimal("0.01")


def _users() -> dict[str, Any]:
    users = get_user_model().objects.in_bulk(["sales", "manager", "warehouse"], field_name="username")
    missing = {"sales", "manager", "warehouse"} - users.keys()
    if missing:
        raise RuntimeError(f"run the master data seeder first: users {sorted(missing)} are missing")
    return users


def _price(customer: Customer, product: Product) -> Decimal | None:
    """The customer's price, raised to the minimum selling price when the discount would go below it."""
    price = default_unit_price(customer=customer, product=product)
    if product.min_sale_price and price < product.min_sale_price:
        price = product.min_sale_price
    return price if price > 0 else None


def _opening_stock(products: list[Product], warehouse: Warehouse, actor: Any, rng: random.Random) -> None:
    """Give each product enough stock for the history (only what the ledger does not hold yet)."""
    on_hand = dict(
        StockBalance.objects.filter(warehouse=warehouse, product__in=products).values_list("product_id", "on_hand")
    )
    lines = []
    for product in products:
        wanted = Decimal(rng.randint(150, 400))
        if on_hand.get(product.pk, 0) >= wanted:
            continue
        cost = product.purchase_price or (product.sale_price * Decimal("0.65"))
        lines.append(
            AdjustmentLineInput(
                product_id=product.pk,
                quantity=wanted - on_hand.get(product.pk, 0),
                unit_cost=cost.quantize(PRICE_QUANT, rounding=ROUND_HALF_UP),
            )
        )
    if lines:
        # An opening-stock document, so every movement has its source document (verify_ledger).
        document = stock_adjustment_create(
            actor=None,  # entered by the seeder, so ``actor`` may approve it
            kind=AdjustmentKind.OPENING,
            warehouse=warehouse,
            date=timezone.localdate(),
            lines=lines,
            remarks=str(texts.SALES_OPENING_STOCK),
        )
        post_demo_adjustment(document=document, actor=actor)


def _confirm(order: SalesOrder, clerk: Any, manager: Any, allow_backorder: bool) -> SalesOrder:
    try:
        return services.sales_order_confirm(order=order, actor=clerk, allow_backorder=allow_backorder)
    except ValidationError:
        # Over the credit limit: the manager approves it (or stock is short without backorders).
        return services.sales_order_confirm(order=order, actor=manager, allow_backorder=True)


def _ship(order: SalesOrder, day: datetime.date, actor: Any, share: float) -> Any:
    lines = []
    for line in order.lines.all():
        open_units = (line.base_quantity - line.shipped_quantity) / line.ratio
        quantity = open_units if share >= 1 else Decimal(max(1, int(open_units * Decimal(str(share)))))
        quantity = min(quantity, open_units)
        if quantity > 0:
            lines.append(services.ShipmentLineInput(order_line=line, quantity=quantity))
    if not lines:
        return None
    shipment = services.shipment_create(
        customer=order.customer, warehouse=order.warehouse, ship_date=day, lines=lines, actor=actor
    )
    try:
        return services.shipment_post(shipment=shipment, actor=actor)
    except ValidationError:
        services.shipment_cancel(shipment=shipment, actor=actor)
        return None


@transaction.atomic
def seed(*, today: datetime.date | None = None, orders: int = ORDERS, rng_seed: int = 2026) -> dict[str, int]:
    """Create the sales history; returns counts (all 0 when sales documents already exist)."""
    today = today or timezone.localdate()
    if SalesOrder.objects.filter(order_date__gte=today - datetime.timedelta(days=DAYS)).exists():
        return {"orders": 0, "shipments": 0, "returns": 0, "receipts": 0}  # (older orders are the history's)
    rng = random.Random(rng_seed)  # noqa: S311  (repeatable demo data, not security)
    users = _users()
    clerk, manager, keeper = users["sales"], users["manager"], users["warehouse"]
    warehouse = Warehouse.objects.active().order_by("code").first()
    products = list(
        Product.objects.active().filter(sale_price__gt=0).select_related("base_unit").order_by("code")[:PRODUCTS]
    )
    customers = list(Customer.objects.active().filter(Q(salesperson__isnull=False)).order_by("code")[:CUSTOMERS])
    if warehouse is None or not products or not customers:
        raise RuntimeError("run the master data seeder first: warehouses, products and customers are needed")
    _opening_stock(products, warehouse, manager, rng)

    counts = {"orders": 0, "shipments": 0, "returns": 0, "receipts": 0}
    # Some customers buy often, some rarely, a few stopped buying: RFM segments get real spread.
    weights = [rng.choice((1, 1, 2, 4, 8)) for _ in customers]
    lapsed = set(rng.sample(range(len(customers)), k=max(1, len(customers) // 6)))
    shipments = []
    for index in range(orders):
        day = today - datetime.timedelta(days=DAYS - (DAYS * index) // orders)
        position = rng.choices(range(len(customers)), weights=weights)[0]
        if position in lapsed and (today - day).days < 100:
            position = (position + 1) % len(customers)
        customer = customers[position]
        picked = rng.sample(products, k=rng.randint(1, 4))
        lines = [
            services.OrderLineInput(
                product=product,
                quantity=Decimal(rng.choice((1, 2, 3, 5, 6, 10, 12, 20))),
                unit_price=_price(customer, product),
                discount_percent=Decimal(rng.choice((0, 0, 0, 3, 5))),
            )
            for product in picked
            if _price(customer, product) is not None
        ]
        if not lines:
            continue
        order = services.sales_order_create(
            customer=customer,
            warehouse=warehouse,
            order_date=day,
            delivery_date=day + datetime.timedelta(days=3),
            lines=lines,
            actor=clerk,
        )
        counts["orders"] += 1
        age = (today - day).days
        fate = rng.random()
        if age <= 4 and fate < 0.3:
            continue  # still a draft
        order = services.sales_order_submit(order=order, actor=clerk)
        if age <= 4 and fate < 0.6:
            continue  # waiting for approval
        if fate > 0.97:
            services.sales_order_cancel(order=order, actor=clerk)
            continue
        order = _confirm(order, clerk, manager, allow_backorder=fate > 0.9)
        if age <= 2:
            continue  # approved, not shipped yet
        ship_day = min(day + datetime.timedelta(days=rng.randint(1, 3)), today)
        partial = fate > 0.8
        shipment = _ship(order, ship_day, keeper, share=0.5 if partial else 1)
        if shipment is None:
            continue
        shipments.append(shipment)
        counts["shipments"] += 1
        if partial:
            rest_day = min(ship_day + datetime.timedelta(days=rng.randint(5, 15)), today)
            order.refresh_from_db()
            if not order.is_open:
                pass  # the half turned out to be everything
            elif fate > 0.93:
                services.sales_order_close(order=order, actor=clerk)
            elif (today - rest_day).days >= 1 and (second := _ship(order, rest_day, keeper, share=1)):
                shipments.append(second)
                counts["shipments"] += 1

    for shipment in shipments[:: max(1, len(shipments) // 8)][:8]:
        line = shipment.lines.first()
        return_day = min(shipment.ship_date + datetime.timedelta(days=rng.randint(2, 10)), today)
        scrap = counts["returns"] % 3 == 2
        sales_return = services.sales_return_create(
            shipment=shipment,
            return_date=return_day,
            reason=str(texts.PACKAGING_BROKEN) if scrap else str(texts.WRONG_SPECIFICATION),
            lines=[
                services.ReturnLineInput(
                    shipment_line=line,
                    quantity=min(line.quantity, Decimal(1)),
                    disposition="scrap" if scrap else "restock",
                    scrap_reason=str(texts.BROKEN_IN_TRANSIT) if scrap else "",
                )
            ],
            actor=clerk,
        )
        services.sales_return_post(sales_return=sales_return, actor=clerk)
        counts["returns"] += 1

    # Customers pay most deliveries some weeks after the due date; a few stay overdue.
    for customer in customers:
        receivables = list(Receivable.objects.filter(customer=customer, outstanding__gt=0).order_by("document_date"))
        paying = [r for r in receivables if (today - r.document_date).days > customer.payment_terms_days - 10]
        if not paying or rng.random() < 0.15:
            continue
        settle = paying[: max(1, int(len(paying) * rng.uniform(0.6, 1.0)))]
        amount = sum((r.outstanding for r in settle), Decimal(0))
        if rng.random() < 0.3:
            amount = (amount * Decimal("0.7")).quantize(PRICE_QUANT)
        pay_day = min(settle[-1].due_date + datetime.timedelta(days=rng.randint(-5, 20)), today)
        services.customer_receipt_create(
            customer=customer,
            receipt_date=max(pay_day, settle[-1].document_date),
            amount=amount,
            method=rng.choice(("bank", "bank", "wechat", "alipay", "cash")),
            reference=f"DEMO-{customer.code}",
            actor=clerk,
        )
        counts["receipts"] += 1

    for position, customer in enumerate(customers):
        services.customer_tags_set(customer=customer, names=rng.sample(TAGS, k=1 + position % 2), actor=clerk)
        if position % 3 == 0:
            note, action = FOLLOW_UP_NOTES[position % len(FOLLOW_UP_NOTES)]
            follow_day = today - datetime.timedelta(days=rng.randint(1, 40))
            services.customer_follow_up_create(
                customer=customer,
                date=follow_day,
                channel=rng.choice(FollowUpChannel.values),
                note=note,
                next_action=action,
                next_action_date=follow_day + datetime.timedelta(days=7) if action else None,
                actor=clerk,
            )
    counts["open_orders"] = SalesOrder.objects.filter(
        status__in=[SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIAL]
    ).count()
    return counts
