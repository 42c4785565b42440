"""The demand-history import: a planner's past demand for a new installation, on the import page.

The file is the ``forecast_backtest`` layout: one row per item, the item code, optionally the
warehouse code, then one column per period headed by the period's start date (2025-01-06, an
Excel date, or 2025-01 for a month). Blank cells hold no figure; figures are whole or decimal
quantities, not negative. Each product × warehouse × period is stored once (``ExternalDemand``);
importing the file again changes nothing, a changed figure replaces the stored one.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.imports import cleaning
from apps.imports.cleaning import CellError
from apps.imports.framework import Column, Kind, Plan, Row, RowError, chunked, register
from apps.masterdata.models import Product
from apps.masterdata.selectors import warehouses_for_user
from apps.planning.models import ExternalDemand

MONTH_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def _code(value: Any) -> str:
    return cleaning.to_code(value, max_length=64).upper()


def period_date(text: str) -> datetime.date | None:
    """The date a period column's header names, or None when the header is not a date."""
    text = (text or "").strip()
    if text.endswith(" 00:00:00"):  # an Excel date cell read as text
        text = text[: -len(" 00:00:00")]
    month = MONTH_RE.match(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        return datetime.date(year, number, 1) if 1 <= number <= 12 else None
    if not re.match(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$", text):
        return None
    try:
        return cleaning.to_date(text)
    except CellError:
        return None


@register
class DemandHistoryKind(Kind):
    name = "demand_history"
    label = gettext_lazy("Demand history")
    permission = "planning.add_externaldemand"
    key_columns = ("product", "warehouse")
    wide = True
    help = gettext_lazy(
        "Past demand for a new installation: one row per item, its item code, optionally the warehouse code, "
        "then one column per period headed by the period's start date (e.g. 2025-01-06). The forecast uses it "
        "for the periods the stock ledger does not cover yet."
    )
    columns = (
        Column(
            "product",
            gettext_lazy("item code"),
            _code,
            required=True,
            aliases=("product", "item", "id", "商品", "商品编码", "编码"),
            example="A0001",
        ),
        Column("warehouse", gettext_lazy("warehouse"), _code, aliases=("仓库编码",), example="WH01"),
    )

    def prepare(self, rows: list[Row], errors: list[RowError], *, mapped, actor=None, header=()) -> Plan:
        periods = [(index, day) for index, text in enumerate(header) if (day := period_date(text)) is not None]
        if not periods:
            errors.append(
                RowError(
                    1,
                    "",
                    "",
                    _(
                        "The file has no period columns: after the item code, one column per period headed by "
                        "its start date (e.g. 2025-01-06)."
                    ),
                )
            )
            return Plan()
        warehouses = {w.code.upper(): w for w in warehouses_for_user(actor)} if actor else {}
        only = next(iter(warehouses.values())) if len(warehouses) == 1 else None
        codes = {row.values["product"] for row in rows if row.values.get("product")}
        products: dict[str, Product] = {}
        queryset = Product.objects.filter(is_active=True).annotate(code_upper=Upper("code"))
        for chunk in chunked(sorted(codes)):
            products.update((p.code_upper, p) for p in queryset.filter(code_upper__in=chunk))
        seen: dict[tuple[int, int], int] = {}
        figures: list[tuple[Row, Product, Any, dict[datetime.date, Decimal]]] = []
        for row in rows:
            product = products.get(row.values.get("product", ""))
            if row.values.get("product") and product is None:
                self.error(
                    errors,
                    row,
                    "product",
                    _("Unknown or deactivated %(label)s: %(value)s.")
                    % {"label": _("product"), "value": row.values["product"]},
                )
            code = row.values.get("warehouse", "")
            warehouse = warehouses.get(code) if code else only
            if warehouse is None:
                message = (
                    _("Unknown warehouse, or one you may not work in: %(value)s.") % {"value": code}
                    if code
                    else _("Give the warehouse code: there is more than one warehouse.")
                )
                self.error(errors, row, "warehouse", message)
            values: dict[datetime.date, Decimal] = {}
            for index, day in periods:
                cell = row.raw[index] if index < len(row.raw) else None
                try:
                    number = cleaning.to_decimal(cell, decimal_places=4, minimum=Decimal(0))
                except CellError as error:
                    errors.append(
                        RowError(row.number, day.isoformat(), "" if cell is None else str(cell)[:100], str(error))
                    )
                    row.failed = True
                    continue
                if number is not None:
                    values[day] = values.get(day, Decimal(0)) + number
            if product is None or warehouse is None or row.failed:
                continue
            first = seen.setdefault((product.pk, warehouse.pk), row.number)
            if first != row.number:
                self.error(
                    errors,
                    row,
                    "product",
                    _("Row %(first)d already has %(product)s in %(warehouse)s; each may appear once.")
                    % {"first": first, "product": product.code, "warehouse": warehouse.code},
                )
                continue
            figures.append((row, product, warehouse, values))
        return self._compare(figures)

    def _compare(self, figures) -> Plan:
        stored: dict[tuple[int, int, datetime.date], ExternalDemand] = {}
        for chunk in chunked(sorted({product.pk for _row, product, _w, _v in figures})):
            for record in ExternalDemand.objects.filter(product_id__in=chunk):
                stored[(record.product_id, record.warehouse_id, record.period_start)] = record
        plan = Plan()
        for _row, product, warehouse, values in figures:
            for day, quantity in values.items():
                record = stored.get((product.pk, warehouse.pk, day))
                if record is None:
                    plan.new.append(
                        ExternalDemand(product=product, warehouse=warehouse, period_start=day, quantity=quantity)
                    )
                elif record.quantity != quantity:
                    record.quantity = quantity
                    plan.changed.append(record)
                else:
                    plan.unchanged += 1
        return plan

    def write(self, plan: Plan, *, actor) -> dict[str, int]:
        now = timezone.now()
        for record in plan.changed:
            record.imported_at = now
        ExternalDemand.objects.bulk_create(plan.new, batch_size=2000)
        ExternalDemand.objects.bulk_update(plan.changed, ["quantity", "imported_at"], batch_size=2000)
        return {"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged}
