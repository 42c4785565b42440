"""Reads for purchasing: lists, price defaults, outstanding payables, the payables report and
the supplier scorecard. Reports aggregate in SQL; Python only merges a few aggregated rows."""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least, TruncMonth
from django.utils import timezone

from apps.core import subledger
from apps.core.fields import MONEY_QUANT, PRICE_QUANT, ZERO
from apps.inventory.documents.scope import warehouse_scoped
from apps.inventory.selectors_levels import with_default_location
from apps.masterdata.models import Product, ProductUnit, Supplier
from apps.procurement.models import (
    PAYABLES,
    DocumentStatus,
    GoodsReceipt,
    GoodsReceiptLine,
    PayableKind,
    PaymentAllocation,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReturn,
    SupplierPayment,
    SupplierPrice,
)

MONEY = DecimalField(max_digits=18, decimal_places=2)
QTY = DecimalField(max_digits=18, decimal_places=4)
VALUE = DecimalField(max_digits=30, decimal_places=6)


# --- lists and details ------------------------------------------------------------------------


def purchase_orders_visible(*, user: Any = None) -> QuerySet[PurchaseOrder]:
    """Purchase orders of the user's warehouses (every order without a user)."""
    queryset = PurchaseOrder.objects.all()
    return queryset if user is None else warehouse_scoped(queryset, user)


def goods_receipts_visible(*, user: Any = None) -> QuerySet[GoodsReceipt]:
    queryset = GoodsReceipt.objects.all()
    return queryset if user is None else warehouse_scoped(queryset, user)


def purchase_returns_visible(*, user: Any = None) -> QuerySet[PurchaseReturn]:
    """Returns against receipts of the user's warehouses."""
    queryset = PurchaseReturn.objects.all()
    return queryset if user is None else warehouse_scoped(queryset, user, "receipt__warehouse_id")


def purchase_order_list(*, filters: dict | None = None, user: Any = None) -> QuerySet[PurchaseOrder]:
    from apps.procurement.filters import PurchaseOrderFilter

    queryset = purchase_orders_visible(user=user).select_related("supplier", "warehouse", "buyer")
    return queryset if filters is None else PurchaseOrderFilter(filters, queryset=queryset).qs


def purchase_order_detail(*, pk: int, user: Any = None) -> PurchaseOrder:
    lines = PurchaseOrderLine.objects.select_related("product", "unit").order_by("line_no")
    return (
        purchase_orders_visible(user=user)
        .select_related("supplier", "warehouse", "buyer", "created_by", "approved_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=pk)
    )


def goods_receipt_list(*, filters: dict | None = None, user: Any = None) -> QuerySet[GoodsReceipt]:
    from apps.procurement.filters import GoodsReceiptFilter

    queryset = goods_receipts_visible(user=user).select_related("supplier", "warehouse", "order", "created_by")
    return queryset if filters is None else GoodsReceiptFilter(filters, queryset=queryset).qs


def goods_receipt_detail(*, pk: int, user: Any = None) -> GoodsReceipt:
    lines = with_default_location(
        GoodsReceiptLine.objects.select_related("product", "unit", "warehouse", "order_line").order_by("line_no")
    )
    return (
        goods_receipts_visible(user=user)
        .select_related("supplier", "warehouse", "order", "created_by", "posted_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=pk)
    )


def purchase_return_list(*, filters: dict | None = None, user: Any = None) -> QuerySet[PurchaseReturn]:
    from apps.procurement.filters import PurchaseReturnFilter

    queryset = purchase_returns_visible(user=user).select_related("supplier", "receipt", "created_by")
    return queryset if filters is None else PurchaseReturnFilter(filters, queryset=queryset).qs


def purchase_return_detail(*, pk: int, user: Any = None) -> PurchaseReturn:
    return (
        purchase_returns_visible(user=user)
        .select_related("supplier", "receipt", "created_by", "posted_by")
        .prefetch_related("lines__product", "lines__unit", "lines__warehouse")
        .get(pk=pk)
    )


def supplier_payment_list(*, filters: dict | None = None) -> QuerySet[SupplierPayment]:
    from apps.procurement.filters import SupplierPaymentFilter

    allocated = _sum_subquery(PaymentAllocation.objects.filter(payment=OuterRef("pk")), "payment", "amount")
    queryset = (
        SupplierPayment.objects.select_related("supplier", "created_by")
        .annotate(allocated=allocated)
        .annotate(unallocated_amount=ExpressionWrapper(F("amount") - F("allocated"), output_field=MONEY))
    )
    return queryset if filters is None else SupplierPaymentFilter(filters, queryset=queryset).qs


def supplier_payment_detail(*, pk: int) -> SupplierPayment:
    return (
        SupplierPayment.objects.select_related("supplier", "created_by")
        .prefetch_related("allocations__receipt")
        .get(pk=pk)
    )


def supplier_price_list(*, filters: dict | None = None) -> QuerySet[SupplierPrice]:
    from apps.procurement.filters import SupplierPriceFilter

    queryset = SupplierPrice.objects.select_related("supplier", "product", "product__base_unit")
    return queryset if filters is None else SupplierPriceFilter(filters, queryset=queryset).qs


# --- price defaults ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceDefault:
    """What a buyer gets when adding ``product`` to an order from ``supplier`` (per base unit)."""

    unit_price: Decimal
    source: str  # price_list | last_purchase | product
    list_price: Decimal | None = None
    lead_time_days: int | None = None
    min_order_qty: Decimal = ZERO
    pack_size: Decimal = ZERO


def valid_price_rows(*, supplier_id: int, product_ids: Iterable[int], on_date: datetime.date) -> dict:
    """``{product_id: SupplierPrice}`` valid on ``on_date`` (the latest start wins)."""
    rows = (
        SupplierPrice.objects.filter(supplier_id=supplier_id, product_id__in=list(product_ids), valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by("product_id", "valid_from", "id")
    )
    return {row.product_id: row for row in rows}


def last_purchase_costs(*, supplier_id: int, product_ids: Iterable[int]) -> dict[int, Decimal]:
    """``{product_id: unit cost per base unit}`` of the latest non-draft order line from this supplier."""
    latest = (
        PurchaseOrderLine.objects.filter(
            order__supplier_id=supplier_id,
            product_id=OuterRef("product_id"),
        )
        .exclude(order__status__in=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED])
        .order_by("-order__order_date", "-order_id", "-line_no")
    )
    rows = PurchaseOrderLine.objects.filter(
        pk=Subquery(latest.values("pk")[:1]), product_id__in=list(product_ids)
    ).values_list("product_id", "unit_cost")
    return dict(rows)


def price_defaults(*, supplier_id: int, products: Iterable[Product], on_date: datetime.date) -> dict[int, PriceDefault]:
    """Price defaults for several products in three queries: price list, last purchase, product."""
    products = list(products)
    ids = [product.pk for product in products]
    listed = valid_price_rows(supplier_id=supplier_id, product_ids=ids, on_date=on_date)
    missing = [pk for pk in ids if pk not in listed]
    last = last_purchase_costs(supplier_id=supplier_id, product_ids=missing) if missing else {}
    defaults = {}
    for product in products:
        row = listed.get(product.pk)
        if row is not None:
            defaults[product.pk] = PriceDefault(
                unit_price=row.price,
                source="price_list",
                list_price=row.price,
                lead_time_days=row.lead_time_days,
                min_order_qty=row.min_order_qty,
                pack_size=row.pack_size,
            )
        elif product.pk in last:
            defaults[product.pk] = PriceDefault(
                unit_price=last[product.pk].quantize(PRICE_QUANT), source="last_purchase"
            )
        else:
            defaults[product.pk] = PriceDefault(unit_price=product.purchase_price, source="product")
    return defaults


def supplier_price_for(
    *, supplier: Supplier, product: Product, on_date: datetime.date | None = None, unit_id: int | None = None
) -> dict:
    """The JSON answer of ``procurement:supplier_price``: price per chosen unit and expected date."""
    on_date = on_date or timezone.localdate()
    default = price_defaults(supplier_id=supplier.pk, products=[product], on_date=on_date)[product.pk]
    ratio = Decimal(1)
    if unit_id and unit_id != product.base_unit_id:
        ratio = ProductUnit.objects.filter(product=product, unit_id=unit_id).values_list("ratio", flat=True).first()
        ratio = ratio or Decimal(1)
    lead = default.lead_time_days
    return {
        "unit_price": str((default.unit_price * ratio).quantize(PRICE_QUANT)),
        "lead_time_days": lead,
        "expected_date": (on_date + datetime.timedelta(days=lead)).isoformat() if lead is not None else None,
        "min_order_qty": str(default.min_order_qty),
        "pack_size": str(default.pack_size),
        "tax_rate": str(product.tax_rate),
        "source": default.source,
    }


# --- payables ---------------------------------------------------------------------------------


def _sum_subquery(queryset: QuerySet, group_field: str, field: str) -> Coalesce:
    """``COALESCE((SELECT SUM(field) ... GROUP BY group_field), 0)`` for an outer annotation."""
    summed = queryset.order_by().values(group_field).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY), Value(ZERO), output_field=MONEY)


def receipts_with_outstanding(*, supplier_id: int | None = None, as_of: datetime.date | None = None) -> QuerySet:
    """Posted receipts annotated with ``payable_amount`` (owed less returns), ``paid_amount`` and
    ``outstanding``: sums of the receipt's entries in the payables sub-ledger."""
    dated = Q() if as_of is None else Q(document_date__lte=as_of)
    queryset = GoodsReceipt.objects.filter(status=DocumentStatus.POSTED).select_related("supplier")
    if supplier_id is not None:
        queryset = queryset.filter(supplier_id=supplier_id)
    if as_of is not None:
        queryset = queryset.filter(receipt_date__lte=as_of)
    return queryset.annotate(
        payable_amount=subledger.item_sum(PAYABLES, condition=dated & ~Q(kind=PayableKind.PAYMENT)),
        paid_amount=ExpressionWrapper(
            -subledger.item_sum(PAYABLES, condition=dated & Q(kind=PayableKind.PAYMENT)), output_field=MONEY
        ),
        outstanding=ExpressionWrapper(F("payable_amount") - F("paid_amount"), output_field=MONEY),
    ).order_by("receipt_date", "id")


AGEING_BUCKETS = (("age_0_30", 0, 30), ("age_31_60", 31, 60), ("age_61_90", 61, 90), ("age_90_plus", 91, None))


def payables_report(
    *, date_from: datetime.date, date_to: datetime.date, supplier_id: int | None = None
) -> QuerySet[Supplier]:
    """Per supplier: opening, new (receipts), returns, paid, outstanding and ageing as of ``date_to``.

    All from the payables sub-ledger (``apps.core.subledger.ageing``): opening = entries dated
    before ``date_from``; new / returns / paid are dated in the period; outstanding = opening + new
    − returns − paid. Ageing splits what is still owed on each receipt on ``date_to`` by the
    receipt's age (days since the receipt date): 0–30, 31–60, 61–90, over 90. Payments not
    matched to any receipt are ``unallocated`` (paid on account), so outstanding = Σ buckets −
    unallocated. One query, one row per supplier.
    """
    queryset = Supplier.objects.all()
    if supplier_id is not None:
        queryset = queryset.filter(pk=supplier_id)
    queryset = subledger.ageing(
        PAYABLES,
        queryset,
        date_from=date_from,
        date_to=date_to,
        buckets=AGEING_BUCKETS,
        kinds={
            "new_amount": PayableKind.RECEIPT,
            "returned_credit": PayableKind.RETURN,
            "paid_sum": PayableKind.PAYMENT,
        },
    ).annotate(
        returned=ExpressionWrapper(-F("returned_credit"), output_field=MONEY),
        paid_amount=ExpressionWrapper(-F("paid_sum"), output_field=MONEY),
        outstanding=F("closing"),
        unallocated=ExpressionWrapper(-F("unapplied"), output_field=MONEY),
    )
    active = ~Q(opening=0) | ~Q(closing=0) | Q(new_amount__gt=0) | Q(returned_credit__lt=0) | Q(paid_sum__lt=0)
    return queryset.filter(active).order_by("code")


def supplier_statement(
    *, supplier: Supplier, date_from: datetime.date, date_to: datetime.date
) -> tuple[Decimal, QuerySet, Decimal]:
    """(opening balance, the period's entries per document with a running ``balance``, closing):
    ``apps.core.subledger.statement`` over the payables sub-ledger."""
    return subledger.statement(PAYABLES, party=supplier, date_from=date_from, date_to=date_to)


def payables_totals(rows: QuerySet[Supplier]) -> dict:
    """Column totals of ``payables_report`` (one aggregate query over the same rows)."""
    fields = ["opening", "new_amount", "returned", "paid_amount", "outstanding", "unallocated"]
    fields += [name for name, _low, _high in AGEING_BUCKETS]
    totals = rows.aggregate(**{f"total_{name}": Sum(name) for name in fields})
    return {name: totals[f"total_{name}"] or ZERO for name in fields}


# --- supplier scorecard -----------------------------------------------------------------------


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator) * 100).quantize(Decimal("0.1"))


def _receipt_metrics() -> dict:
    """Aggregates over posted receipt lines (each line delivers one order line or one product)."""
    with_order = Q(order_line__isnull=False)
    on_time = with_order & Q(receipt__receipt_date__lte=F("order_line__order__expected_date"))
    lead = Cast("receipt__lead_time_days", FloatField())
    priced = Q(list_unit_cost__isnull=False)
    return {
        "deliveries": Count("pk", filter=with_order),
        "on_time": Count("pk", filter=on_time),
        "received": Coalesce(Sum("received_base"), Value(ZERO), output_field=QTY),
        "accepted": Coalesce(Sum("accepted_base"), Value(ZERO), output_field=QTY),
        "lead_n": Count("receipt__lead_time_days", filter=with_order),
        "lead_sum": Sum(lead, filter=with_order),
        "lead_sq_sum": Sum(lead * lead, filter=with_order),
        "paid_value": Sum(F("received_base") * F("unit_cost"), filter=priced, output_field=VALUE),
        "list_value": Sum(F("received_base") * F("list_unit_cost"), filter=priced, output_field=VALUE),
    }


def _fill_metrics() -> dict:
    """Fill rate over lines of finished orders (completed or force-closed)."""
    return {
        "ordered": Coalesce(Sum("base_quantity"), Value(ZERO), output_field=QTY),
        "filled": Coalesce(Sum(Least("received_quantity", "base_quantity")), Value(ZERO), output_field=QTY),
    }


FINISHED_ORDER_STATUSES = (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CLOSED)


def _figures(receipt_row: dict | None, fill_row: dict | None) -> dict:
    """Turn aggregated sums into the scorecard figures (percentages and days)."""
    receipt_row = receipt_row or {}
    fill_row = fill_row or {}
    lead_n = receipt_row.get("lead_n") or 0
    lead_mean = lead_sd = None
    if lead_n:
        mean = receipt_row["lead_sum"] / lead_n
        variance = max(receipt_row["lead_sq_sum"] / lead_n - mean * mean, 0.0)
        lead_mean = Decimal(str(round(mean, 1)))
        lead_sd = Decimal(str(round(math.sqrt(variance), 1)))
    price_variance = None
    if receipt_row.get("list_value"):
        paid, listed = Decimal(receipt_row["paid_value"]), Decimal(receipt_row["list_value"])
        price_variance = ((paid - listed) / listed * 100).quantize(Decimal("0.1"))
    return {
        "deliveries": receipt_row.get("deliveries") or 0,
        "on_time_rate": _ratio(receipt_row.get("on_time") or 0, receipt_row.get("deliveries")),
        "fill_rate": _ratio(fill_row.get("filled") or 0, fill_row.get("ordered")),
        "acceptance_rate": _ratio(receipt_row.get("accepted") or 0, receipt_row.get("received")),
        "lead_time_mean": lead_mean,
        "lead_time_sd": lead_sd,
        "price_variance": price_variance,
        "received": receipt_row.get("received") or ZERO,
        "accepted": receipt_row.get("accepted") or ZERO,
    }


def _scoped_receipt_lines(
    supplier_id: int | None, product_id: int | None, date_from: datetime.date | None, date_to: datetime.date | None
) -> QuerySet[GoodsReceiptLine]:
    lines = GoodsReceiptLine.objects.filter(receipt__status=DocumentStatus.POSTED)
    if supplier_id is not None:
        lines = lines.filter(receipt__supplier_id=supplier_id)
    if product_id is not None:
        lines = lines.filter(product_id=product_id)
    if date_from is not None:
        lines = lines.filter(receipt__receipt_date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(receipt__receipt_date__lte=date_to)
    return lines


def _scoped_order_lines(
    supplier_id: int | None, product_id: int | None, date_from: datetime.date | None, date_to: datetime.date | None
) -> QuerySet[PurchaseOrderLine]:
    lines = PurchaseOrderLine.objects.filter(order__status__in=FINISHED_ORDER_STATUSES)
    if supplier_id is not None:
        lines = lines.filter(order__supplier_id=supplier_id)
    if product_id is not None:
        lines = lines.filter(product_id=product_id)
    if date_from is not None:
        lines = lines.filter(order__order_date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(order__order_date__lte=date_to)
    return lines


def supplier_scorecard(
    *,
    supplier_id: int,
    product_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict:
    """The scorecard of one supplier (optionally for one product), from posted receipts only.

    - on-time rate: receipt lines against an order received on or before the order's expected
      date ÷ receipt lines against an order;
    - fill rate: Σ min(received, ordered) ÷ Σ ordered over the lines of completed or force-closed
      orders (received counts rejected goods too: they arrived);
    - acceptance rate: Σ accepted ÷ Σ received over posted receipt lines;
    - lead time: receipt date − order approval date in days, per receipt line against an order:
      mean and (population) standard deviation, from Σx and Σx² aggregated in SQL;
    - price variance: (Σ received × paid unit cost − Σ received × price-list cost) ÷ Σ received ×
      price-list cost, over lines that had a valid price-list price, in %; positive = paid more.
    Two aggregate queries.
    """
    receipt_row = _scoped_receipt_lines(supplier_id, product_id, date_from, date_to).aggregate(**_receipt_metrics())
    fill_row = _scoped_order_lines(supplier_id, product_id, date_from, date_to).aggregate(**_fill_metrics())
    return _figures(receipt_row, fill_row)


def supplier_scorecards(
    *, supplier_ids: Iterable[int], date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[int, dict]:
    """``supplier_scorecard`` figures for many suppliers at once (all their products), keyed by supplier id.

    Two aggregate queries grouped by supplier, whatever the number of suppliers; a supplier with
    no posted receipt or finished order in the window is left out.
    """
    ids = list(supplier_ids)
    receipt_rows = {
        row["receipt__supplier_id"]: row
        for row in _scoped_receipt_lines(None, None, date_from, date_to)
        .filter(receipt__supplier_id__in=ids)
        .values("receipt__supplier_id")
        .annotate(**_receipt_metrics())
        .order_by()
    }
    fill_rows = {
        row["order__supplier_id"]: row
        for row in _scoped_order_lines(None, None, date_from, date_to)
        .filter(order__supplier_id__in=ids)
        .values("order__supplier_id")
        .annotate(**_fill_metrics())
        .order_by()
    }
    return {pk: _figures(receipt_rows.get(pk), fill_rows.get(pk)) for pk in set(receipt_rows) | set(fill_rows)}


def supplier_scorecard_trend(*, supplier_id: int, months: int = 12, today: datetime.date | None = None) -> list[dict]:
    """Scorecard figures per month of receipt (fill rate per month of order) for the last ``months``."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    receipt_rows = (
        _scoped_receipt_lines(supplier_id, None, start, None)
        .annotate(month=TruncMonth("receipt__receipt_date"))
        .values("month")
        .annotate(**_receipt_metrics())
        .order_by("month")
    )
    fill_rows = (
        _scoped_order_lines(supplier_id, None, start, None)
        .annotate(month=TruncMonth("order__order_date"))
        .values("month")
        .annotate(**_fill_metrics())
        .order_by("month")
    )
    by_month: dict = {}
    for row in receipt_rows:
        by_month.setdefault(_month_key(row["month"]), [None, None])[0] = row
    for row in fill_rows:
        by_month.setdefault(_month_key(row["month"]), [None, None])[1] = row
    return [{"month": month, **_figures(*rows)} for month, rows in sorted(by_month.items())]


def _month_key(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        return value[:7]
    return f"{value:%Y-%m}"


def supplier_comparison(*, product: Product, on_date: datetime.date | None = None) -> list[dict]:
    """The suppliers of one product (供应商比价), best first.

    A supplier is listed when it has a price-list row for the product or has delivered it. The
    score is the mean of the available on-time, fill and acceptance rates; ties go to the lower
    current price. Three aggregate queries plus the price lists.
    """
    on_date = on_date or timezone.localdate()
    receipt_rows = {
        row["receipt__supplier_id"]: row
        for row in _scoped_receipt_lines(None, product.pk, None, None)
        .values("receipt__supplier_id")
        .annotate(**_receipt_metrics())
        .order_by()
    }
    fill_rows = {
        row["order__supplier_id"]: row
        for row in _scoped_order_lines(None, product.pk, None, None)
        .values("order__supplier_id")
        .annotate(**_fill_metrics())
        .order_by()
    }
    prices = {
        row.supplier_id: row
        for row in SupplierPrice.objects.filter(product=product, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by("supplier_id", "valid_from", "id")
    }
    last_costs = dict(
        PurchaseOrderLine.objects.filter(
            pk=Subquery(
                PurchaseOrderLine.objects.filter(order__supplier_id=OuterRef("order__supplier_id"), product=product)
                .exclude(order__status__in=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED])
                .order_by("-order__order_date", "-order_id", "-line_no")
                .values("pk")[:1]
            ),
            product=product,
        ).values_list("order__supplier_id", "unit_cost")
    )
    supplier_ids = set(receipt_rows) | set(fill_rows) | set(prices)
    suppliers = Supplier.objects.in_bulk(supplier_ids)
    rows = []
    for supplier_id in supplier_ids:
        figures = _figures(receipt_rows.get(supplier_id), fill_rows.get(supplier_id))
        rates = [figures[key] for key in ("on_time_rate", "fill_rate", "acceptance_rate") if figures[key] is not None]
        price_row = prices.get(supplier_id)
        rows.append(
            {
                "supplier": suppliers[supplier_id],
                "price": price_row.price if price_row else None,
                "lead_time_days": price_row.lead_time_days if price_row else None,
                "min_order_qty": price_row.min_order_qty if price_row else None,
                "is_preferred": bool(price_row and price_row.is_preferred),
                "last_cost": last_costs.get(supplier_id),
                "score": (sum(rates) / len(rates)).quantize(Decimal("0.1")) if rates else None,
                **figures,
            }
        )
    no_price = Decimal("9" * 12)
    rows.sort(key=lambda row: (-(row["score"] or Decimal(-1)), row["price"] or no_price, row["supplier"].code))
    return rows


def money(value) -> Decimal:
    return Decimal(value).quantize(MONEY_QUANT)
