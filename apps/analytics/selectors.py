"""Sales analysis: quantity, revenue, cost, gross profit and margin % by a dimension, in SQL.

Every figure is a SUM over ``SalesFact`` (posted delivery lines minus posted return lines);
Python only pairs the current rows with the previous period's by key.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round, TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import SalesFact
from apps.core.fields import ZERO

MONEY = DecimalField(max_digits=18, decimal_places=2)
QUANTITY = DecimalField(max_digits=18, decimal_places=4)

DIMENSIONS = {
    "product": ("product_id", "product__code", "product__name"),
    "category": ("product__category_id", "product__category__code", "product__category__name"),
    "customer": ("customer_id", "customer__code", "customer__name"),
    "salesperson": ("salesperson_id", "salesperson__username", "salesperson__first_name"),
    "period": ("period",),
}
DIMENSION_CHOICES = [
    ("product", _("Product")),
    ("category", _("Product category")),
    ("customer", _("Customer")),
    ("salesperson", _("Salesperson")),
    ("period", _("Period")),
]
TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
GRANULARITY_CHOICES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]


@dataclass(frozen=True)
class AnalysisFilter:
    date_from: datetime.date
    date_to: datetime.date
    customer_id: int | None = None
    product_id: int | None = None
    category_id: int | None = None
    salesperson_id: int | None = None
    warehouse_id: int | None = None

    def previous(self) -> "AnalysisFilter":
        """The period of equal length that ends the day before this one starts."""
        length = self.date_to - self.date_from + datetime.timedelta(days=1)
        return AnalysisFilter(
            date_from=self.date_from - length,
            date_to=self.date_from - datetime.timedelta(days=1),
            customer_id=self.customer_id,
            product_id=self.product_id,
            category_id=self.category_id,
            salesperson_id=self.salesperson_id,
            warehouse_id=self.warehouse_id,
        )


def sales_facts(criteria: AnalysisFilter) -> QuerySet[SalesFact]:
    condition = Q(date__gte=criteria.date_from, date__lte=criteria.date_to)
    for field in ("customer_id", "product_id", "salesperson_id", "warehouse_id"):
        value = getattr(criteria, field)
        if value:
            condition &= Q(**{field: value})
    if criteria.category_id:
        condition &= Q(product__category_id=criteria.category_id)
    return SalesFact.objects.filter(condition)


def _measures() -> dict[str, Any]:
    """Sums rounded in SQL (to the cent; quantities to 4 places): SQLite sums decimals as floats."""

    def total(field: str, places: int, output: DecimalField) -> ExpressionWrapper:
        rounded = Round(Coalesce(Sum(field), Value(ZERO), output_field=output), places, output_field=output)
        return ExpressionWrapper(rounded + Value(ZERO), output_field=output)  # + 0: no "-0.00" on SQLite

    return {
        "quantity": total("quantity", 4, QUANTITY),
        "revenue": total("revenue", 2, MONEY),
        "cost": total("cost", 2, MONEY),
    }


def _with_margin(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(margin=ExpressionWrapper(F("revenue") - F("cost"), output_field=MONEY))


def margin_percent(margin: Decimal, revenue: Decimal) -> Decimal:
    """Gross margin in % of revenue, to 0.01 (0 without revenue). The two sums come from SQL; the
    ratio is taken in Decimal here because SQLite divides whole-number NUMERIC values as integers."""
    return (margin * 100 / revenue).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if revenue else ZERO


def finish_rows(rows) -> list[dict]:
    """The rows of ``sales_by`` as dicts with ``margin_percent`` added."""
    rows = [dict(row) for row in rows]
    for row in rows:
        row["margin_percent"] = margin_percent(row["margin"], row["revenue"])
    return rows


def sales_by(criteria: AnalysisFilter, *, dimension: str, granularity: str = "month") -> QuerySet:
    """Rows of the dimension's keys with quantity, revenue, cost and margin, largest revenue first
    (periods in date order). ``finish_rows`` adds the margin %."""
    facts = sales_facts(criteria)
    if dimension == "period":
        facts = facts.annotate(period=TRUNCATE[granularity]("date"))
    rows = facts.values(*DIMENSIONS[dimension]).annotate(**_measures())
    rows = _with_margin(rows)
    if dimension == "period":
        return rows.order_by("period")
    return rows.order_by("-revenue", DIMENSIONS[dimension][0])


def sales_totals(criteria: AnalysisFilter) -> dict[str, Decimal]:
    totals = {
        key: Decimal(str(value)).quantize(Decimal("0.0001") if key == "quantity" else Decimal("0.01"))
        for key, value in sales_facts(criteria).aggregate(**_measures()).items()
    }
    totals["margin"] = totals["revenue"] - totals["cost"]
    totals["margin_percent"] = margin_percent(totals["margin"], totals["revenue"])
    return totals


def sales_trend(criteria: AnalysisFilter, *, granularity: str) -> QuerySet:
    return sales_by(criteria, dimension="period", granularity=granularity)


def change_percent(current: Decimal, previous: Decimal | None) -> Decimal | None:
    if not previous:
        return None
    return ((current - previous) * 100 / abs(previous)).quantize(Decimal("0.1"))


def with_previous(rows: list[dict], previous_rows: QuerySet, *, dimension: str) -> list[dict]:
    """Attach the previous period's revenue and margin, and the change in %, to each row (by key)."""
    if dimension == "period":  # periods differ in date: pair the n-th period with the n-th before it
        olds = list(previous_rows)
        pairs = [(row, olds[i] if i < len(olds) else None) for i, row in enumerate(rows)]
    else:
        key = DIMENSIONS[dimension][0]
        before = {row[key]: row for row in previous_rows}
        pairs = [(row, before.get(row[key])) for row in rows]
    for row, old in pairs:
        row["previous_revenue"] = old["revenue"] if old else None
        row["previous_margin"] = old["margin"] if old else None
        row["revenue_change"] = change_percent(row["revenue"], row["previous_revenue"])
    return rows
