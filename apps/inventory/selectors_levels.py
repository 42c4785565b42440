"""Reads of stock levels, alerts and classification per product × warehouse.

Alert rules (per product × warehouse, quantities in the base unit):

- below safety stock: safety stock > 0 and available (on hand − reserved) < safety stock;
- at or below the reorder point: reorder point > 0 and available + on order ≤ reorder point;
  the quantity to order brings available + on order up to the maximum (the reorder point
  when no maximum is set);
- above maximum: a maximum is set and on hand > maximum (the excess is on hand − maximum);
- no movement: on hand > 0 and no movement for ``InventoryPolicy.no_movement_days`` days.

"On order" is what open purchase orders still bring into the warehouse. Inventory never
imports procurement: the purchase order line model is looked up by name when installed.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from apps.core.fields import QuantityField
from apps.inventory.models import (
    InventoryPolicy,
    StockBalance,
    StockClassification,
    StockLevel,
    StockMovement,
)
from apps.masterdata.models import Product
from apps.masterdata.selectors import warehouse_scope_ids

ZERO = Value(Decimal(0), output_field=QuantityField())
OPEN_ORDER_STATUSES = ("approved", "partially_received")


class AlertKind:
    BELOW_SAFETY = "below_safety"
    REORDER = "reorder"
    EXCESS = "excess"
    NO_MOVEMENT = "no_movement"
    ALL = (BELOW_SAFETY, REORDER, EXCESS, NO_MOVEMENT)


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    ids = warehouse_scope_ids(user)
    return queryset if ids is None else queryset.filter(warehouse_id__in=ids)


def _pair(model, field: str, product: str = "product_id", warehouse: str = "warehouse_id") -> Subquery:
    return Subquery(
        model.objects.filter(product_id=OuterRef(product), warehouse_id=OuterRef(warehouse)).values(field)[:1]
    )


def on_order_subquery(product: str = "product_id", warehouse: str = "warehouse_id") -> Any:
    """Base quantity open purchase orders still bring into the warehouse (0 without procurement)."""
    try:
        line_model = apps.get_model("procurement", "PurchaseOrderLine")
    except LookupError:
        return ZERO
    open_lines = (
        line_model.objects.filter(
            product_id=OuterRef(product),
            order__warehouse_id=OuterRef(warehouse),
            order__status__in=OPEN_ORDER_STATUSES,
            base_quantity__gt=F("accepted_quantity"),
        )
        .order_by()
        .values("product_id")
        .annotate(open=Sum(F("base_quantity") - F("accepted_quantity")))
        .values("open")[:1]
    )
    return Coalesce(Subquery(open_lines, output_field=QuantityField()), ZERO)


def with_levels(queryset: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """Balances annotated with their levels, default location and classification."""
    return queryset.annotate(
        safety_stock=Coalesce(_pair(StockLevel, "safety_stock"), ZERO),
        reorder_point=Coalesce(_pair(StockLevel, "reorder_point"), ZERO),
        max_stock=_pair(StockLevel, "max_stock"),
        location_code=_pair(StockLevel, "location__code"),
        abc=_pair(StockClassification, "abc"),
        xyz=_pair(StockClassification, "xyz"),
    )


def stock_levels(*, user: Any, warehouse_id: int) -> QuerySet[Product]:
    """Active products with their levels, location and stock in one warehouse (the levels list page)."""
    balance = StockBalance.objects.filter(product_id=OuterRef("pk"), warehouse_id=warehouse_id)
    level = StockLevel.objects.filter(product_id=OuterRef("pk"), warehouse_id=warehouse_id)
    classification = StockClassification.objects.filter(product_id=OuterRef("pk"), warehouse_id=warehouse_id)
    return (
        Product.objects.filter(is_active=True)
        .select_related("base_unit", "category")
        .annotate(
            on_hand=Coalesce(Subquery(balance.values("on_hand")[:1]), ZERO),
            available=Coalesce(Subquery(balance.values("available")[:1]), ZERO, output_field=QuantityField()),
            safety_stock=Coalesce(Subquery(level.values("safety_stock")[:1]), ZERO),
            reorder_point=Coalesce(Subquery(level.values("reorder_point")[:1]), ZERO),
            max_stock=Subquery(level.values("max_stock")[:1]),
            location_id=Subquery(level.values("location_id")[:1]),
            location_code=Subquery(level.values("location__code")[:1]),
            abc=Subquery(classification.values("abc")[:1]),
            xyz=Subquery(classification.values("xyz")[:1]),
        )
    )


def _level_alerts(user: Any) -> QuerySet[StockLevel]:
    quantity = DecimalField(max_digits=18, decimal_places=4)
    return (
        _scoped(StockLevel.objects.all(), user)
        .annotate(
            on_hand=Coalesce(_pair(StockBalance, "on_hand"), ZERO),
            available=Coalesce(_pair(StockBalance, "available"), ZERO, output_field=QuantityField()),
            on_order=on_order_subquery(),
        )
        .annotate(
            position=ExpressionWrapper(F("available") + F("on_order"), output_field=quantity),
            order_up_to=Coalesce(F("max_stock"), F("reorder_point")),
        )
        .annotate(
            suggested=Greatest(
                ExpressionWrapper(F("order_up_to") - F("position"), output_field=quantity), ZERO, output_field=quantity
            ),
            excess=Case(
                When(max_stock__isnull=False, on_hand__gt=F("max_stock"), then=F("on_hand") - F("max_stock")),
                default=ZERO,
                output_field=quantity,
            ),
        )
    )


ALERT_CONDITIONS = {
    AlertKind.BELOW_SAFETY: Q(safety_stock__gt=0, available__lt=F("safety_stock")),
    AlertKind.REORDER: Q(reorder_point__gt=0, position__lte=F("reorder_point")),
    AlertKind.EXCESS: Q(max_stock__isnull=False, on_hand__gt=F("max_stock")),
}


def _quiet_since(policy: InventoryPolicy) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=policy.no_movement_days)


def _no_movement(user: Any, since: datetime.datetime) -> QuerySet[StockBalance]:
    """Balances with stock and no movement since ``since``. The filter is a NOT EXISTS, which
    PostgreSQL runs as one anti-join against the recent movements (the last movement time compared
    per balance read every balance's ledger: 0.64 s at 100,000 balances and a million movements);
    ``last_movement_at`` is only computed for the rows fetched."""
    same_key = StockMovement.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    last = same_key.order_by("-posted_at", "-id").values("posted_at")[:1]
    return (
        _scoped(StockBalance.objects.filter(on_hand__gt=0), user)
        .filter(~Exists(same_key.filter(posted_at__gte=since)))
        .annotate(last_movement_at=Subquery(last))
    )


def stock_alerts(*, user: Any, kind: str, warehouse_id: int | None = None) -> QuerySet:
    """The product × warehouse rows in alert ``kind``, with what the page shows.

    Level alerts are StockLevel rows annotated with on hand, available, on order, suggested
    order quantity and excess; "no movement" rows are StockBalance rows with ``last_movement_at``.
    """
    if kind == AlertKind.NO_MOVEMENT:
        queryset = _no_movement(user, _quiet_since(InventoryPolicy.load()))
    else:
        queryset = _level_alerts(user).filter(ALERT_CONDITIONS[kind])
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return queryset.select_related("product", "product__base_unit", "warehouse").order_by(
        "warehouse__code", "product__code"
    )


def stock_alert_counts(*, user: Any) -> dict[int, dict[str, int]]:
    """Alert counts per warehouse the user may see: ``{warehouse_id: {kind: count}}`` (kinds with 0 included).

    Two aggregate queries, whatever the number of warehouses; for dashboards and notifications.
    """
    counts: dict[int, dict[str, int]] = {}
    level_rows = (
        _level_alerts(user)
        .order_by()
        .values("warehouse_id")
        .annotate(**{kind: Count("pk", filter=condition) for kind, condition in ALERT_CONDITIONS.items()})
    )
    for row in level_rows:
        counts.setdefault(row["warehouse_id"], dict.fromkeys(AlertKind.ALL, 0)).update(
            {kind: row[kind] for kind in ALERT_CONDITIONS}
        )
    quiet = (
        _no_movement(user, _quiet_since(InventoryPolicy.load()))
        .order_by()
        .values("warehouse_id")
        .annotate(n=Count("pk"))
    )
    for row in quiet:
        counts.setdefault(row["warehouse_id"], dict.fromkeys(AlertKind.ALL, 0))[AlertKind.NO_MOVEMENT] = row["n"]
    return counts


def stock_alert_totals(*, user: Any) -> dict[str, int]:
    """Alert counts over every warehouse the user may see: ``{kind: count}``."""
    totals = dict.fromkeys(AlertKind.ALL, 0)
    for per_kind in stock_alert_counts(user=user).values():
        for kind, count in per_kind.items():
            totals[kind] += count
    return totals


def classification_matrix(*, user: Any, warehouse_id: int | None = None) -> dict[str, dict[str, Any]]:
    """Count of products and stock value per ABC × XYZ cell (``{"AX": {"count": n, "value": v}, ...}``).

    One grouped query; the stock value is today's, from the balances.
    """
    queryset = _scoped(StockClassification.objects.all(), user)
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    rows = (
        queryset.annotate(stock_value=Coalesce(_pair(StockBalance, "value"), Value(Decimal(0))))
        .order_by()
        .values("abc", "xyz")
        .annotate(count=Count("pk"), value=Sum("stock_value"), consumption=Sum("consumption_value"))
    )
    matrix = {
        f"{abc}{xyz}": {"count": 0, "value": Decimal(0), "consumption": Decimal(0)} for abc in "ABC" for xyz in "XYZ"
    }
    for row in rows:
        matrix[f"{row['abc']}{row['xyz']}"] = {
            "count": row["count"],
            "value": row["value"] or Decimal(0),
            "consumption": row["consumption"] or Decimal(0),
        }
    return matrix


def classification_period(*, user: Any) -> tuple[datetime.date, datetime.date, datetime.datetime] | None:
    """(period start, period end, computed at) of the latest classification run, or None."""
    return (
        _scoped(StockClassification.objects.all(), user)
        .order_by("-computed_at")
        .values_list("period_start", "period_end", "computed_at")
        .first()
    )


def with_default_location(
    queryset: QuerySet, *, product: str = "product_id", warehouse: str = "warehouse_id"
) -> QuerySet:
    """``queryset`` (document lines) annotated with the default storage location of each line's
    product × warehouse: ``location_code`` ("" without one) and ``location_sort`` (for a pick
    list in walking order: sort order, then code; lines without a location last). One query."""
    level = StockLevel.objects.filter(
        product_id=OuterRef(product), warehouse_id=OuterRef(warehouse), location__isnull=False
    )
    return queryset.annotate(
        location_code=Coalesce(Subquery(level.values("location__code")[:1]), Value("")),
        location_sort=Subquery(level.values("location__sort_order")[:1]),
    )


def default_locations(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """``{(product id, warehouse id): location code}`` of the pairs that have a default location."""
    if not pairs:
        return {}
    product_ids = {product_id for product_id, _warehouse_id in pairs}
    warehouse_ids = {warehouse_id for _product_id, warehouse_id in pairs}
    rows = StockLevel.objects.filter(
        product_id__in=product_ids, warehouse_id__in=warehouse_ids, location__isnull=False
    ).values_list("product_id", "warehouse_id", "location__code")
    return {(product_id, warehouse_id): code for product_id, warehouse_id, code in rows}


def stock_thresholds(keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """``{(product, warehouse): (safety stock, reorder point)}`` of the balances ``keys`` that have either.

    The after-commit check of every posting runs this, so it is one plain statement per 900
    products (no ORM compiling, which cost more than the query itself).
    """
    wanted = set(keys)
    warehouse_ids = sorted({warehouse_id for _product_id, warehouse_id in wanted})
    product_ids = sorted({product_id for product_id, _warehouse_id in wanted})
    found: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(product_ids), 900):
            chunk = product_ids[start : start + 900]
            cursor.execute(
                f"SELECT product_id, warehouse_id, safety_stock, reorder_point FROM {StockLevel._meta.db_table} "  # noqa: S608  (the model's table)
                f"WHERE (safety_stock > 0 OR reorder_point > 0) AND product_id IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND warehouse_id IN ({', '.join(['%s'] * len(warehouse_ids))})",
                [*chunk, *warehouse_ids],
            )
            for product_id, warehouse_id, safety, reorder in cursor.fetchall():
                if (product_id, warehouse_id) in wanted:
                    found[product_id, warehouse_id] = (_decimal(safety), _decimal(reorder))
    return found


def _decimal(value: Any) -> Decimal:
    """SQLite hands back numeric columns as int or float: read them as the decimal they were written as."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
