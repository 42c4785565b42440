"""Sales documents for tests, built through the services (stock through the ledger)."""

import datetime
from decimal import Decimal

import factory

from apps.accounts.tests.factories import UserFactory
from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales.models import CustomerFollowUp, CustomerTag
from apps.sales.services import (
    OrderLineInput,
    ReturnLineInput,
    ShipmentLineInput,
    sales_order_confirm,
    sales_order_create,
    sales_order_submit,
    sales_return_create,
    sales_return_post,
    shipment_create,
    shipment_post,
)

D = Decimal
TODAY = datetime.date(2026, 11, 26)


class CustomerTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerTag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tag {n}")


class CustomerFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerFollowUp

    customer = factory.SubFactory(CustomerFactory)
    date = TODAY
    channel = "phone"
    note = "Called about the next order"


def make_order(
    *,
    customer=None,
    warehouse=None,
    lines=None,
    actor=None,
    order_date=TODAY,
    submit=False,
    confirm=False,
    allow_backorder=False,
):
    """An order of ``lines`` = [(product, quantity, unit_price or None, discount %, unit or None), ...]."""
    actor = actor or UserFactory(role="manager")
    customer = customer or CustomerFactory()
    warehouse = warehouse or WarehouseFactory()
    if lines is None:
        lines = [(ProductFactory(), 1)]
    inputs = []
    for spec in lines:
        product, quantity, *rest = spec
        price = rest[0] if len(rest) > 0 else None
        discount = rest[1] if len(rest) > 1 else D(0)
        unit = rest[2] if len(rest) > 2 else None
        inputs.append(
            OrderLineInput(
                product=product,
                quantity=D(str(quantity)),
                unit_price=None if price is None else D(str(price)),
                discount_percent=D(str(discount)),
                unit=unit,
            )
        )
    order = sales_order_create(customer=customer, warehouse=warehouse, order_date=order_date, lines=inputs, actor=actor)
    if submit or confirm:
        order = sales_order_submit(order=order, actor=actor)
    if confirm:
        order = sales_order_confirm(order=order, actor=actor, allow_backorder=allow_backorder)
    return order


def make_shipment(order, quantities=None, *, actor=None, ship_date=TODAY, post=True):
    """Ship ``quantities`` (per order line in order, in the line's unit; default: everything open)."""
    actor = actor or UserFactory(role="warehouse")
    order_lines = list(order.lines.order_by("line_no"))
    if quantities is None:
        quantities = [(line.base_quantity - line.shipped_quantity) / line.ratio for line in order_lines]
    shipment = shipment_create(
        customer=order.customer,
        warehouse=order.warehouse,
        ship_date=ship_date,
        lines=[
            ShipmentLineInput(order_line=line, quantity=D(str(q)))
            for line, q in zip(order_lines, quantities, strict=True)
            if q
        ],
        actor=actor,
    )
    if post:
        shipment = shipment_post(shipment=shipment, actor=actor)
    return shipment


def make_return(shipment, quantities, *, actor=None, return_date=TODAY, disposition="restock", post=True):
    actor = actor or UserFactory(role="sales")
    shipment_lines = list(shipment.lines.order_by("line_no"))
    sales_return = sales_return_create(
        shipment=shipment,
        return_date=return_date,
        lines=[
            ReturnLineInput(
                shipment_line=line,
                quantity=D(str(q)),
                disposition=disposition,
                scrap_reason="damaged" if disposition == "scrap" else "",
            )
            for line, q in zip(shipment_lines, quantities, strict=True)
            if q
        ],
        actor=actor,
    )
    if post:
        sales_return = sales_return_post(sales_return=sales_return, actor=actor)
    return sales_return
