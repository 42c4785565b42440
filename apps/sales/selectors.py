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
    ExpressionWrapper,
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
from django.db.models.functions import Ceil, Coalesce, CumeDist, Round
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.core.fields import MONEY_QUANT, ZERO
from apps.inventory.documents.scope import warehouse_scoped
from apps.inventory.models import StockBalance
from apps.masterdata.models import Customer
from apps.sales.models import (
    OPEN_ORDER_STATUSES,
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


def money_sum(expression: Any, **kwargs: Any) -> ExpressionWrapper:
    """SUM of money rounded to the cent in SQL, 0 when there are no rows.

    SQLite sums decimals as floats (0.1 + 0.2 ≠ 0.3); rounding in the query keeps the result
    exact to the cent on both databases, so comparisons with 0 and with limits hold.
    """
    rounded = Round(Coalesce(Sum(expression, **kwargs), ZERO_MONEY), 2, output_field=MONEY_OUTPUT)
    # + 0 turns SQLite's -0.0 (a float sum rounded from just below zero) into 0.
    return ExpressionWrapper(rounded + ZERO_MONEY, output_field=MONEY_OUTPUT)


def cents(value: Decimal | float | None) -> Decimal:
    """An aggregate() result as an exact amount to the cent."""
    return Decimal(str(value or 0)).quantize(MONEY_QUANT)


# ---------------------------------------------------------------------------------------------
# Data scope
# ---------------------------------------------------------------------------------------------


def customer_scope_owner(user: Any) -> Any | None:
    """The salesperson whose customers ``user`` is limited to, or None when the user sees all.

    A sales clerk (role "sales", not also manager or admin) who is the salesperson of at least
    one customer sees only those customers and their documents; everyone else sees all.
    """
    if user.is_superuser:
        return None
    cached = getattr(user, "_sales_scope", "unset")
    if cached != "unset":
        return cached
    roles = {group.name for group in user.groups.all()}
    scoped = (
        Role.SALES in roles
        and not roles & {Role.MANAGER, Role.ADMIN}
        and Customer.objects.filter(salesperson=user).exists()
    )
    user._sales_scope = user if scoped else None
    return user._sales_scope


def customers_for_user(user: Any) -> QuerySet[Customer]:
    """The customers ``user`` may see and sell to (see ``customer_scope_owner``)."""
    customers = Customer.objects.all()
    owner = customer_scope_owner(user)
    return customers if owner is None else customers.filter(salesperson=owner)


def _scoped(queryset: QuerySet, user: Any, customer_path: str = "customer") -> QuerySet:
    owner = customer_scope_owner(user)
    return queryset if owner is None else queryset.filter(**{f"{customer_path}__salesperson": owner})


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
    return (
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
    return shipment.lines.select_related("product", "unit", "order_line__order").order_by("line_no")


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
    outstanding = cents(ReceivableEntry.objects.filter(customer=customer).aggregate(total=Sum("amount"))["total"])
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


AGEING_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))


def receivables_report(
    *, customers: QuerySet[Customer], date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Customer]:
    """Per customer: opening balance, new (deliveries), returned, received, closing balance, and the
    closing balance aged by document date as of ``date_to`` (0–30, 31–60, 61–90, 90+ days), the
    overdue part and unapplied receipts. One grouped query over the receivables sub-ledger."""
    entries = "sales_receivable_entries"
    in_range = Q(**{f"{entries}__entry_date__gte": date_from, f"{entries}__entry_date__lte": date_to})
    until_end = Q(**{f"{entries}__entry_date__lte": date_to})

    def total(condition: Q):
        return money_sum(f"{entries}__amount", filter=condition)

    def reduction(condition: Q):  # returns and receipts are negative entries, shown as positive amounts
        return money_sum(-F(f"{entries}__amount"), filter=condition)

    def kind(value: str) -> Q:
        return Q(**{f"{entries}__kind": value})

    doc_date = f"{entries}__receivable__document_date"
    buckets = {}
    for low, high in AGEING_BUCKETS:
        condition = until_end & Q(**{f"{doc_date}__lte": date_to - datetime.timedelta(days=low)})
        if high is not None:
            condition &= Q(**{f"{doc_date}__gte": date_to - datetime.timedelta(days=high)})
        buckets[f"age_{low}"] = total(condition)
    return (
        customers.annotate(
            opening=total(Q(**{f"{entries}__entry_date__lt": date_from})),
            new=total(in_range & kind(EntryKind.SHIPMENT)),
            returned=reduction(in_range & kind(EntryKind.RETURN)),
            received=reduction(in_range & kind(EntryKind.RECEIPT)),
            closing=total(until_end),
            overdue=total(until_end & Q(**{f"{entries}__receivable__due_date__lt": date_to})),
            unapplied=total(until_end & Q(**{f"{entries}__receivable__isnull": True})),
            **buckets,
        )
        .filter(Q(opening__gt=0) | Q(opening__lt=0) | ~Q(closing=0) | Q(new__gt=0) | Q(received__gt=0))
        .select_related("salesperson")
        .order_by("code")
    )


def customer_statement(
    *, customer: Customer, date_from: datetime.date, date_to: datetime.date
) -> tuple[Decimal, QuerySet[ReceivableEntry], Decimal]:
    """(opening balance, entries in range with ``balance`` = running balance, closing balance).

    Entries of one document are summed into one row; the running balance is summed in SQL. Within
    a day deliveries come first, then returns, then receipts (the order business happens in), so a
    day's receipt does not show the balance dipping below zero before that day's delivery.
    """
    entries = ReceivableEntry.objects.filter(customer=customer)
    opening = cents(entries.filter(entry_date__lt=date_from).aggregate(total=Sum("amount"))["total"])
    in_range = ReceivableEntry.objects.filter(
        customer=customer, entry_date__gte=date_from, entry_date__lte=date_to
    ).annotate(
        kind_rank=Case(
            When(kind=EntryKind.SHIPMENT, then=Value(0)),
            When(kind=EntryKind.RETURN, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    running = (
        in_range.filter(
            Q(entry_date__lt=OuterRef("entry_date"))
            | Q(entry_date=OuterRef("entry_date"), kind_rank__lt=OuterRef("kind_rank"))
            | Q(
                entry_date=OuterRef("entry_date"),
                kind_rank=OuterRef("kind_rank"),
                document_number__lte=OuterRef("document_number"),
            )
        )
        .order_by()
        .values("customer")
        .annotate(total=money_sum("amount"))
        .values("total")[:1]
    )
    rows = (
        in_range.values("entry_date", "kind_rank", "kind", "document_number")
        .annotate(amount=money_sum("amount"))
        .exclude(amount=0)
        .annotate(
            balance=ExpressionWrapper(
                Subquery(running, output_field=MONEY_OUTPUT) + Value(opening, output_field=MONEY_OUTPUT),
                output_field=MONEY_OUTPUT,
            )
        )
        .order_by("entry_date", "kind_rank", "document_number")
    )
    closing = cents(entries.filter(entry_date__lte=date_to).aggregate(total=Sum("amount"))["total"])
    return opening, rows, closing


def customer_balance(customer: Customer) -> Decimal:
    return cents(ReceivableEntry.objects.filter(customer=customer).aggregate(total=Sum("amount"))["total"])


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
        .annotate(balance=Coalesce(Subquery(_balance_subquery()), ZERO_MONEY))
        .select_related("salesperson")
        .prefetch_related("sales_tags")
    )


def _balance_subquery():
    return (
        ReceivableEntry.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(total=money_sum("amount"))
        .values("total")[:1]
    )


def customer_follow_ups(customer: Customer) -> QuerySet[CustomerFollowUp]:
    return customer.sales_follow_ups.select_related("created_by")


def all_tags() -> QuerySet[CustomerTag]:
    return CustomerTag.objects.all()
