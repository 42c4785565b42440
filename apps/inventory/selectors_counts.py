"""Reads of stock counts: scoped lists, lines for counting and review, progress, cycle counts, accuracy."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from apps.inventory.documents.scope import warehouse_scoped
from apps.inventory.models import (
    AbcClass,
    CountStatus,
    InventoryPolicy,
    StockBalance,
    StockClassification,
    StockCount,
    StockCountEntry,
    StockCountLine,
)
from apps.masterdata.models import ProductBarcode
from apps.masterdata.selectors import warehouse_scope_ids

QUANTITY = DecimalField(max_digits=18, decimal_places=4)
MONEY = DecimalField(max_digits=18, decimal_places=2)


def _scoped(queryset: QuerySet, user: Any, lookup: str = "warehouse_id") -> QuerySet:
    ids = warehouse_scope_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{lookup}__in": ids})


def stock_counts(*, user: Any) -> QuerySet[StockCount]:
    """Counts of the warehouses the user may see, with warehouse and people joined."""
    return warehouse_scoped(StockCount.objects.select_related("warehouse", "created_by", "posted_by"), user)


def count_lines(*, count: StockCount, user: Any) -> QuerySet[StockCountLine]:
    """Lines with product, unit, a barcode, what ``user`` counted this round, and variance and its value."""
    mine = StockCountEntry.objects.filter(line_id=OuterRef("pk"), round=OuterRef("round"), counted_by=user)
    barcode = ProductBarcode.objects.filter(product_id=OuterRef("product_id")).order_by("unit_id", "id")
    avg_cost = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=count.warehouse_id)
    return (
        StockCountLine.objects.filter(count=count)
        .select_related("product", "product__base_unit")
        .annotate(
            my_quantity=Subquery(mine.values("quantity")[:1]),
            counters=Subquery(
                StockCountEntry.objects.filter(line_id=OuterRef("pk"), round=OuterRef("round"))
                .order_by()
                .values("line_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            barcode=Subquery(barcode.values("barcode")[:1]),
            variance_quantity=ExpressionWrapper(F("counted_quantity") - F("snapshot_quantity"), output_field=QUANTITY),
            cost=Coalesce(Subquery(avg_cost.values("avg_cost")[:1]), F("book_cost")),
        )
        .annotate(variance_value=ExpressionWrapper(F("variance_quantity") * F("cost"), output_field=MONEY))
    )


def count_review_lines(*, count: StockCount) -> QuerySet[StockCountLine]:
    """Lines with variance and its value at today's average cost, largest impact first; uncounted lines last."""
    avg_cost = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=count.warehouse_id)
    return (
        StockCountLine.objects.filter(count=count)
        .select_related("product", "product__base_unit")
        .annotate(
            variance_quantity=ExpressionWrapper(F("counted_quantity") - F("snapshot_quantity"), output_field=QUANTITY),
            cost=Coalesce(Subquery(avg_cost.values("avg_cost")[:1]), F("book_cost")),
        )
        .annotate(variance_value=ExpressionWrapper(F("variance_quantity") * F("cost"), output_field=MONEY))
        .order_by(Abs("variance_value").desc(nulls_last=True), "line_no")
    )


def count_progress(*, count: StockCount) -> dict[str, int]:
    """Lines, counted lines and lines with a variance, in one aggregate."""
    return StockCountLine.objects.filter(count=count).aggregate(
        lines=Count("pk"),
        counted=Count("pk", filter=Q(counted_quantity__isnull=False)),
        variances=Count("pk", filter=Q(counted_quantity__isnull=False) & ~Q(counted_quantity=F("snapshot_quantity"))),
        recounts=Count("pk", filter=Q(round__gt=1)),
    )


def count_entries(*, count: StockCount) -> QuerySet[StockCountEntry]:
    """Every entry of a count: who counted what, when, in which round (for the detail page)."""
    return (
        StockCountEntry.objects.filter(line__count=count)
        .select_related("line__product", "counted_by", "unit")
        .order_by("line__line_no", "round", "counted_at")
    )


def cycle_count_due(
    *, user: Any, warehouse_id: int | None = None, today: datetime.date | None = None
) -> QuerySet[StockClassification]:
    """Classified product × warehouse pairs due for a count: never counted, or last counted longer ago
    than their class's cycle (``InventoryPolicy.cycle_days_*``). Annotated with ``last_counted``."""
    policy = InventoryPolicy.load()
    now = timezone.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    last = (
        StockCountLine.objects.filter(
            product_id=OuterRef("product_id"),
            count__warehouse_id=OuterRef("warehouse_id"),
            count__status=CountStatus.POSTED,
            counted_quantity__isnull=False,
        )
        .order_by()
        .values("product_id")
        .annotate(at=Max("count__posted_at"))
        .values("at")[:1]
    )
    queryset = _scoped(StockClassification.objects.all(), user).annotate(last_counted=Subquery(last))
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    due = Q()
    for abc in AbcClass.values:
        cutoff = now - datetime.timedelta(days=policy.cycle_days(abc))
        due |= Q(abc=abc) & (Q(last_counted__isnull=True) | Q(last_counted__lt=cutoff))
    return (
        queryset.filter(due)
        .select_related("product", "warehouse")
        .order_by("warehouse__code", "abc", F("last_counted").asc(nulls_first=True), "product__code")
    )


def count_accuracy(*, user: Any, warehouse_id: int | None = None) -> QuerySet[StockCount]:
    """Posted counts, newest first, with counted lines, lines without variance, accuracy and variance value."""
    queryset = stock_counts(user=user).filter(status=CountStatus.POSTED)
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    counted = Q(lines__counted_quantity__isnull=False)
    return queryset.annotate(
        counted_lines=Count("lines", filter=counted),
        exact_lines=Count("lines", filter=counted & Q(lines__counted_quantity=F("lines__snapshot_quantity"))),
        variance_total=F("gain_value") + F("loss_value"),
    ).order_by("-posted_at", "-id")


def accuracy_percent(count: StockCount) -> Decimal:
    if not count.counted_lines:
        return Decimal(100)
    return (Decimal(count.exact_lines) * 100 / count.counted_lines).quantize(Decimal("0.1"))
