"""Reads of the sales area. Lists are scoped by ``customers_for_user``; reports aggregate in SQL."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Ceil, Coalesce, CumeDist
from django.utils.translation import gettext_lazy as _

from apps.core import subledger
from apps.core.fields import MONEY_QUANT, ZERO
from apps.core.subledger import cents, money_sum
from apps.inventory.documents.scope import warehouse_scoped
from apps.inventory.models import StockBalance
from apps.inventory.selectors_levels import with_default_location
from apps.masterdata import selectors as masterdata_selectors
from apps.masterdata.models import Customer
from apps.sales.models import (
    OPEN_ORDER_STATUSES,
    RECEIVABLES,
    CustomerFollowUp,
    CustomerReceipt,
    CustomerTag,
    DocumentStatus,
    EntryKind,
    Receivable,
    ReceivableEntry,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    Shipment,
    ShipmentLine,
)

MONEY_OUTPUT = DecimalField(max_digits=18, decimal_places=2)
QUANTITY_OUTPUT = DecimalField(max_digits=18, decimal_places=4)
ZERO_MONEY = Value(ZERO, output_field=MONEY_OUTPUT)


# ---------------------------------------------------------------------------------------------
# Data scope
# ---------------------------------------------------------------------------------------------


def customer_scope_owner(user: Any) -> Any | None:
    """The salesperson whose customers ``user`` is limited to, or None when the user sees all.

    Fails closed: see ``apps.masterdata.selectors.customer_scope_owner``, which master data
    uses too (it cannot import sales); this is the same function under the sales name.
    """
    return masterdata_selectors.customer_scope_owner(user)


def customers_for_user(user: Any) -> QuerySet[Customer]:
    """The customers ``user`` may see and sell to (see ``customer_scope_owner``)."""
    return masterdata_selectors.customers_for_user(user)


def _scoped(queryset: QuerySet, user: Any, customer_path: str = "customer") -> QuerySet:
    return masterdata_selectors.in_customer_scope(queryset, user, customer_path)


def _document_scoped(queryset: QuerySet, user: Any) -> QuerySet:
    """A sales document the user may see: one of their customers and of their warehouses."""
    return warehouse_scoped(_scoped(queryset, user), user)


# ---------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------


def sales_order_list(*, user: Any) -> QuerySet[SalesOrder]:
    return _document_scoped(SalesOrder.objects.select_related("customer", "warehouse", "salesperson"), user)


def sales_order_detail(*, user: Any) -> QuerySet[SalesOrder]:
    return _document_scoped(
        SalesOrder.objects.select_related(
            "customer", "warehouse", "salesperson", "created_by", "confirmed_by", "credit_approved_by"
        ),
        user,
    )


def order_lines_with_stock(order: SalesOrder) -> QuerySet[SalesOrderLine]:
    """The order's lines with the live on-hand and available stock of their product in its warehouse."""
    balance = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=order.warehouse_id)
    return (
        order.lines.select_related("product", "unit", "order")
        .annotate(
            on_hand=Coalesce(Subquery(balance.values("on_hand")[:1]), Value(ZERO), output_field=QUANTITY_OUTPUT),
            available=Coalesce(Subquery(balance.values("available")[:1]), Value(ZERO), output_field=QUANTITY_OUTPUT),
        )
        .order_by("line_no")
    )


def open_order_lines(*, customer: Customer, warehouse_id: int) -> QuerySet[SalesOrderLine]:
    """Lines still to ship on the customer's approved orders in one warehouse, oldest order first."""
    balance = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=warehouse_id)
    lines = (
        SalesOrderLine.objects.filter(
            order__customer=customer,
            order__warehouse_id=warehouse_id,
            order__status__in=OPEN_ORDER_STATUSES,
            shipped_quantity__lt=F("base_quantity"),
        )
        .select_related("order", "product", "unit")
        .prefetch_related("product__barcodes", "product__units")
        .annotate(
            available=Coalesce(Subquery(balance.values("available")[:1]), Value(ZERO), output_field=QUANTITY_OUTPUT)
        )
        .order_by("order__order_date", "order_id", "line_no")
    )
    return with_default_location(lines, warehouse="order__warehouse_id")


def customers_with_open_orders(*, user: Any) -> QuerySet[Customer]:
    return customers_for_user(user).filter(
        Exists(SalesOrder.objects.filter(customer=OuterRef("pk"), status__in=OPEN_ORDER_STATUSES))
    )


# ---------------------------------------------------------------------------------------------
# Shipments, returns, receipts
# ---------------------------------------------------------------------------------------------


def shipment_list(*, user: Any) -> QuerySet[Shipment]:
    return _document_scoped(Shipment.objects.select_related("customer", "warehouse"), user)


def shipment_detail(*, user: Any) -> QuerySet[Shipment]:
    return _document_scoped(Shipment.objects.select_related("customer", "warehouse", "posted_by", "created_by"), user)


def shipment_lines(shipment: Shipment) -> QuerySet[ShipmentLine]:
    """The lines with the default location to pick each from (``location_code``, ``location_sort``)."""
    lines = shipment.lines.select_related("product", "unit", "order_line__order").order_by("line_no")
    return with_default_location(lines, warehouse="shipment__warehouse_id")


def shipment_pick_lines(shipment: Shipment) -> QuerySet[ShipmentLine]:
    """The lines in walking order: by default location (sort order, code), unplaced ones last."""
    return shipment_lines(shipment).order_by(
        F("location_sort").asc(nulls_last=True), "location_code", "product__code", "line_no"
    )


def sales_return_list(*, user: Any) -> QuerySet[SalesReturn]:
    return _document_scoped(SalesReturn.objects.select_related("customer", "shipment", "warehouse"), user)


def receipt_list(*, user: Any) -> QuerySet[CustomerReceipt]:
    return _scoped(CustomerReceipt.objects.select_related("customer"), user)


def open_receivables(customer: Customer) -> QuerySet[Receivable]:
    return (
        # At least a cent: SQLite computes the generated column in floating point, so a settled
        # receivable can read back as 1e-13 rather than 0.
        Receivable.objects.filter(customer=customer, outstanding__gte=MONEY_QUANT)
        .select_related("shipment")
        .order_by("document_date", "id")
    )


# ---------------------------------------------------------------------------------------------
# Credit, balances, statements, ageing
# ---------------------------------------------------------------------------------------------


def customer_credit_position(customer: Customer, *, exclude_order: SalesOrder | None = None) -> dict[str, Any]:
    """Limit (None = no limit), receivables outstanding, value still to ship on approved orders,
    and the credit still available (None without a limit). Three queries."""
    outstanding = subledger.balance(RECEIVABLES, customer)
    open_orders = SalesOrder.objects.filter(customer=customer, status__in=OPEN_ORDER_STATUSES)
    if exclude_order is not None and exclude_order.pk:
        open_orders = open_orders.exclude(pk=exclude_order.pk)
    # Still to ship = ordered total − what the posted deliveries of those orders took (their amounts
    # follow the order lines to the cent), so no division is needed.
    ordered = cents(open_orders.aggregate(total=Sum("total_amount"))["total"])
    shipped = cents(
        ShipmentLine.objects.filter(
            order_line__order__in=open_orders, shipment__status=DocumentStatus.POSTED
        ).aggregate(total=Sum("total_amount"))["total"]
    )
    open_value = ordered - shipped
    limit = customer.credit_limit
    available = None if limit is None else limit - outstanding - open_value
    return {"limit": limit, "outstanding": outstanding, "open_orders": open_value, "available": available}


AGEING_BUCKETS = (("age_0", 0, 30), ("age_31", 31, 60), ("age_61", 61, 90), ("age_91", 91, None))


def receivables_report(
    *, customers: QuerySet[Customer], date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Customer]:
    """Per customer: opening balance, new (deliveries), returned, received, closing balance, and the
    closing balance aged by document date as of ``date_to`` (0–30, 31–60, 61–90, 90+ days), the
    overdue part and unapplied receipts. One query over the receivables sub-ledger
    (``apps.core.subledger.ageing``)."""
    return (
        subledger.ageing(
            RECEIVABLES,
            customers,
            date_from=date_from,
            date_to=date_to,
            buckets=AGEING_BUCKETS,
            kinds={"new": EntryKind.SHIPMENT, "returned_sum": EntryKind.RETURN, "received_sum": EntryKind.COLLECTION},
        )
        # Returns and receipts are negative entries, shown as positive amounts.
        .annotate(returned=ZERO_MONEY - F("returned_sum"), received=ZERO_MONEY - F("received_sum"))
        .filter(Q(opening__gt=0) | Q(opening__lt=0) | ~Q(closing=0) | Q(new__gt=0) | Q(received__gt=0))
        .select_related("salesperson")
        .order_by("code")
    )


def customer_statement(
    *, customer: Customer, date_from: datetime.date, date_to: datetime.date
) -> tuple[Decimal, QuerySet[ReceivableEntry], Decimal]:
    """(opening balance, entries in range with ``balance`` = running balance, closing balance).

    Entries of one document are summed into one row; within a day deliveries come first, then
    returns, then receipts (see ``apps.core.subledger.statement``).
    """
    return subledger.statement(RECEIVABLES, party=customer, date_from=date_from, date_to=date_to)


def customer_balance(customer: Customer) -> Decimal:
    return subledger.balance(RECEIVABLES, customer)


# ---------------------------------------------------------------------------------------------
# Customers: RFM segments
# ---------------------------------------------------------------------------------------------


class Segment:
    CHAMPIONS = "champions"
    LOYAL = "loyal"
    NEW = "new"
    ATTENTION = "attention"
    AT_RISK = "at_risk"
    HIBERNATING = "hibernating"
    LOST = "lost"
    NONE = "none"


SEGMENT_CHOICES = [
    (Segment.CHAMPIONS, _("Champions")),
    (Segment.LOYAL, _("Loyal")),
    (Segment.NEW, _("New / recent")),
    (Segment.ATTENTION, _("Needs attention")),
    (Segment.AT_RISK, _("At risk")),
    (Segment.HIBERNATING, _("Hibernating")),
    (Segment.LOST, _("Lost")),
    (Segment.NONE, _("No purchases")),
]
SEGMENT_LABELS = dict(SEGMENT_CHOICES)
SEGMENT_BADGES = {
    Segment.CHAMPIONS: "success",
    Segment.LOYAL: "primary",
    Segment.NEW: "info",
    Segment.ATTENTION: "warning",
    Segment.AT_RISK: "danger",
    Segment.HIBERNATING: "secondary",
    Segment.LOST: "dark",
    Segment.NONE: "light",
}

# Recency score by days since the last delivery; frequency score by deliveries in 12 months.
RECENCY_DAYS = ((30, 5), (60, 4), (90, 3), (180, 2))
FREQUENCY_COUNTS = ((12, 5), (6, 4), (3, 3), (2, 2), (1, 1))


def with_rfm(customers: QuerySet[Customer], *, today: datetime.date) -> QuerySet[Customer]:
    """Annotate recency (last delivery), frequency and monetary value (deliveries and their net
    revenue over the last 12 months), 1–5 scores and a segment, all in SQL.

    R and F are scored on fixed steps (≤30/60/90/180 days; ≥12/6/3/2/1 deliveries); M by its
    quintile among the customers who bought in the last 12 months (ceil(cume_dist × 5)), since
    order sizes differ by business. Segments, first match wins: none (never bought); lost (no
    delivery in 12 months, or R = 1); champions (R ≥ 4, F ≥ 3, M ≥ 4); loyal (R ≥ 3, F ≥ 3);
    new (R ≥ 4); at risk (F ≥ 3); needs attention (R = 3); hibernating.
    """
    cutoff = today - datetime.timedelta(days=365)
    posted = Shipment.objects.filter(customer=OuterRef("pk"), status=DocumentStatus.POSTED)
    recent = posted.filter(ship_date__gt=cutoff, ship_date__lte=today)
    customers = customers.annotate(
        last_shipped=Subquery(posted.order_by("-ship_date").values("ship_date")[:1]),
        frequency=Coalesce(
            Subquery(recent.order_by().values("customer").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
        ),
        monetary=Coalesce(
            Subquery(recent.order_by().values("customer").annotate(total=money_sum("net_amount")).values("total")[:1]),
            ZERO_MONEY,
        ),
    )
    r_score = Case(
        When(last_shipped__isnull=True, then=Value(0)),
        *(
            When(last_shipped__gte=today - datetime.timedelta(days=days), then=Value(score))
            for days, score in RECENCY_DAYS
        ),
        default=Value(1),
        output_field=IntegerField(),
    )
    f_score = Case(
        *(When(frequency__gte=count, then=Value(score)) for count, score in FREQUENCY_COUNTS),
        default=Value(0),
        output_field=IntegerField(),
    )
    buyer = Case(When(frequency__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField())
    m_score = Case(
        When(frequency=0, then=Value(0)),
        default=Ceil(Window(CumeDist(), partition_by=[buyer], order_by=F("monetary").asc()) * Value(5)),
        output_field=IntegerField(),
    )
    customers = customers.annotate(r_score=r_score, f_score=f_score, m_score=m_score)
    segment = Case(
        When(last_shipped__isnull=True, then=Value(Segment.NONE)),
        When(Q(frequency=0) | Q(r_score=1), then=Value(Segment.LOST)),
        When(r_score__gte=4, f_score__gte=3, m_score__gte=4, then=Value(Segment.CHAMPIONS)),
        When(r_score__gte=3, f_score__gte=3, then=Value(Segment.LOYAL)),
        When(r_score__gte=4, then=Value(Segment.NEW)),
        When(f_score__gte=3, then=Value(Segment.AT_RISK)),
        When(r_score=3, then=Value(Segment.ATTENTION)),
        default=Value(Segment.HIBERNATING),
        output_field=CharField(),
    )
    return customers.annotate(segment=segment)


def customer_list(*, user: Any, today: datetime.date) -> QuerySet[Customer]:
    return (
        with_rfm(customers_for_user(user), today=today)
        .annotate(balance=_balance_subquery())
        .select_related("salesperson")
        .prefetch_related("sales_tags")
    )


def _balance_subquery():
    return subledger.party_sum(RECEIVABLES)


def customer_follow_ups(customer: Customer) -> QuerySet[CustomerFollowUp]:
    return customer.sales_follow_ups.select_related("created_by")


def all_tags() -> QuerySet[CustomerTag]:
    return CustomerTag.objects.all()
