"""Supplier price lists, opening stock balances and stock levels per warehouse.

Opening stock is posted through the inventory services (an opening-stock document per
warehouse and date, posted with ``stock_adjustment_post``, which calls ``stock_post`` once with
every line: a constant number of statements), never by writing balances. Stock levels are
written by ``stock_levels_bulk_set``, the one writer of safety stock, reorder point, maximum and
default location. Both refuse warehouses outside the importing user's scope, naming the row.
"""

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.amounts import money, plain
from apps.core.models import AuditAction, SystemSettings
from apps.core.services import audit_record
from apps.imports import cleaning
from apps.imports.framework import Column, Kind, Plan, Row, RowError, chunked, register
from apps.imports.kinds import BATCH, Lookup, active_choices, days, price, quantity, text
from apps.inventory.models import AdjustmentKind, StockBalance, StockLevel, StorageLocation
from apps.inventory.services import (
    AdjustmentLineInput,
    StockLevelInput,
    needs_approval,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_transition,
    stock_levels_bulk_set,
)
from apps.masterdata.models import Product, Supplier, Warehouse
from apps.masterdata.selectors import warehouse_scope_ids
from apps.procurement.models import SupplierPrice

DOCUMENT_LINES = 1000

# The two key columns of every per-warehouse kind.
WAREHOUSE_COLUMN = Column(
    "warehouse", gettext_lazy("warehouse"), text(64), required=True, choices=active_choices(Warehouse), example="WH01"
)
ITEM_COLUMN = Column(
    "product", gettext_lazy("item code"), text(32), required=True, aliases=("product", "商品"), example="A0001"
)


def _by_code(model, codes: set[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    queryset = model.objects.filter(is_active=True).annotate(code_upper=Upper("code"))
    for chunk in chunked(sorted(codes)):
        found.update((record.code_upper, record) for record in queryset.filter(code_upper__in=chunk))
    return found


def _resolve_codes(kind: Kind, rows: list[Row], errors: list[RowError], key: str, model, label) -> None:
    found = _by_code(model, {row.values[key].upper() for row in rows if row.values.get(key)})
    for row in rows:
        value = row.values.get(key)
        record = found.get(value.upper()) if value else None
        if record is None:
            kind.error(
                errors, row, key, _("Unknown or deactivated %(label)s: %(value)s.") % {"label": label, "value": value}
            )
        else:
            row.values[key] = record


def _resolve_warehouses(kind: Kind, rows: list[Row], errors: list[RowError], actor: Any) -> None:
    """Each row's warehouse (code or name) as a record; unknown ones and those outside
    ``actor``'s warehouse scope are errors on their row."""
    warehouses = Lookup(Warehouse)
    scope = warehouse_scope_ids(actor) if actor is not None else None
    for row in rows:
        value = row.values["warehouse"]
        record = warehouses.get(value)
        if record is None:
            kind.error(
                errors,
                row,
                "warehouse",
                _("Unknown or deactivated %(label)s: %(value)s.") % {"label": _("warehouse"), "value": value},
            )
        elif scope is not None and record.pk not in scope:
            kind.error(
                errors, row, "warehouse", _("You may not change the stock of %(warehouse)s.") % {"warehouse": record}
            )
        else:
            row.values["warehouse"] = record


def positive_quantity(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, decimal_places=4, minimum=Decimal("0.0001"))


def unit_cost(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, decimal_places=6)


@register
class SupplierPriceKind(Kind):
    name = "supplier_prices"
    label = gettext_lazy("Supplier price list")
    permission = "procurement.add_supplierprice"
    key_columns = ("supplier", "product", "valid_from")
    columns = (
        Column("supplier", gettext_lazy("supplier"), text(32), required=True, example="S001"),
        Column(
            "product",
            gettext_lazy("product"),
            text(32),
            required=True,
            aliases=("item code", "商品编码"),
            example="A0001",
        ),
        Column(
            "price",
            gettext_lazy("price (net of tax, per base unit)"),
            price,
            required=True,
            aliases=("price", "价格", "单价"),
            example=Decimal("1.10"),
        ),
        Column(
            "valid_from", gettext_lazy("valid from"), cleaning.to_date, required=True, example=datetime.date(2026, 1, 1)
        ),
        Column("valid_to", gettext_lazy("valid to"), cleaning.to_date),
        Column("min_order_qty", gettext_lazy("minimum order quantity"), quantity),
        Column("pack_size", gettext_lazy("pack size"), quantity),
        Column("lead_time_days", gettext_lazy("lead time (days)"), days),
        Column("is_preferred", gettext_lazy("preferred"), cleaning.to_bool),
        Column("notes", gettext_lazy("remarks"), text(200)),
    )
    fields = ("price", "valid_to", "min_order_qty", "pack_size", "lead_time_days", "is_preferred", "notes")

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        _resolve_codes(self, rows, errors, "supplier", Supplier, _("supplier"))
        _resolve_codes(self, rows, errors, "product", Product, _("product"))
        failed = {error.row for error in errors}
        rows = [row for row in rows if row.number not in failed]
        stored: dict[tuple, SupplierPrice] = {}
        product_ids = sorted({row.values["product"].pk for row in rows})
        for chunk in chunked(product_ids):
            for record in SupplierPrice.objects.filter(product_id__in=chunk):
                stored[(record.supplier_id, record.product_id, record.valid_from)] = record
        plan = Plan(extra={"fields": set()})
        intervals: dict[tuple, list[tuple[datetime.date, datetime.date | None, int | None]]] = defaultdict(list)
        for (supplier_id, product_id, valid_from), record in stored.items():
            intervals[(supplier_id, product_id)].append((valid_from, record.valid_to, None))
        for row in rows:
            values = row.values
            key = (values["supplier"].pk, values["product"].pk, values["valid_from"])
            record = stored.get(key)
            instance = record or SupplierPrice(
                supplier=values["supplier"], product=values["product"], valid_from=values["valid_from"]
            )
            changed = [name for name in self.fields if name in values and _set(instance, name, values[name])]
            if instance.valid_to and instance.valid_to < instance.valid_from:
                self.error(errors, row, "valid_to", _("The end of validity cannot be before its start."))
                continue
            pair = intervals[key[:2]]
            pair[:] = [item for item in pair if item[0] != instance.valid_from]
            pair.append((instance.valid_from, instance.valid_to, row.number))
            if record is None:
                plan.new.append(instance)
            elif changed:
                plan.extra["fields"].update(changed)
                plan.changed.append(instance)
            else:
                plan.unchanged += 1
        for pair in intervals.values():
            pair.sort(key=lambda item: item[0])
            for before, after in itertools.pairwise(pair):
                if before[1] is None or before[1] >= after[0]:
                    number = after[2] or before[2]
                    if number is not None:
                        errors.append(
                            RowError(
                                number,
                                self.column_label("valid_from"),
                                after[0].isoformat(),
                                _("The validity overlaps another price of this supplier and product from %(day)s.")
                                % {"day": before[0].isoformat()},
                            )
                        )
        return plan

    def write(self, plan, *, actor) -> dict[str, int]:
        SupplierPrice.objects.bulk_create(plan.new, batch_size=BATCH)
        if plan.changed:
            SupplierPrice.objects.bulk_update(plan.changed, sorted(plan.extra["fields"]), batch_size=500)
        counts = {"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged}
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            instance=ContentType.objects.get_for_model(SupplierPrice),
            changes={key: [None, value] for key, value in counts.items()},
        )
        return counts


def _set(instance, name: str, value) -> bool:
    if value is None and name != "valid_to":
        return False
    if getattr(instance, name) == value:
        return False
    setattr(instance, name, value)
    return True


@register
class OpeningStockKind(Kind):
    name = "opening_stock"
    label = gettext_lazy("Opening stock")
    permission = "inventory.add_stockadjustment"
    key_columns = ("warehouse", "product")
    help = gettext_lazy(
        "For items not yet in stock in that warehouse: each warehouse and date becomes one opening-stock "
        "document, posted to the stock ledger. A document worth more than the approval threshold is "
        "submitted instead, and someone else approves and posts it. Importing the same file again changes nothing."
    )
    columns = (
        WAREHOUSE_COLUMN,
        ITEM_COLUMN,
        Column("quantity", gettext_lazy("quantity"), positive_quantity, required=True, example=Decimal(100)),
        Column("unit_cost", gettext_lazy("unit cost"), unit_cost, required=True, example=Decimal("1.20")),
        Column("date", gettext_lazy("date"), cleaning.to_date, help=gettext_lazy("blank: today")),
        Column("remarks", gettext_lazy("remarks"), text(200)),
    )

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        _resolve_warehouses(self, rows, errors, actor)
        _resolve_codes(
            self,
            [row for row in rows if not isinstance(row.values["warehouse"], str)],
            errors,
            "product",
            Product,
            _("product"),
        )
        failed = {error.row for error in errors}
        rows = [row for row in rows if row.number not in failed]
        stored: dict[tuple[int, int], Decimal] = {}
        for chunk in chunked(sorted({row.values["product"].pk for row in rows})):
            stored.update(
                ((product_id, warehouse_id), on_hand)
                for product_id, warehouse_id, on_hand in StockBalance.objects.filter(product_id__in=chunk).values_list(
                    "product_id", "warehouse_id", "on_hand"
                )
            )
        today = timezone.localdate()
        plan = Plan()
        for row in rows:
            product, warehouse = row.values["product"], row.values["warehouse"]
            on_hand = stored.get((product.pk, warehouse.pk))
            if on_hand is None:
                plan.new.append(
                    (
                        warehouse,
                        row.values.get("date") or today,
                        AdjustmentLineInput(
                            product_id=product.pk,
                            quantity=row.values["quantity"],
                            unit_cost=row.values["unit_cost"],
                            remarks=row.values.get("remarks", ""),
                        ),
                    )
                )
            elif on_hand == row.values["quantity"]:
                plan.unchanged += 1
            else:
                self.error(
                    errors,
                    row,
                    "quantity",
                    _(
                        "%(product)s already has %(on_hand)s in stock in %(warehouse)s: opening stock is only for "
                        "items without stock there; use a stock count to correct it."
                    )
                    % {"product": product.code, "on_hand": on_hand.normalize(), "warehouse": warehouse},
                )
        threshold = SystemSettings.load().adjustment_approval_threshold
        values = [sum(line.quantity * line.unit_cost for line in lines) for _warehouse, _day, lines in _documents(plan)]
        above = sum(1 for value in values if value > threshold)
        if above:
            plan.notes.append(
                _(
                    "%(count)d opening-stock document(s) are worth more than the approval threshold %(threshold)s: "
                    "importing submits them for approval, and someone else approves and posts them."
                )
                % {"count": above, "threshold": money(threshold)}
            )
        return plan

    def write(self, plan, *, actor) -> dict[str, int]:
        documents = submitted = 0
        for warehouse, day, lines in _documents(plan):
            document = stock_adjustment_create(
                actor=actor,
                kind=AdjustmentKind.OPENING,
                warehouse=warehouse,
                date=day,
                lines=lines,
                reason=_("Imported opening stock"),
            )
            if needs_approval(document):
                stock_adjustment_transition(actor=actor, document=document, action="submit")
                submitted += 1
            else:
                stock_adjustment_post(actor=actor, document=document)
            documents += 1
        return {
            "new": len(plan.new),
            "changed": 0,
            "unchanged": plan.unchanged,
            "documents": documents,
            "submitted": submitted,
        }


def _documents(plan: Plan):
    """``(warehouse, date, lines)`` of each opening-stock document the plan makes, in a stable order.

    One document per DOCUMENT_LINES lines: stock_post builds one statement per posting, and
    PostgreSQL refuses one of 10,000 lines (stack depth exceeded).
    """
    groups: dict[tuple, list[AdjustmentLineInput]] = defaultdict(list)
    warehouses = {}
    for warehouse, day, line in plan.new:
        groups[(warehouse.pk, day)].append(line)
        warehouses[warehouse.pk] = warehouse
    for (warehouse_id, day), lines in sorted(groups.items(), key=lambda item: item[0]):
        for chunk in chunked(lines, DOCUMENT_LINES):
            yield warehouses[warehouse_id], day, chunk


LEVEL_FIELDS = ("safety_stock", "reorder_point", "max_stock")


class _Clear:
    """A cell asking to clear the stored value (``-``), unlike a blank one, which keeps it."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR: Any = _Clear()


def _is_clear(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in ("-", "－", "—")


@register
class StockLevelKind(Kind):
    """Safety stock, reorder point, maximum and default location per product × warehouse.

    A blank cell or a column left out keeps the stored value; ``-`` in the maximum or the
    location clears it.
    """

    name = "stock_levels"
    label = gettext_lazy("Stock levels")
    permission = "inventory.change_stocklevel"
    key_columns = ("warehouse", "product")
    help = gettext_lazy(
        "Safety stock, reorder point, maximum stock level and default location of each item in each "
        "warehouse. A blank cell keeps what is stored; “-” clears the maximum or the location."
    )
    columns = (
        WAREHOUSE_COLUMN,
        ITEM_COLUMN,
        Column("safety_stock", gettext_lazy("safety stock"), quantity, example=Decimal(20)),
        Column("reorder_point", gettext_lazy("reorder point"), quantity, example=Decimal(50)),
        Column(
            "max_stock",
            gettext_lazy("maximum stock level"),
            lambda value: CLEAR if _is_clear(value) else quantity(value),
            aliases=("maximum", "最高库存"),
            example=Decimal(200),
        ),
        Column(
            "location",
            gettext_lazy("default location"),
            lambda value: CLEAR if _is_clear(value) else cleaning.to_code(value, max_length=32).upper(),
            aliases=("location", "货位", "库位"),
            example="A-01-01",
        ),
    )

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        _resolve_warehouses(self, rows, errors, actor)
        _resolve_codes(
            self,
            [row for row in rows if not row.failed],
            errors,
            "product",
            Product,
            _("product"),
        )
        rows = [row for row in rows if not row.failed]
        locations = self._locations(rows)
        stored: dict[tuple[int, int], StockLevel] = {}
        for chunk in chunked(sorted({row.values["product"].pk for row in rows})):
            stored.update(
                ((level.product_id, level.warehouse_id), level)
                for level in StockLevel.objects.filter(product_id__in=chunk)
            )
        plan = Plan()
        for row in rows:
            product, warehouse = row.values["product"], row.values["warehouse"]
            current = stored.get((product.pk, warehouse.pk))
            before = (
                (current.safety_stock, current.reorder_point, current.max_stock, current.location_id)
                if current
                else (Decimal(0), Decimal(0), None, None)
            )
            after = dict(zip(("safety_stock", "reorder_point", "max_stock", "location_id"), before, strict=True))
            for name in LEVEL_FIELDS:
                value = row.values.get(name)
                if value is CLEAR:
                    after[name] = None
                elif value is not None:
                    after[name] = value
            code = row.values.get("location")
            if code is CLEAR:
                after["location_id"] = None
            elif code:
                location_id = locations.get((warehouse.pk, code))
                if location_id is None:
                    self.error(
                        errors,
                        row,
                        "location",
                        _("No location %(location)s in %(warehouse)s.") % {"location": code, "warehouse": warehouse},
                    )
                    continue
                after["location_id"] = location_id
            maximum = after["max_stock"]
            if maximum is not None and maximum < max(after["safety_stock"], after["reorder_point"]):
                given = [name for name in LEVEL_FIELDS if row.values.get(name) not in (None, CLEAR)]
                self.error(
                    errors,
                    row,
                    "max_stock" if "max_stock" in given or not given else given[-1],
                    _(
                        "The maximum stock level (%(maximum)s) cannot be below the safety stock (%(safety)s) "
                        "or the reorder point (%(reorder)s)."
                    )
                    % {
                        "maximum": plain(maximum),
                        "safety": plain(after["safety_stock"]),
                        "reorder": plain(after["reorder_point"]),
                    },
                )
                continue
            if tuple(after.values()) == before and current is not None:
                plan.unchanged += 1
                continue
            level = StockLevelInput(product_id=product.pk, warehouse_id=warehouse.pk, row=row.number, **after)
            (plan.changed if current else plan.new).append(level)
        return plan

    @staticmethod
    def _locations(rows: list[Row]) -> dict[tuple[int, str], int]:
        codes = {row.values["location"] for row in rows if row.values.get("location") not in (None, "", CLEAR)}
        warehouse_ids = {row.values["warehouse"].pk for row in rows}
        found: dict[tuple[int, str], int] = {}
        queryset = StorageLocation.objects.filter(is_active=True, warehouse_id__in=warehouse_ids).annotate(
            code_upper=Upper("code")
        )
        for chunk in chunked(sorted(codes)):
            found.update(
                ((warehouse_id, code), pk)
                for warehouse_id, code, pk in queryset.filter(code_upper__in=chunk).values_list(
                    "warehouse_id", "code_upper", "pk"
                )
            )
        return found

    def write(self, plan, *, actor) -> dict[str, int]:
        stock_levels_bulk_set(actor=actor, rows=[*plan.new, *plan.changed])
        return {"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged}
