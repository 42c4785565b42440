"""Purchasing test data. Documents are made through the services, so every invariant holds."""

import datetime
from decimal import Decimal

import factory

from apps.accounts.tests.factories import UserFactory
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import GoodsReceipt, PurchaseOrder, SupplierPrice


def D(value) -> Decimal:
    return Decimal(str(value))


class SupplierPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierPrice

    supplier = factory.SubFactory(SupplierFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("8.0000")
    lead_time_days = 5
    valid_from = datetime.date(2026, 1, 1)


def buyer_user():
    return UserFactory(role="buyer")


def manager_user():
    return UserFactory(role="manager")


def warehouse_user():
    return UserFactory(role="warehouse")


def make_order(
    *,
    buyer=None,
    supplier=None,
    warehouse=None,
    lines=None,
    order_date=None,
    expected_date=None,
) -> PurchaseOrder:
    """A draft order. ``lines``: [(product, quantity, unit_price)] (price ``None`` = default)."""
    buyer = buyer or buyer_user()
    if lines is None:
        lines = [(ProductFactory(), 10, "10")]
    return services.purchase_order_create(
        actor=buyer,
        supplier=supplier or SupplierFactory(),
        warehouse=warehouse or WarehouseFactory(),
        order_date=order_date or datetime.date(2026, 3, 2),
        expected_date=expected_date,
        lines=[
            services.OrderLineInput(
                product=product,
                quantity=D(quantity),
                unit_price=None if price is None else D(price),
                tax_rate=Decimal(0),
            )
            for product, quantity, price in lines
        ],
    )


def approved_order(*, approver=None, **kwargs) -> PurchaseOrder:
    """An approved order (submitted, then approved by a manager if above the threshold)."""
    order = make_order(**kwargs)
    order = services.purchase_order_submit(actor=order.buyer, order=order)
    if order.status == "submitted":
        order = services.purchase_order_approve(actor=approver or manager_user(), order=order)
    return order


def receive(
    order: PurchaseOrder,
    *,
    actor=None,
    quantities=None,
    rejected=None,
    receipt_date=None,
    post=True,
) -> GoodsReceipt:
    """Receive ``order``: ``quantities`` per order line (default: all open), ``rejected`` likewise."""
    actor = actor or warehouse_user()
    order_lines = list(order.lines.order_by("line_no"))
    quantities = quantities or [line.open_quantity / line.ratio for line in order_lines]
    rejected = rejected or [0] * len(order_lines)
    receipt = services.goods_receipt_create(
        actor=actor,
        order=order,
        receipt_date=receipt_date or order.expected_date,
        lines=[
            services.ReceiptLineInput(
                order_line=line,
                received_quantity=D(quantity),
                rejected_quantity=D(bad),
                rejection_reason="damaged" if bad else "",
            )
            for line, quantity, bad in zip(order_lines, quantities, rejected, strict=True)
        ],
    )
    if post:
        receipt = services.goods_receipt_post(actor=actor, receipt=receipt)
    return receipt
