"""Reads for planning: demand history from the ledger, stored forecasts, replenishment inputs."""

import datetime
from typing import Any

import numpy as np
from django.db.models import DateField, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.masterdata.selectors import warehouse_scope_ids
from apps.planning.models import ExternalDemand, ForecastRun, ItemForecast, RunStatus
from apps.procurement.models import PurchaseOrderLine, PurchaseOrderStatus, SupplierPrice

DEMAND_TYPES = (MovementType.SALES_SHIPMENT, MovementType.OTHER_ISSUE, MovementType.SALES_RETURN)
OPEN_ORDER_STATUSES = (
    PurchaseOrderStatus.DRAFT,
    PurchaseOrderStatus.SUBMITTED,
    PurchaseOrderStatus.APPROVED,
    PurchaseOrderStatus.PARTIALLY_RECEIVED,
)
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


def bucket_start(day: datetime.date, period: str) -> datetime.date:
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def next_bucket(day: datetime.date, period: str) -> datetime.date:
    if period == "week":
        return day + datetime.timedelta(days=7)
    if period == "month":
        return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day + datetime.timedelta(days=1)


def buckets_between(first: datetime.date, last: datetime.date, period: str) -> list[datetime.date]:
    out, day = [], bucket_start(first, period)
    while day <= last:
        out.append(day)
        day = next_bucket(day, period)
    return out


def demand_history(
    *, period: str, end: datetime.date, start: datetime.date | None = None
) -> tuple[list[tuple[int, int]], list[datetime.date], np.ndarray]:
    """Demand per product × warehouse and period up to ``end`` (the last whole period), from the ledger.

    Demand = shipments + miscellaneous issues − sales returns, and their reversals netted; one
    aggregate query grouped by product, warehouse and period. A pair's history starts at its first
    movement of any kind (before it the product was not stocked there: NaN, not zero demand).
    Uploaded history (``ExternalDemand``) fills the periods before that first movement, from its
    own first period (blank periods after it are zero demand); where both exist the ledger wins.
    Returns (keys, period starts, array pairs × periods).
    """
    tz = timezone.get_current_timezone()
    end_bucket = bucket_start(end, period)
    until = datetime.datetime.combine(next_bucket(end_bucket, period), datetime.time.min, tzinfo=tz)
    demand_q = Q(movement_type__in=DEMAND_TYPES) | Q(
        movement_type=MovementType.REVERSAL, reverses__movement_type__in=DEMAND_TYPES
    )
    base = StockMovement.objects.filter(posted_at__lt=until)
    if start is not None:
        base = base.filter(posted_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz))
    firsts = {
        (row["product_id"], row["warehouse_id"]): row["first"]
        for row in base.values("product_id", "warehouse_id").annotate(first=Min("posted_at"))
    }
    rows = (
        base.filter(demand_q)
        .annotate(bucket=Trunc("posted_at", period, tzinfo=tz))
        .values("product_id", "warehouse_id", "bucket")
        .annotate(quantity=Sum("quantity"))
    )
    external = ExternalDemand.objects.filter(period_start__lt=next_bucket(end_bucket, period))
    if start is not None:
        external = external.filter(period_start__gte=start)
    external_rows = list(
        external.annotate(bucket=Trunc("period_start", period, output_field=DateField()))
        .values("product_id", "warehouse_id", "bucket")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    external_firsts: dict[tuple[int, int], datetime.date] = {}
    for row in external_rows:
        key = (row["product_id"], row["warehouse_id"])
        external_firsts[key] = min(row["bucket"], external_firsts.get(key, row["bucket"]))
    keys = sorted(set(firsts) | set(external_firsts))
    if not keys:
        return [], [], np.zeros((0, 0))
    first_day = min([timezone.localtime(v, tz).date() for v in firsts.values()] + list(external_firsts.values()))
    if start is not None:
        first_day = max(first_day, start)
    buckets = buckets_between(first_day, end_bucket, period)
    index = {key: i for i, key in enumerate(keys)}
    column = {day: j for j, day in enumerate(buckets)}
    y = np.zeros((len(keys), len(buckets)))
    for row in rows:
        bucket = row["bucket"]
        day = timezone.localtime(bucket, tz).date() if isinstance(bucket, datetime.datetime) else bucket
        j = column.get(bucket_start(day, period))
        if j is not None:
            y[index[(row["product_id"], row["warehouse_id"])], j] -= float(row["quantity"])  # issues are negative
    y = np.maximum(y, 0.0)  # a period with more returns than shipments is no demand, not negative demand
    ledger_start = np.full(len(keys), len(buckets))
    for key, first in firsts.items():
        ledger_start[index[key]] = column.get(bucket_start(timezone.localtime(first, tz).date(), period), 0)
    before_ledger = np.arange(len(buckets))[None, :] < ledger_start[:, None]
    uploaded = np.full(y.shape, np.nan)
    for key, first in external_firsts.items():
        uploaded[index[key], column.get(bucket_start(first, period), 0) :] = 0.0
    for row in external_rows:
        j = column.get(bucket_start(row["bucket"], period))
        if j is not None:
            uploaded[index[(row["product_id"], row["warehouse_id"])], j] += float(row["quantity"])
    y[before_ledger] = uploaded[before_ledger]
    return keys, buckets, y


def supplier_terms(*, product_ids, on_date: datetime.date) -> dict[int, SupplierPrice]:
    """The proposed supplier's price-list row per product (the rule is in ``apps.planning.suppliers``)."""
    from apps.planning.suppliers import supplier_choices

    return {pk: choice.row for pk, choice in supplier_choices(product_ids=product_ids, on_date=on_date).items()}


def on_order(*, product_ids, warehouse_ids) -> dict[tuple[int, int], float]:
    """Open purchase quantities (base units not yet stocked in) per product × warehouse."""
    rows = (
        PurchaseOrderLine.objects.filter(
            product_id__in=list(product_ids),
            order__warehouse_id__in=list(warehouse_ids),
            order__status__in=OPEN_ORDER_STATUSES,
        )
        .values("product_id", "order__warehouse_id")
        .annotate(open=Sum(F("base_quantity") - F("accepted_quantity")))
    )
    return {(r["product_id"], r["order__warehouse_id"]): max(float(r["open"] or 0), 0.0) for r in rows}


def balances(*, product_ids, warehouse_ids) -> dict[tuple[int, int], tuple[float, float]]:
    """(on hand, reserved) per product × warehouse."""
    rows = StockBalance.objects.filter(product_id__in=list(product_ids), warehouse_id__in=list(warehouse_ids))
    return {
        (r["product_id"], r["warehouse_id"]): (float(r["on_hand"]), float(r["reserved"]))
        for r in rows.values("product_id", "warehouse_id", "on_hand", "reserved")
    }


def latest_run() -> ForecastRun | None:
    return ForecastRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()


def forecast_runs() -> QuerySet[ForecastRun]:
    return ForecastRun.objects.select_related("created_by", "job").order_by("-created_at", "-id")


def item_forecasts(*, run: ForecastRun, user: Any) -> QuerySet[ItemForecast]:
    """The run's items in the user's warehouses, with product and warehouse."""
    queryset = ItemForecast.objects.filter(run=run).select_related("product", "warehouse", "product__base_unit")
    scope = warehouse_scope_ids(user)
    if scope is not None:
        queryset = queryset.filter(warehouse_id__in=scope)
    return queryset.defer("history", "forecast")
