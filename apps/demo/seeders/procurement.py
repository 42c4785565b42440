"""Demo purchasing history, made through the purchasing services so every figure is real.

Call after the master-data seeder (users, products, suppliers, warehouses exist)::

    from apps.demo.seeders import procurement
    procurement.seed(buyer=..., manager=..., warehouse_user=...)   # or seed() to pick them

It creates, over the last ~6 months: a price list, orders in every status, receipts with some
rejections and late deliveries, a purchase return and supplier payments, so the scorecards, the
supplier comparison and the payables ageing show real numbers. Idempotent: does nothing when
purchase orders already exist.
"""

import datetime
import random
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.models import SystemSettings
from apps.demo.seeders import texts
from apps.masterdata.models import Product, ProductUnit, Supplier, Warehouse
from apps.procurement import services
from apps.procurement.models import PurchaseOrder, PurchaseOrderStatus, SupplierPrice

S = PurchaseOrderStatus


def _user(role: str):
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def _backdate_approval(order: PurchaseOrder, day: datetime.date) -> None:
    """The services stamp approvals with the current time; a history needs them in the past."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    PurchaseOrder.objects.filter(pk=order.pk).update(submitted_at=moment, approved_at=moment)
    order.refresh_from_db()


@transaction.atomic
def seed(
    *,
    buyer=None,
    manager=None,
    warehouse_user=None,
    suppliers: Sequence[Supplier] | None = None,
    products: Sequence[Product] | None = None,
    warehouses: Sequence[Warehouse] | None = None,
    today: datetime.date | None = None,
    orders: int = 36,
    rng_seed: int = 7,
) -> dict:
    """Seed the purchasing history; returns counts. Missing arguments are looked up: the first
    active user of the buyer / manager / warehouse role, up to 5 suppliers, 12 products and the
    active warehouses."""
    today = today or timezone.localdate()
    if PurchaseOrder.objects.filter(order_date__gte=today - datetime.timedelta(days=180)).exists():
        return {"skipped": True}  # (older orders are the history seeder's)
    rng = random.Random(rng_seed)  # noqa: S311  (demo data, not crypto)
    buyer = buyer or _user("buyer")
    manager = manager or _user("manager")
    warehouse_user = warehouse_user or _user("warehouse") or buyer
    suppliers = list(suppliers or Supplier.objects.filter(is_active=True).order_by("code")[:5])
    products = list(products or Product.objects.filter(is_active=True).order_by("code")[:12])
    warehouses = list(warehouses or Warehouse.objects.filter(is_active=True).order_by("code"))
    if not (buyer and manager and suppliers and products and warehouses):
        raise ValueError("seed the master data (users with roles, suppliers, products, warehouses) first")

    # A modest threshold so some orders wait for the manager and some are approved automatically.
    settings_row = SystemSettings.load()
    settings_row.purchase_approval_threshold = Decimal("20000.00")
    settings_row.receipt_tolerance_percent = Decimal("5.00")
    settings_row.save(update_fields=["purchase_approval_threshold", "receipt_tolerance_percent", "updated_at"])

    # Supplier profiles: how punctual, how complete and how careful each one is.
    profiles = [
        {"late": 0.05, "short": 0.00, "reject": 0.00, "markup": Decimal("0.00")},
        {"late": 0.30, "short": 0.15, "reject": 0.10, "markup": Decimal("-0.05")},
        {"late": 0.15, "short": 0.05, "reject": 0.04, "markup": Decimal("0.03")},
        {"late": 0.50, "short": 0.25, "reject": 0.20, "markup": Decimal("-0.10")},
        {"late": 0.10, "short": 0.00, "reject": 0.02, "markup": Decimal("0.05")},
    ]
    start = today - datetime.timedelta(days=180)
    # Suppliers sell by the case where the product has one, and some want at least two or three cases.
    cases = dict(
        ProductUnit.objects.filter(product__in=products)
        .values("product")
        .annotate(ratio=Max("ratio"))
        .values_list("product", "ratio")
    )
    for index, supplier in enumerate(suppliers):
        for product in products:
            if (index + product.pk) % 3 == 0 and index:  # not every supplier sells everything
                continue
            base = product.purchase_price or Decimal(10)
            pack = cases.get(product.pk) or Decimal(1)
            services.supplier_price_create(
                actor=buyer,
                data={
                    "supplier": supplier,
                    "product": product,
                    "price": (base * (1 + profiles[index % len(profiles)]["markup"])).quantize(Decimal("0.01")),
                    "lead_time_days": 3 + index * 2,
                    "pack_size": pack,
                    "min_order_qty": pack * (1 + (index + product.pk) % 3),
                    "is_preferred": index == 0,
                    "valid_from": start - datetime.timedelta(days=30),
                },
            )

    counts = {"orders": 0, "receipts": 0, "returns": 0, "payments": 0}
    posted_receipts = []
    for number in range(orders):
        supplier = suppliers[number % len(suppliers)]
        profile = profiles[suppliers.index(supplier) % len(profiles)]
        order_date = start + datetime.timedelta(days=int(number * 175 / orders))
        terms = {
            row["product_id"]: row
            for row in SupplierPrice.objects.filter(supplier=supplier).values(
                "product_id", "price", "min_order_qty", "pack_size"
            )
        }
        offered = {product_id: row["price"] for product_id, row in terms.items()}
        chosen = [p for p in products if p.pk in offered][: rng.randint(1, 4)] or products[:1]
        drift = Decimal(rng.choice(["0.97", "1.00", "1.02", "1.05"])) if number % 3 == 0 else None
        lines = [
            services.OrderLineInput(
                product=product,
                quantity=_orderable(Decimal(rng.choice([20, 40, 60, 100, 200])), terms.get(product.pk)),
                # mostly the price-list price; now and then a negotiated or surcharged one
                unit_price=(offered[product.pk] * drift).quantize(Decimal("0.01"))
                if drift and product.pk in offered
                else None,
            )
            for product in chosen
        ]
        order = services.purchase_order_create(
            actor=buyer,
            supplier=supplier,
            warehouse=warehouses[number % len(warehouses)],
            order_date=order_date,
            lines=lines,
            remarks="",
        )
        counts["orders"] += 1
        fate = number % 12
        if fate == 0:
            continue  # stays a draft
        if fate == 1:
            services.purchase_order_cancel(actor=buyer, order=order, reason=str(texts.DUPLICATE))
            continue
        order = services.purchase_order_submit(actor=buyer, order=order)
        if order.status == S.SUBMITTED:
            if fate == 2:
                continue  # waiting for the manager
            if fate == 3:
                services.purchase_order_reject(actor=manager, order=order, reason=str(texts.BETTER_PRICE))
                continue
            order = services.purchase_order_approve(actor=manager, order=order)
        _backdate_approval(order, order_date)
        if fate == 4 or order.expected_date > today:
            continue  # approved, nothing received yet

        late = rng.random() < profile["late"]
        receipt_date = order.expected_date + datetime.timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 2))
        receipt_date = min(max(receipt_date, order_date), today)
        order_lines = list(order.lines.order_by("line_no"))
        receipt_lines = []
        for line in order_lines:
            quantity = line.quantity
            if rng.random() < profile["short"]:
                quantity = (quantity * Decimal("0.7")).quantize(Decimal(1))
            rejected = Decimal(0)
            if rng.random() < profile["reject"] * 3:
                rejected = max((quantity * Decimal(str(profile["reject"]))).quantize(Decimal(1)), Decimal(1))
            receipt_lines.append(
                services.ReceiptLineInput(
                    order_line=line,
                    received_quantity=quantity,
                    rejected_quantity=rejected,
                    rejection_reason=str(texts.DAMAGED_PACKAGING) if rejected else "",
                )
            )
        receipt = services.goods_receipt_create(
            actor=warehouse_user, order=order, receipt_date=receipt_date, lines=receipt_lines
        )
        receipt = services.goods_receipt_post(actor=warehouse_user, receipt=receipt)
        counts["receipts"] += 1
        posted_receipts.append(receipt)
        order.refresh_from_db()
        if order.status == S.PARTIALLY_RECEIVED and fate % 2:
            services.purchase_order_close(actor=buyer, order=order, reason=str(texts.CANNOT_DELIVER))

    # One receipt without an order, one return, payments for the older receipts.
    supplier = suppliers[0]
    product = products[0]
    receipt = services.goods_receipt_create(
        actor=warehouse_user,
        supplier=supplier,
        warehouse=warehouses[0],
        receipt_date=today - datetime.timedelta(days=12),
        reason=str(texts.URGENT_TOP_UP),
        lines=[
            services.ReceiptLineInput(product=product, received_quantity=Decimal(10), unit_price=product.purchase_price)
        ],
    )
    posted_receipts.append(services.goods_receipt_post(actor=warehouse_user, receipt=receipt))
    counts["receipts"] += 1
    if posted_receipts:
        target = posted_receipts[len(posted_receipts) // 2]
        line = target.lines.order_by("line_no").first()
        if line is not None and line.accepted_quantity >= 2:
            purchase_return = services.purchase_return_create(
                actor=buyer,
                receipt=target,
                reason=str(texts.FAULTY_BATCH),
                return_date=max(target.receipt_date, today - datetime.timedelta(days=20)),
                lines=[services.ReturnLineInput(receipt_line=line, quantity=Decimal(1))],
            )
            services.purchase_return_post(actor=buyer, purchase_return=purchase_return)
            counts["returns"] += 1
    for supplier in suppliers:
        owed = [
            r
            for r in posted_receipts
            if r.supplier_id == supplier.pk and r.receipt_date < today - datetime.timedelta(days=45)
        ]
        total = sum((r.total_amount for r in owed), Decimal(0))
        if total <= 0:
            continue
        services.supplier_payment_create(
            actor=buyer,
            supplier=supplier,
            amount=(total * Decimal("0.8")).quantize(Decimal("0.01")),
            payment_date=today - datetime.timedelta(days=rng.randint(5, 30)),
            account=str(texts.BANK),
            auto_allocate=True,
        )
        counts["payments"] += 1
    return counts


def _orderable(quantity: Decimal, terms: dict | None) -> Decimal:
    """``quantity`` rounded up to whole packs and at least the supplier's minimum order."""
    if not terms:
        return quantity
    pack = terms["pack_size"] or Decimal(1)
    quantity = max(quantity, terms["min_order_qty"])
    return (quantity / pack).to_integral_value(rounding=ROUND_CEILING) * pack
