"""Purchase analysis: spend, price trend, price variance against the supplier price list and
supplier delivery (on time, accepted), from posted purchase receipts and returns.

Every figure is summed in SQL (``values()`` + ``annotate()``, ``TruncMonth``); Python only
merges a few aggregated rows (receipts with their returns) and turns sums into percentages.
Amounts are net of tax unless the name says ``total`` (tax-inclusive); prices are per base unit,
net of tax. Each read is limited to the warehouses the user may see (the receipt's warehouse).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from apps.core.fields import MONEY_QUANT, PRICE_QUANT, ZERO
from apps.masterdata.models import Category
from apps.masterdata.selectors import category_descendant_ids, warehouse_scope_ids
from apps.procurement.models import DocumentStatus, GoodsReceipt, GoodsReceiptLine, PurchaseReturnLine, SupplierPrice

MONEY = DecimalField(max_digits=18, decimal_places=2)
QTY = DecimalField(max_digits=18, decimal_places=4)
PRICE = DecimalField(max_digits=18, decimal_places=4)
VALUE = DecimalField(max_digits=30, decimal_places=6)
PERCENT_QUANT = Decimal("0.1")


@dataclass(frozen=True)
class PurchaseCriteria:
    date_from: datetime.date
    date_to: datetime.date
    supplier_id: int | None = None
    category_id: int | None = None
    warehouse_id: int | None = None
    product_id: int | None = None
    category_exact: bool = False  # the category alone, not its subcategories (a category row's drill-down)


def month_of(value: Any) -> datetime.date:
    """The first day of a ``TruncMonth`` value (a date, or a datetime on some backends)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return value.replace(day=1)


def percent(numerator: Any, denominator: Any) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator or 0) / Decimal(denominator) * 100).quantize(PERCENT_QUANT)


def _scoped(queryset: QuerySet, user: Any, field: str) -> QuerySet:
    ids = warehouse_scope_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def _filtered(queryset: QuerySet, criteria: PurchaseCriteria, *, document: str, date_field: str, user: Any):
    """``queryset`` (lines of ``document``) in the period, the filters and the user's warehouses."""
    queryset = queryset.filter(
        **{
            f"{document}__status": DocumentStatus.POSTED,
            f"{document}__{date_field}__gte": criteria.date_from,
            f"{document}__{date_field}__lte": criteria.date_to,
        }
    )
    warehouse = "receipt__warehouse_id" if document == "receipt" else "purchase_return__receipt__warehouse_id"
    if criteria.supplier_id:
        queryset = queryset.filter(**{f"{document}__supplier_id": criteria.supplier_id})
    if criteria.warehouse_id:
        queryset = queryset.filter(**{warehouse: criteria.warehouse_id})
    if criteria.product_id:
        queryset = queryset.filter(product_id=criteria.product_id)
    if criteria.category_id and criteria.category_exact:
        queryset = queryset.filter(product__category_id=criteria.category_id)
    elif criteria.category_id:
        category = Category(pk=criteria.category_id)
        queryset = queryset.filter(product__category_id__in=category_descendant_ids(category))
    return _scoped(queryset, user, warehouse)


def receipt_lines(criteria: PurchaseCriteria, user: Any) -> QuerySet[GoodsReceiptLine]:
    """Lines of posted receipts dated in the period, filtered and scoped."""
    return _filtered(GoodsReceiptLine.objects.all(), criteria, document="receipt", date_field="receipt_date", user=user)


def return_lines(criteria: PurchaseCriteria, user: Any) -> QuerySet[PurchaseReturnLine]:
    """Lines of posted purchase returns dated in the period (on their return date), filtered and scoped."""
    return _filtered(
        PurchaseReturnLine.objects.all(), criteria, document="purchase_return", date_field="return_date", user=user
    )


# --- spend ------------------------------------------------------------------------------------

SPEND_DIMENSIONS = ("supplier", "category", "month")
AMOUNTS = ("net", "tax", "total")


def _dimension_keys(dimension: str, document: str, date_field: str) -> dict[str, Any]:
    if dimension == "supplier":
        return {
            "key": F(f"{document}__supplier_id"),
            "code": F(f"{document}__supplier__code"),
            "name": F(f"{document}__supplier__name"),
        }
    if dimension == "category":
        return {
            "key": F("product__category_id"),
            "code": F("product__category__code"),
            "name": F("product__category__name"),
        }
    return {"key": TruncMonth(f"{document}__{date_field}")}


def _spend_sums(queryset: QuerySet, keys: dict[str, Any]) -> QuerySet:
    return (
        queryset.annotate(**keys)
        .values(*keys)
        .annotate(net=Sum("net_amount"), tax=Sum("tax_amount"), total=Sum("total_amount"))
        .order_by()
    )


def _zero_amounts() -> dict[str, Decimal]:
    return {f"{side}_{amount}": ZERO for side in ("received", "returned") for amount in AMOUNTS}


def _with_net(row: dict[str, Any]) -> dict[str, Any]:
    for amount in AMOUNTS:
        row[amount] = row[f"received_{amount}"] - row[f"returned_{amount}"]
    return row


def spend_by(criteria: PurchaseCriteria, *, dimension: str, user: Any) -> list[dict[str, Any]]:
    """Spend per supplier, product category or month: received − returned, net of tax (``net``),
    tax and tax-inclusive (``total``). A return counts in the month it is dated. Two queries.

    Rows: ``key`` (supplier id, category id or first day of the month), ``code``, ``name`` and
    ``received_*``, ``returned_*`` and the net ``net`` / ``tax`` / ``total``. Suppliers and
    categories come largest net spend first; months in calendar order.
    """
    rows: dict[Any, dict[str, Any]] = {}
    sources = (
        ("received", receipt_lines(criteria, user), "receipt", "receipt_date"),
        ("returned", return_lines(criteria, user), "purchase_return", "return_date"),
    )
    for side, queryset, document, date_field in sources:
        for found in _spend_sums(queryset, _dimension_keys(dimension, document, date_field)):
            key = month_of(found["key"]) if dimension == "month" else found["key"]
            row = rows.setdefault(
                key, {"key": key, "code": found.get("code"), "name": found.get("name"), **_zero_amounts()}
            )
            for amount in AMOUNTS:
                row[f"{side}_{amount}"] += found[amount] or ZERO
    result = [_with_net(row) for row in rows.values()]
    if dimension == "month":
        return sorted(result, key=lambda row: row["key"])
    return sorted(result, key=lambda row: (-row["net"], row["code"] or ""))


def spend_totals(criteria: PurchaseCriteria, *, user: Any) -> dict[str, Decimal]:
    """The period's received, returned and net amounts (two aggregate queries)."""
    sums = {amount: Coalesce(Sum(f"{amount}_amount"), Value(ZERO), output_field=MONEY) for amount in AMOUNTS}
    received = receipt_lines(criteria, user).aggregate(**sums)
    returned = return_lines(criteria, user).aggregate(**sums)
    totals = {f"received_{amount}": received[amount] for amount in AMOUNTS}
    totals.update({f"returned_{amount}": returned[amount] for amount in AMOUNTS})
    return _with_net(totals)


# --- price trend ------------------------------------------------------------------------------


def price_trend(criteria: PurchaseCriteria, *, user: Any) -> list[dict[str, Any]]:
    """Per month of receipt, for one product (``criteria.product_id``): accepted quantity (base
    unit), amount net of tax, the average price paid (amount ÷ quantity, per base unit), the lowest
    and highest unit price paid and the number of receipts. Lines all rejected are left out. One query.
    """
    rows = (
        receipt_lines(criteria, user)
        .filter(accepted_base__gt=0)
        .annotate(month=TruncMonth("receipt__receipt_date"))
        .values("month")
        .annotate(
            quantity=Sum("accepted_base"),
            amount=Sum("net_amount"),
            low=Min("unit_cost"),
            high=Max("unit_cost"),
            receipts=Count("receipt_id", distinct=True),
        )
        .order_by("month")
    )
    return [
        {**row, "month": month_of(row["month"]), "average": _average(row["amount"], row["quantity"])} for row in rows
    ]


def _average(amount: Decimal | None, quantity: Decimal | None) -> Decimal | None:
    if not quantity:
        return None
    return (Decimal(amount) / Decimal(quantity)).quantize(PRICE_QUANT)


def price_trend_totals(criteria: PurchaseCriteria, *, user: Any) -> dict[str, Any]:
    row = (
        receipt_lines(criteria, user)
        .filter(accepted_base__gt=0)
        .aggregate(
            quantity=Coalesce(Sum("accepted_base"), Value(ZERO), output_field=QTY),
            amount=Coalesce(Sum("net_amount"), Value(ZERO), output_field=MONEY),
            low=Min("unit_cost"),
            high=Max("unit_cost"),
            receipts=Count("receipt_id", distinct=True),
        )
    )
    return {**row, "average": _average(row["amount"], row["quantity"])}


# --- price variance against the price list -----------------------------------------------------


def _list_price() -> Subquery:
    """The supplier's price-list price (per base unit, net of tax) valid on the receipt date; of
    overlapping rows the latest start wins, as when an order is priced."""
    day = OuterRef("receipt__receipt_date")
    rows = (
        SupplierPrice.objects.filter(
            supplier_id=OuterRef("receipt__supplier_id"), product_id=OuterRef("product_id"), valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from", "-id")
        .values("price")[:1]
    )
    return Subquery(rows, output_field=PRICE)


def variance_lines(criteria: PurchaseCriteria, *, user: Any, ordering: str = "date") -> QuerySet[GoodsReceiptLine]:
    """Accepted receipt lines with ``list_price`` (valid on the receipt date, ``None`` when the
    price list has none), ``paid_value`` = accepted × unit price paid, ``list_value`` = accepted ×
    list price and ``variance`` = paid − list (positive: paid more than the list)."""
    lines = (
        receipt_lines(criteria, user)
        .filter(accepted_base__gt=0)
        .select_related("receipt", "receipt__supplier", "product", "product__base_unit")
        .annotate(list_price=_list_price())
        .annotate(
            paid_value=ExpressionWrapper(F("accepted_base") * F("unit_cost"), output_field=VALUE),
            list_value=ExpressionWrapper(F("accepted_base") * F("list_price"), output_field=VALUE),
            variance=ExpressionWrapper(F("paid_value") - F("list_value"), output_field=VALUE),
        )
    )
    if ordering == "-variance":
        return lines.order_by(F("variance").desc(nulls_last=True), "receipt__receipt_date", "pk")
    if ordering == "variance":
        return lines.order_by(F("variance").asc(nulls_last=True), "receipt__receipt_date", "pk")
    return lines.order_by("receipt__receipt_date", "receipt__number", "line_no")


def with_variance_percent(line: GoodsReceiptLine) -> GoodsReceiptLine:
    line.variance_percent = percent(line.variance, line.list_value) if line.list_price is not None else None
    return line


def variance_by_supplier(criteria: PurchaseCriteria, *, user: Any) -> list[dict[str, Any]]:
    """Per supplier: lines, lines with a list price, paid and list value of those lines, the
    variance and its % of the list value. One query."""
    priced = Q(list_price__isnull=False)
    rows = (
        variance_lines(criteria, user=user)
        .values("receipt__supplier_id", "receipt__supplier__code", "receipt__supplier__name")
        .annotate(
            lines=Count("pk"),
            priced_lines=Count("pk", filter=priced),
            paid=Coalesce(Sum("paid_value", filter=priced), Value(ZERO), output_field=VALUE),
            listed=Coalesce(Sum("list_value", filter=priced), Value(ZERO), output_field=VALUE),
        )
        .order_by("receipt__supplier__code")
    )
    return [_variance_figures(row) for row in rows]


def variance_totals(criteria: PurchaseCriteria, *, user: Any) -> dict[str, Any]:
    priced = Q(list_price__isnull=False)
    row = (
        variance_lines(criteria, user=user)
        .order_by()
        .aggregate(
            lines=Count("pk"),
            priced_lines=Count("pk", filter=priced),
            paid=Coalesce(Sum("paid_value", filter=priced), Value(ZERO), output_field=VALUE),
            listed=Coalesce(Sum("list_value", filter=priced), Value(ZERO), output_field=VALUE),
        )
    )
    return _variance_figures(row)


def _variance_figures(row: dict[str, Any]) -> dict[str, Any]:
    paid = Decimal(row["paid"]).quantize(MONEY_QUANT)
    listed = Decimal(row["listed"]).quantize(MONEY_QUANT)
    return {
        **row,
        "paid": paid,
        "listed": listed,
        "variance": paid - listed,
        "variance_percent": percent(Decimal(row["paid"]) - Decimal(row["listed"]), row["listed"]),
    }


# --- supplier delivery: on time and accepted ---------------------------------------------------


def _delivery_sums() -> dict[str, Any]:
    against_order = Q(order__isnull=False)
    return {
        "receipts": Count("pk", distinct=True, filter=against_order),
        "on_time": Count("pk", distinct=True, filter=against_order & Q(receipt_date__lte=F("order__expected_date"))),
        "received": Coalesce(Sum("lines__received_base"), Value(ZERO), output_field=QTY),
        "accepted": Coalesce(Sum("lines__accepted_base"), Value(ZERO), output_field=QTY),
    }


def _delivery_figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "on_time_rate": percent(row["on_time"], row["receipts"]),
        "acceptance_rate": percent(row["accepted"], row["received"]),
    }


def _delivery_receipts(criteria: PurchaseCriteria, user: Any) -> QuerySet[GoodsReceipt]:
    receipts = GoodsReceipt.objects.filter(
        status=DocumentStatus.POSTED, receipt_date__gte=criteria.date_from, receipt_date__lte=criteria.date_to
    )
    if criteria.supplier_id:
        receipts = receipts.filter(supplier_id=criteria.supplier_id)
    if criteria.warehouse_id:
        receipts = receipts.filter(warehouse_id=criteria.warehouse_id)
    return _scoped(receipts, user, "warehouse_id")


def supplier_delivery(criteria: PurchaseCriteria, *, user: Any) -> list[dict[str, Any]]:
    """Per supplier and month of receipt: receipts against an order, how many arrived on or
    before the order's expected (promised) date, the on-time rate, received and accepted base
    quantities and the acceptance rate (accepted ÷ received). One query."""
    rows = (
        _delivery_receipts(criteria, user)
        .annotate(month=TruncMonth("receipt_date"))
        .values("supplier_id", "supplier__code", "supplier__name", "month")
        .annotate(**_delivery_sums())
        .order_by("supplier__code", "month")
    )
    return [_delivery_figures({**row, "month": month_of(row["month"])}) for row in rows]


def supplier_delivery_totals(criteria: PurchaseCriteria, *, user: Any) -> list[dict[str, Any]]:
    """The same figures per supplier over the whole period. One query."""
    rows = (
        _delivery_receipts(criteria, user)
        .values("supplier_id", "supplier__code", "supplier__name")
        .annotate(**_delivery_sums())
        .order_by("supplier__code")
    )
    return [_delivery_figures(row) for row in rows]


def delivery_by_month(criteria: PurchaseCriteria, *, user: Any) -> list[dict[str, Any]]:
    """The same figures per month over every supplier in the filter (the chart). One query."""
    rows = (
        _delivery_receipts(criteria, user)
        .annotate(month=TruncMonth("receipt_date"))
        .values("month")
        .annotate(**_delivery_sums())
        .order_by("month")
    )
    return [_delivery_figures({**row, "month": month_of(row["month"])}) for row in rows]


def delivery_overall(criteria: PurchaseCriteria, *, user: Any) -> dict[str, Any]:
    return _delivery_figures(_delivery_receipts(criteria, user).aggregate(**_delivery_sums()))
