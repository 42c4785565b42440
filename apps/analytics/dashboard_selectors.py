"""The figures of the home dashboards, per role. Numbers only (labels live in the templates), every
one aggregated in SQL, so a dashboard is a fixed number of queries whatever the data size.

Stock alerts (below safety stock, reorder point, excess) come from ``stock_alert_source()``: the
one place that says where per-warehouse levels are read.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from apps.analytics import selectors as sales_selectors
from apps.analytics.ageing_selectors import DeadStockCriteria, dead_stock
from apps.analytics.models import SalesFact
from apps.analytics.stock_selectors import StockCriteria, stock_period_totals
from apps.core.fields import MONEY_QUANT, ZERO
from apps.inventory.models import StockBalance, StockMonthTotal, StockMovement
from apps.inventory.selectors import local_day_start
from apps.masterdata.models import Customer, Product
from apps.masterdata.selectors import warehouse_scope_ids
from apps.procurement.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderStatus
from apps.sales import targets as sales_targets
from apps.sales.models import Receivable, SalesOrder, SalesOrderLine, SalesOrderStatus, Shipment

MONEY = DecimalField(max_digits=18, decimal_places=2)
QUANTITY = DecimalField(max_digits=18, decimal_places=4)
OPEN_PO = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)
OPEN_SO = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIAL)
MY_OPEN_SO = (SalesOrderStatus.DRAFT, SalesOrderStatus.PENDING, *OPEN_SO)


def stock_alert_source():
    """The per-warehouse stock alerts (safety stock, reorder point, maximum) the dashboards count."""
    from apps.inventory import selectors_levels

    return selectors_levels


def no_movement_days() -> int:
    """Days without an issue after which stock counts as dead (the inventory settings' no-movement days)."""
    return stock_alert_source().InventoryPolicy.load().no_movement_days


def _scoped(queryset, user: Any, lookup: str = "warehouse_id"):
    ids = warehouse_scope_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{lookup}__in": ids})


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    month = day.year * 12 + day.month - 1 - back
    return datetime.date(month // 12, month % 12 + 1, 1)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def is_new_company() -> bool:
    """No product and no movement yet: the dashboards show where to start instead of zeros."""
    return not Product.objects.exists() or not StockMovement.objects.exists()


# --- Stock ------------------------------------------------------------------------------------


def inventory_value(user: Any) -> Decimal:
    total = _scoped(StockBalance.objects.all(), user).aggregate(
        v=Coalesce(Sum("value"), Value(ZERO), output_field=MONEY)
    )
    return Decimal(str(total["v"])).quantize(MONEY_QUANT)


def inventory_value_trend(user: Any, *, months: int, today: datetime.date) -> list[tuple[str, Decimal]]:
    """The stock value at the end of each of the last ``months`` months (the current one: today).

    A month end with a monthly snapshot reads its warehouse totals (a few rows); a month end after
    the last snapshot is today's total less the movements since (one grouped query over those
    months only, each movement's month found by comparing its time with the month starts).
    """
    starts = [_month_start(today, back) for back in range(months)]  # newest first
    month_ends = [start - datetime.timedelta(days=1) for start in starts[:-1]]  # the end of starts[back + 1]
    snapshotted = {
        row["month__month_end"]: Decimal(str(row["v"] or 0))
        for row in _scoped(StockMonthTotal.objects.filter(month__month_end__in=month_ends), user)
        .order_by()
        .values("month__month_end")
        .annotate(v=Sum("value"))
    }
    # Snapshots exist for every month end up to the last one built: peel the movements after it.
    unbuilt = [back for back, month_end in enumerate(month_ends) if month_end not in snapshotted]
    by_back: dict[int, Decimal] = {}
    if unbuilt:
        peeled = starts[: max(unbuilt) + 1]
        month_back = Case(
            *(When(posted_at__gte=local_day_start(start), then=Value(back)) for back, start in enumerate(peeled)),
            output_field=IntegerField(),
        )
        changes = (
            _scoped(StockMovement.objects.filter(posted_at__gte=local_day_start(peeled[-1])), user)
            .annotate(back=month_back)
            .order_by()
            .values("back")
            .annotate(v=Sum("value"))
        )
        by_back = {row["back"]: Decimal(str(row["v"] or 0)) for row in changes}
    value = inventory_value(user)
    points = [(f"{starts[0]:%Y-%m}", value)]
    for back, month_end in enumerate(month_ends):  # newest first
        value = snapshotted[month_end] if month_end in snapshotted else value - by_back.get(back, ZERO)
        points.append((f"{starts[back + 1]:%Y-%m}", value.quantize(MONEY_QUANT)))
    return list(reversed(points))


def turnover(user: Any, *, days: int, today: datetime.date) -> dict[str, Any]:
    criteria = StockCriteria(date_from=today - datetime.timedelta(days=days - 1), date_to=today, grouping="warehouse")
    totals = stock_period_totals(criteria, user=user)
    return {
        "turnover": totals["turnover"],
        "days_of_inventory": totals["days_of_inventory"],
        "cogs": totals["cogs"],
        "date_from": criteria.date_from,
    }


def stock_alerts(user: Any) -> dict[str, int]:
    """Counts below safety stock, at the reorder point, above the maximum, and out of stock (below
    safety stock with nothing available)."""
    source = stock_alert_source()
    totals = source.stock_alert_totals(user=user)
    stock_outs = source.stock_alerts(user=user, kind=source.AlertKind.BELOW_SAFETY).filter(available__lte=0).count()
    return {
        "below_safety": totals[source.AlertKind.BELOW_SAFETY],
        "reorder": totals[source.AlertKind.REORDER],
        "excess": totals[source.AlertKind.EXCESS],
        "stock_outs": stock_outs,
    }


def reorder_items(user: Any, *, limit: int = 8) -> list[dict[str, Any]]:
    source = stock_alert_source()
    rows = source.stock_alerts(user=user, kind=source.AlertKind.REORDER).order_by("-suggested", "product__code")
    return [
        {
            "product": row.product,
            "warehouse": row.warehouse,
            "available": row.available,
            "on_order": row.on_order,
            "reorder_point": row.reorder_point,
            "suggested": row.suggested,
        }
        for row in rows[:limit]
    ]


def below_safety_by_warehouse(user: Any) -> list[tuple[int, int]]:
    """(warehouse id, items below safety stock) for the user's warehouses with any."""
    source = stock_alert_source()
    counts = source.stock_alert_counts(user=user)
    return sorted(
        (wid, per[source.AlertKind.BELOW_SAFETY]) for wid, per in counts.items() if per[source.AlertKind.BELOW_SAFETY]
    )


def dead_stock_value(user: Any, *, days: int) -> dict[str, Any]:
    page = dead_stock(DeadStockCriteria(days=days), user=user, limit=1)
    return {"count": page.count, "value": page.totals["value"], "days": days}


# --- Sales ------------------------------------------------------------------------------------


def sales_comparison(today: datetime.date, *, salesperson_id: int | None = None) -> dict[str, Any]:
    """Sales this month to date, the same days of last month and of the same month last year."""

    def window(start: datetime.date) -> sales_selectors.AnalysisFilter:
        last_day = (_month_start(start, -1) - datetime.timedelta(days=1)).day
        end = start.replace(day=min(today.day, last_day))
        return sales_selectors.AnalysisFilter(date_from=start, date_to=end, salesperson_id=salesperson_id)

    this = window(_month_start(today))
    last = window(_month_start(today, 1))
    year_ago = window(_month_start(today, 12))
    periods = {"this": this, "last": last, "year": year_ago}
    figures = {name: sales_selectors.sales_totals(criteria) for name, criteria in periods.items()}
    return {
        **figures,
        "periods": periods,
        "vs_last": sales_selectors.change_percent(figures["this"]["revenue"], figures["last"]["revenue"]),
        "vs_year": sales_selectors.change_percent(figures["this"]["revenue"], figures["year"]["revenue"]),
        "margin_vs_last": sales_selectors.change_percent(figures["this"]["margin"], figures["last"]["margin"]),
    }


def sales_target(salesperson_id: int, *, today: datetime.date, revenue: Decimal) -> dict[str, Any]:
    """This month's target of one salesperson and how much of it ``revenue`` reaches, in %."""
    amount = sales_targets.target_of(salesperson_id, today)
    return {"amount": amount, "revenue": revenue, "percent": _percent(revenue, amount) if amount else None}


def sales_trend(
    today: datetime.date, *, months: int, salesperson_id: int | None = None
) -> list[tuple[str, Decimal, Decimal]]:
    """(month, revenue, gross profit) for each of the last ``months`` months, zeros included."""
    first = _month_start(today, months - 1)
    facts = SalesFact.objects.filter(date__gte=first, date__lte=today)
    if salesperson_id:
        facts = facts.filter(salesperson_id=salesperson_id)
    rows = (
        facts.annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(revenue=Sum("revenue"), cost=Sum("cost"))
    )
    found = {row["month"]: row for row in rows}
    points = []
    for back in reversed(range(months)):
        month = _month_start(today, back)
        row = found.get(month) or {"revenue": 0, "cost": 0}
        revenue = Decimal(str(row["revenue"] or 0)).quantize(MONEY_QUANT)
        margin = (revenue - Decimal(str(row["cost"] or 0))).quantize(MONEY_QUANT)
        points.append((f"{month:%Y-%m}", revenue, margin))
    return points


def order_fill_rate(user: Any, *, since: datetime.date) -> Decimal | None:
    """Shipped ÷ ordered base quantity over the orders placed since ``since`` (drafts and voided left out)."""
    lines = _scoped(
        SalesOrderLine.objects.filter(order__order_date__gte=since).exclude(
            order__status__in=(SalesOrderStatus.DRAFT, SalesOrderStatus.CANCELLED)
        ),
        user,
        "order__warehouse_id",
    ).aggregate(ordered=Sum("base_quantity"), shipped=Sum("shipped_quantity"))
    return _percent(Decimal(str(lines["shipped"] or 0)), Decimal(str(lines["ordered"] or 0)))


def open_sales_orders(user: Any) -> int:
    return _scoped(SalesOrder.objects.filter(status__in=OPEN_SO), user).count()


def approvals_waiting(user: Any) -> dict[str, int]:
    return {
        "purchase_orders": _scoped(PurchaseOrder.objects.filter(status=PurchaseOrderStatus.SUBMITTED), user).count(),
        "credit": _scoped(SalesOrder.objects.filter(status=SalesOrderStatus.PENDING), user).count(),
    }


# --- Purchasing -------------------------------------------------------------------------------


def purchase_orders_due(user: Any, *, today: datetime.date, buyer_id: int | None = None) -> dict[str, Any]:
    """Open purchase orders past their expected date, and those expected in the next seven days."""
    orders = _scoped(PurchaseOrder.objects.filter(status__in=OPEN_PO), user)
    if buyer_id:
        orders = orders.filter(buyer_id=buyer_id)
    week_end = today + datetime.timedelta(days=6)
    counts = orders.aggregate(
        late=Count("pk", filter=Q(expected_date__lt=today)),
        due=Count("pk", filter=Q(expected_date__gte=today, expected_date__lte=week_end)),
    )
    late = list(orders.filter(expected_date__lt=today).select_related("supplier").order_by("expected_date", "pk")[:6])
    due = list(
        orders.filter(expected_date__gte=today, expected_date__lte=week_end)
        .select_related("supplier")
        .order_by("expected_date", "pk")[:6]
    )
    return {**counts, "late_orders": late, "due_orders": due, "week_end": week_end}


def supplier_on_time(user: Any, *, since: datetime.date) -> dict[str, Any]:
    """Posted receipts against an order since ``since``: how many arrived by the order's expected date."""
    receipts = _scoped(
        GoodsReceipt.objects.filter(status="posted", order__isnull=False, receipt_date__gte=since), user
    ).aggregate(total=Count("pk"), on_time=Count("pk", filter=Q(receipt_date__lte=F("order__expected_date"))))
    return {**receipts, "rate": _percent(receipts["on_time"], receipts["total"])}


def rejected_at_inspection(user: Any, *, since: datetime.date) -> dict[str, Any]:
    lines = _scoped(
        GoodsReceiptLine.objects.filter(
            receipt__status="posted", receipt__receipt_date__gte=since, rejected_base__gt=0
        ),
        user,
        "receipt__warehouse_id",
    )
    totals = lines.aggregate(lines=Count("pk"), receipts=Count("receipt_id", distinct=True))
    return {**totals, "since": since}


# --- Warehouse --------------------------------------------------------------------------------


def warehouse_work(user: Any) -> dict[str, int]:
    return {
        "receipts_to_inspect": _scoped(GoodsReceipt.objects.filter(status="draft"), user).count(),
        "shipments_to_pick": _scoped(Shipment.objects.filter(status="draft"), user).count(),
        "orders_to_ship": _scoped(SalesOrder.objects.filter(status__in=OPEN_SO), user).count(),
    }


# --- Sales clerk ------------------------------------------------------------------------------


def my_sales_work(user: Any, *, today: datetime.date) -> dict[str, Any]:
    """The clerk's own open orders, backordered lines, and customers overdue or over their credit limit."""
    mine = SalesOrder.objects.filter(salesperson=user, status__in=MY_OPEN_SO)
    backordered = ExpressionWrapper(F("base_quantity") - F("reserved_quantity") - F("shipped_quantity"), QUANTITY)
    backorders = (
        SalesOrderLine.objects.filter(order__salesperson=user, order__status__in=OPEN_SO)
        .annotate(left=backordered)
        .filter(left__gt=0)
        .count()
    )
    open_receivables = Receivable.objects.filter(customer__salesperson=user, outstanding__gt=Decimal("0.005"))
    overdue = open_receivables.filter(due_date__lt=today).aggregate(
        customers=Count("customer_id", distinct=True), amount=Sum("outstanding")
    )
    owing = (
        open_receivables.order_by()
        .values("customer_id")
        .annotate(owed=Sum("outstanding"))
        .values("customer_id", "owed")
    )
    limits = dict(Customer.objects.filter(salesperson=user, credit_limit__gt=0).values_list("pk", "credit_limit"))
    over_limit = sum(1 for row in owing if row["customer_id"] in limits and row["owed"] > limits[row["customer_id"]])
    return {
        "open_orders": mine.count(),
        "pending_credit": mine.filter(status=SalesOrderStatus.PENDING).count(),
        "backorders": backorders,
        "overdue_customers": overdue["customers"],
        "overdue_amount": Decimal(str(overdue["amount"] or 0)).quantize(MONEY_QUANT),
        "over_limit_customers": over_limit,
    }
