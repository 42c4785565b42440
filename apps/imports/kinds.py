"""The built-in data kinds, in the order the import page lists them.

Products (with barcodes and secondary units), units, categories, brands, warehouses,
suppliers, customers here; supplier price lists and opening stock in ``kinds_stock``.
Per-warehouse stock levels (safety stock, reorder point, maximum, default location) are in
``kinds_stock`` too, written through ``stock_levels_bulk_set``.
"""

import functools
import re
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models.functions import Upper
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.db import compiled_inserts, execute_statements
from apps.core.models import AuditAction
from apps.core.services import audit_record
from apps.imports import cleaning
from apps.imports.cleaning import CellError
from apps.imports.framework import Column, Kind, Plan, Row, RowError, chunked, register
from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    PriceLevel,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)
from apps.masterdata.selectors import customers_for_user
from apps.masterdata.services import CUSTOMER_CREDIT_FIELDS, customer_credit_terms, mnemonic_for

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
BARCODE_RE = re.compile(r"^[0-9A-Za-z\-]+$")
BATCH = 2000


def text(max_length: int):
    return functools.partial(cleaning.to_text, max_length=max_length)


def code(max_length: int):
    def parse(value: Any) -> str:
        result = cleaning.to_code(value, max_length=max_length)
        if result and not CODE_RE.match(result):
            raise CellError(_("Use letters, digits, dot, dash or underscore, starting with a letter or digit."))
        return result

    return parse


def price(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, decimal_places=4)


def money(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, decimal_places=2)


def quantity(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, decimal_places=4)


def rate(value: Any) -> Decimal | None:
    return cleaning.to_decimal(value, max_digits=5, decimal_places=2, maximum=Decimal(100))


def days(value: Any) -> int | None:
    return cleaning.to_int(value, maximum=365)


def email(value: Any) -> str:
    result = cleaning.to_text(value, max_length=254)
    if result:
        try:
            validate_email(result)
        except ValidationError as error:
            raise CellError(_("“%(value)s” is not an e-mail address.") % {"value": result}) from error
    return result


def split_list(value: Any) -> list[str]:
    """``a, b；c`` -> ``["a", "b", "c"]`` (commas, semicolons, spaces, full-width or not)."""
    result = cleaning.to_text(value, max_length=2000)
    return [part for part in re.split(r"[,;，；、\s]+", result) if part]


def barcodes(value: Any) -> list[str]:
    parts = split_list(value)
    for part in parts:
        if len(part) > 64 or not BARCODE_RE.match(part):
            raise CellError(_("Barcode %(barcode)s: only letters, digits and dashes.") % {"barcode": part})
    if len(set(parts)) != len(parts):
        raise CellError(_("A barcode is listed twice."))
    return parts


def unit_ratios(value: Any) -> list[tuple[str, Decimal]]:
    """``箱=12; 盒=6`` -> ``[("箱", 12), ("盒", 6)]``."""
    pairs = []
    for part in split_list(value):
        name, sep, number = part.partition("=")
        if not sep or not name:
            raise CellError(_("Write secondary units as unit=ratio, e.g. 箱=12; 盒=6."))
        ratio = cleaning.to_decimal(number, decimal_places=4, minimum=Decimal("0.0001"))
        if ratio is None:
            raise CellError(_("Write secondary units as unit=ratio, e.g. 箱=12; 盒=6."))
        pairs.append((name, ratio))
    return pairs


def price_level(value: Any) -> str:
    result = cleaning.to_text(value, max_length=32)
    if not result:
        return ""
    for choice in PriceLevel:
        labels = {choice.value.lower()}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                labels.add(str(choice.label).lower())
        if result.lower() in labels:
            return choice.value
    raise CellError(_("Unknown price level: %(value)s.") % {"value": result})


def price_level_choices() -> list[str]:
    return [str(choice.label) for choice in PriceLevel]


def active_choices(model, field: str = "code"):
    def choices() -> list[str]:
        return list(model.objects.filter(is_active=True).order_by(field).values_list(field, flat=True)[:250])

    return choices


class Lookup:
    """Active records of a small table by code (any case) or by name, loaded in one query."""

    def __init__(self, model, *, by_code: bool = True) -> None:
        self.by_key: dict[str, Any] = {}
        for record in model.objects.filter(is_active=True):
            self.by_key.setdefault(record.name.upper(), record)
            if by_code:
                self.by_key[record.code.upper()] = record

    def get(self, value: str):
        return self.by_key.get(value.upper()) if value else None


# --- a kind writing one model by code -----------------------------------------------------------


class ModelKind(Kind):
    """Records of ``model`` keyed by ``code`` (any case); mapped columns are its fields."""

    model: ClassVar[Any]
    fields: ClassVar[tuple[str, ...]] = ()  # column keys that are plain model fields
    references: ClassVar[tuple[str, ...]] = ()  # column keys resolved in ``resolve``
    unique_names: ClassVar[bool] = False

    def existing(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        queryset = self.model.objects.annotate(code_upper=Upper("code"))
        for chunk in chunked(sorted(set(keys))):
            for record in queryset.filter(code_upper__in=chunk):
                found[record.code_upper] = record
        return found

    def resolve(self, rows: list[Row], errors: list[RowError], mapped: set[str]) -> None:
        """Replace reference texts by records (bulk); an unknown one is an error on its row."""

    def validate(self, instance: Any, row: Row, errors: list[RowError]) -> bool:
        try:
            instance.clean()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                label = self.column_label(key) if any(c.key == key for c in self.columns) else key
                errors.extend(RowError(row.number, label, "", message) for message in messages)
            return False
        return True

    def apply(self, instance: Any, row: Row, mapped: set[str]) -> list[str]:
        """Set the mapped fields; return the names that changed."""
        changed = []
        for key in self.fields + self.references:
            if key not in mapped or key not in row.values:
                continue
            value = row.values[key]
            if value is None and not self.model._meta.get_field(key).null:
                continue  # blank cell: keep what is stored (or the default for a new record)
            if value == "" and key in self.fields and self.model._meta.get_field(key).blank is False:
                continue
            if key in self.references:
                if getattr(instance, f"{key}_id") != (value.pk if value is not None else None):
                    setattr(instance, key, value)
                    changed.append(key)
            elif getattr(instance, key) != value:
                setattr(instance, key, value)
                changed.append(key)
        return changed

    def prepare(self, rows: list[Row], errors: list[RowError], *, mapped: set[str], actor: Any = None) -> Plan:
        self.resolve(rows, errors, mapped)
        rows = [row for row in rows if not row.failed]
        existing = self.existing([row.values["code"].upper() for row in rows])
        plan = Plan(extra={"fields": set(), "rows": {}, "existing": existing, "created": {}})
        names_seen: dict[str, int] = {}
        for row in rows:
            record = existing.get(row.values["code"].upper())
            instance = record or self.model(code=row.values["code"])
            changed = self.apply(instance, row, mapped)
            if self.unique_names and "name" in row.values:
                first = names_seen.setdefault(row.values["name"].upper(), row.number)
                if first != row.number:
                    self.error(errors, row, "name", _("Row %(first)d already has this name.") % {"first": first})
                    continue
            if not self.validate(instance, row, errors):
                continue
            plan.extra["rows"][id(instance)] = row.number
            if record is None:
                plan.extra["created"][instance.code.upper()] = instance
                plan.new.append(instance)
            elif changed:
                plan.extra["fields"].update(changed)
                plan.changed.append(instance)
            else:
                plan.unchanged += 1
        if self.unique_names:
            self.check_name_clashes(plan, errors)
        return plan

    def check_name_clashes(self, plan: Plan, errors: list[RowError]) -> None:
        """Names unique in the table: a name held by another code is an error (one query)."""
        mine = {instance.name.upper(): instance for instance in plan.new + plan.changed}
        taken = self.model.objects.annotate(name_upper=Upper("name")).filter(name_upper__in=list(mine))
        for other in taken.only("code", "name"):
            instance = mine[other.name.upper()]
            if other.code.upper() != instance.code.upper():
                number = plan.extra["rows"][id(instance)]
                errors.append(
                    RowError(
                        number,
                        self.column_label("name"),
                        instance.name,
                        _("The name is already used by %(record)s.") % {"record": other.code},
                    )
                )

    def compile(self, plan: Plan) -> None:
        plan.extra["inserts"] = compiled_inserts(self.model, plan.new)

    def write(self, plan: Plan, *, actor: Any) -> dict[str, int]:
        if "inserts" not in plan.extra:
            self.compile(plan)
        execute_statements(plan.extra["inserts"])
        if plan.changed and plan.extra["fields"]:
            self.model.objects.bulk_update(plan.changed, sorted(plan.extra["fields"]), batch_size=500)
        counts = {"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged}
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            instance=ContentType.objects.get_for_model(self.model),
            changes={key: [None, value] for key, value in counts.items()},
        )
        return counts


def _resolve_small(kind: Kind, rows, errors, key: str, lookup: Lookup, label) -> None:
    for row in rows:
        value = row.values.get(key)
        if not value:
            row.values[key] = None
            continue
        record = lookup.get(value)
        if record is None:
            kind.error(
                errors, row, key, _("Unknown or deactivated %(label)s: %(value)s.") % {"label": label, "value": value}
            )
        else:
            row.values[key] = record


PARTNER_COLUMNS = (
    Column("code", gettext_lazy("code"), code(32), required=True, example="S001"),
    Column("name", gettext_lazy("name"), text(128), required=True, example="上海某某贸易有限公司"),
    Column("contact", gettext_lazy("contact"), text(64), example="张三"),
    Column("phone", gettext_lazy("phone"), text(32), example="021-12345678"),
    Column("email", gettext_lazy("email"), email),
    Column("address", gettext_lazy("address"), text(200)),
    Column("tax_number", gettext_lazy("taxpayer ID"), text(32)),
    Column("bank_name", gettext_lazy("bank"), text(64)),
    Column("bank_account", gettext_lazy("account no."), text(64)),
    Column("payment_terms_days", gettext_lazy("credit term (days)"), days, example=30),
    Column("notes", gettext_lazy("remarks"), text(2000)),
    Column("is_active", gettext_lazy("active"), cleaning.to_bool, example="是"),
)
PARTNER_FIELDS = tuple(column.key for column in PARTNER_COLUMNS)


@register
class ProductKind(ModelKind):
    name = "products"
    label = gettext_lazy("Products")
    permission = "masterdata.add_product"
    model = Product
    columns = (
        Column("code", gettext_lazy("item code"), code(32), required=True, example="A0001", aliases=("code", "编码")),
        Column("name", gettext_lazy("name"), text(128), required=True, example="农夫山泉 550ml"),
        Column(
            "category",
            gettext_lazy("product category"),
            text(64),
            required=True,
            choices=active_choices(Category),
            example="DRINK",
        ),
        Column(
            "base_unit", gettext_lazy("base unit"), text(32), required=True, choices=active_choices(Unit), example="PCS"
        ),
        Column("brand", gettext_lazy("brand"), text(64), choices=active_choices(Brand, "name")),
        Column("specification", gettext_lazy("specification"), text(128), example="550ml"),
        Column("model_number", gettext_lazy("model"), text(64)),
        Column(
            "mnemonic", gettext_lazy("mnemonic code"), functools.partial(cleaning.to_text, max_length=64, upper=True)
        ),
        Column("purchase_price", gettext_lazy("purchase price"), price, example=Decimal("1.20")),
        Column("retail_price", gettext_lazy("retail price"), price, example=Decimal("2.00")),
        Column("sale_price", gettext_lazy("sales price"), price, example=Decimal("1.80")),
        Column("min_sale_price", gettext_lazy("minimum selling price"), price),
        Column("tax_rate", gettext_lazy("tax rate %"), rate, example=Decimal(13)),
        Column(
            "barcodes",
            gettext_lazy("barcodes"),
            barcodes,
            aliases=("barcode", "条码", "条形码"),
            example="6921168509256",
        ),
        Column(
            "units",
            gettext_lazy("secondary units"),
            unit_ratios,
            aliases=("辅助单位",),
            example="箱=24",
            help=gettext_lazy("unit=ratio, e.g. 箱=24; 盒=6"),
        ),
        Column("is_active", gettext_lazy("active"), cleaning.to_bool),
        Column("notes", gettext_lazy("remarks"), text(2000)),
    )
    fields = (
        "name",
        "specification",
        "model_number",
        "mnemonic",
        "purchase_price",
        "retail_price",
        "sale_price",
        "min_sale_price",
        "tax_rate",
        "is_active",
        "notes",
    )
    references = ("category", "base_unit", "brand")

    def resolve(self, rows, errors, mapped) -> None:
        units = Lookup(Unit)
        if "category" in mapped:
            _resolve_small(self, rows, errors, "category", Lookup(Category), _("product category"))
        if "base_unit" in mapped:
            _resolve_small(self, rows, errors, "base_unit", units, _("unit"))
        if "brand" in mapped:
            _resolve_small(self, rows, errors, "brand", Lookup(Brand, by_code=False), _("brand"))
        for row in rows:
            resolved = []
            for name, ratio in row.values.get("units") or []:
                unit = units.get(name)
                if unit is None:
                    self.error(
                        errors,
                        row,
                        "units",
                        _("Unknown or deactivated %(label)s: %(value)s.") % {"label": _("unit"), "value": name},
                    )
                    break
                resolved.append((unit, ratio))
            else:
                row.values["units"] = resolved

    def apply(self, instance, row, mapped) -> list[str]:
        changed = super().apply(instance, row, mapped)
        renamed = "name" in changed and "mnemonic" not in mapped
        if (instance.pk is None and not instance.mnemonic) or renamed:
            mnemonic = _mnemonic(instance.name)
            if mnemonic != instance.mnemonic:
                instance.mnemonic = mnemonic
                changed.append("mnemonic")
        return changed

    def validate(self, instance, row, errors) -> bool:
        for key in ("category", "base_unit"):
            if getattr(instance, f"{key}_id") is None:
                self.error(errors, row, key, _("This column is required."))
                return False
        return super().validate(instance, row, errors)

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        if "barcodes" in mapped:
            self._check_barcodes(rows, errors)
        plan = super().prepare(rows, errors, mapped=mapped, actor=actor)
        plan.extra["barcodes"], plan.extra["units"] = {}, {}
        if "barcodes" not in mapped and "units" not in mapped:
            return plan
        # Every written row's record, unchanged ones too: their barcodes or units may differ.
        by_code = {}
        existing = plan.extra["existing"]
        for row in rows:
            if row.failed:
                continue
            key = row.values["code"].upper()
            by_code[key] = (existing.get(key) or plan.extra["created"].get(key), row)
        by_code = {key: pair for key, pair in by_code.items() if pair[0] is not None}
        plan.extra["codes"] = {key: instance.code for key, (instance, _row) in by_code.items()}
        if "barcodes" in mapped:
            self._plan_barcodes(by_code, plan)
        if "units" in mapped:
            self._plan_units(by_code, plan)
        return plan

    def _check_barcodes(self, rows: list[Row], errors: list[RowError]) -> None:
        """Each barcode once in the file and not held by another product (one query per 2,000)."""
        owner: dict[str, tuple[str, int]] = {}  # barcode -> (product code, row)
        for row in rows:
            key = (row.values.get("code") or "").upper()
            for barcode in row.values.get("barcodes") or []:
                if barcode in owner and owner[barcode][0] != key:
                    self.error(
                        errors,
                        row,
                        "barcodes",
                        _("Barcode %(barcode)s also appears on row %(row)d.")
                        % {"barcode": barcode, "row": owner[barcode][1]},
                    )
                    continue
                owner.setdefault(barcode, (key, row.number))
        rows_by_number = {row.number: row for row in rows}
        for chunk in chunked(sorted(owner)):
            stored = ProductBarcode.objects.filter(barcode__in=chunk).values_list("barcode", "product__code")
            for barcode, product_code in stored:
                key, number = owner[barcode]
                if product_code.upper() != key:
                    self.error(
                        errors,
                        rows_by_number[number],
                        "barcodes",
                        _("Barcode %(barcode)s is already used by product %(product)s.")
                        % {"barcode": barcode, "product": product_code},
                    )

    def _plan_barcodes(self, by_code, plan: Plan) -> None:
        current: dict[int, set[str]] = {}
        ids = [instance.pk for instance, _row in by_code.values() if instance.pk]
        for chunk in chunked(ids):
            for product_id, barcode in ProductBarcode.objects.filter(product_id__in=chunk).values_list(
                "product_id", "barcode"
            ):
                current.setdefault(product_id, set()).add(barcode)
        for key, (instance, row) in by_code.items():
            new_set = set(row.values.get("barcodes") or [])
            if instance.pk is None or current.get(instance.pk, set()) != new_set:
                plan.extra["barcodes"][key] = sorted(new_set)
                _mark_changed(plan, instance)

    def _plan_units(self, by_code, plan: Plan) -> None:
        current: dict[int, set[tuple[int, Decimal]]] = {}
        ids = [instance.pk for instance, _row in by_code.values() if instance.pk]
        for chunk in chunked(ids):
            for product_id, unit_id, ratio in ProductUnit.objects.filter(product_id__in=chunk).values_list(
                "product_id", "unit_id", "ratio"
            ):
                current.setdefault(product_id, set()).add((unit_id, ratio))
        for key, (instance, row) in by_code.items():
            pairs = {
                (unit.pk, ratio) for unit, ratio in row.values.get("units") or [] if unit.pk != instance.base_unit_id
            }
            if instance.pk is None or current.get(instance.pk, set()) != pairs:
                plan.extra["units"][key] = sorted(pairs)
                _mark_changed(plan, instance)

    def compile(self, plan: Plan) -> None:
        super().compile(plan)
        codes = plan.extra.get("codes", {})
        barcodes = [(codes[key], code) for key, listed in plan.extra["barcodes"].items() for code in listed]
        units = [(codes[key], *pair) for key, pairs in plan.extra["units"].items() for pair in pairs]
        plan.extra["children"] = (
            _product_child_inserts(ProductBarcode, ("barcode",), barcodes)
            + _product_child_inserts(ProductUnit, ("unit", "ratio"), units),
            len(barcodes) + len(units),
        )

    def write(self, plan: Plan, *, actor) -> dict[str, int]:
        counts = super().write(plan, actor=actor)
        existing = plan.extra["existing"]
        for model, keys in ((ProductBarcode, plan.extra["barcodes"]), (ProductUnit, plan.extra["units"])):
            stored_ids = [existing[key].pk for key in keys if key in existing]
            for chunk in chunked(stored_ids):
                model.objects.filter(product_id__in=chunk).delete()
        statements, expected = plan.extra["children"]
        written = execute_statements(statements)
        if written != expected:  # a product named by the plan was not found: write nothing
            raise RuntimeError(f"wrote {written} barcodes and units of products, expected {expected}")
        return counts


def _product_child_inserts(model, fields: tuple[str, ...], rows: list[tuple]) -> list[tuple[str, tuple]]:
    """INSERTs of ``model`` rows for products named by their stored code; each row is (code, *values).

    The products may be new, written just before in the same transaction: the statement finds
    their ids by code, so it can be compiled before the transaction. It begins with INSERT so
    that SQLite's driver reports the rows it wrote.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    aliases = [f"v{index}" for index in range(len(fields))]
    placeholders = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    statements = []
    for chunk in chunked(rows, 900 // (len(fields) + 1)):  # below SQLite's 999 variables
        statement = (
            f"INSERT INTO {quote(model._meta.db_table)} (product_id, {columns}) "  # noqa: S608  (names from the models)
            f"WITH v(code, {', '.join(aliases)}) AS (VALUES {', '.join([placeholders] * len(chunk))}) "
            f"SELECT p.id, {', '.join(f'v.{alias}' for alias in aliases)} "
            f"FROM v JOIN {quote(Product._meta.db_table)} p ON p.code = v.code"
        )
        statements.append((statement, tuple(value for row in chunk for value in row)))
    return statements


def _mark_changed(plan: Plan, instance) -> None:
    """Count a stored record whose fields are unchanged as changed (its barcodes or units differ)."""
    changed_ids = plan.extra.setdefault("changed_ids", {id(other) for other in plan.changed})
    if instance.pk is None or id(instance) in changed_ids:
        return
    changed_ids.add(id(instance))
    plan.changed.append(instance)
    plan.unchanged -= 1


@functools.lru_cache(maxsize=65536)
def _mnemonic(name: str) -> str:
    return mnemonic_for(name)


@register
class UnitKind(ModelKind):
    name = "units"
    label = gettext_lazy("Units of measure")
    permission = "masterdata.add_unit"
    model = Unit
    unique_names = True
    columns = (
        Column("code", gettext_lazy("code"), code(16), required=True, example="BOX"),
        Column("name", gettext_lazy("name"), text(32), required=True, example="箱"),
        Column("is_active", gettext_lazy("active"), cleaning.to_bool),
    )
    fields = ("name", "is_active")


@register
class CategoryKind(ModelKind):
    name = "categories"
    label = gettext_lazy("Product categories")
    permission = "masterdata.add_category"
    model = Category
    columns = (
        Column("code", gettext_lazy("code"), code(32), required=True, example="DRINK"),
        Column("name", gettext_lazy("name"), text(64), required=True, example="饮料"),
        Column("parent", gettext_lazy("parent category"), text(32), choices=active_choices(Category)),
        Column("is_active", gettext_lazy("active"), cleaning.to_bool),
    )
    fields = ("name", "is_active")
    references = ("parent",)

    def resolve(self, rows, errors, mapped) -> None:
        if "parent" not in mapped:
            return
        lookup = Lookup(Category)
        in_file = {row.values["code"].upper() for row in rows}
        for row in rows:
            parent = row.values.get("parent")
            if parent and parent.upper() in in_file and lookup.get(parent) is None:
                self.error(
                    errors,
                    row,
                    "parent",
                    _("Import the parent category %(value)s first (in an earlier file).") % {"value": parent},
                )
        _resolve_small(
            self,
            [r for r in rows if r.number not in {e.row for e in errors}],
            errors,
            "parent",
            lookup,
            _("product category"),
        )

    def validate(self, instance, row, errors) -> bool:
        parent = row.values.get("parent")
        if parent is not None and parent.code.upper() == instance.code.upper():
            self.error(
                errors, row, "parent", _("A category cannot be placed under itself or one of its subcategories.")
            )
            return False
        return True  # deeper cycles: parents must already exist, so a new category closes none


@register
class BrandKind(ModelKind):
    name = "brands"
    label = gettext_lazy("Brands")
    permission = "masterdata.add_brand"
    model = Brand
    key_columns = ("name",)
    columns = (
        Column("name", gettext_lazy("name"), text(64), required=True, example="农夫山泉"),
        Column("is_active", gettext_lazy("active"), cleaning.to_bool),
    )
    fields = ("is_active",)

    def existing(self, keys):
        return {brand.name.upper(): brand for brand in Brand.objects.all()}

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        for row in rows:
            row.values["code"] = row.values["name"]  # brands are keyed by name
        existing = self.existing([])
        plan = Plan(extra={"fields": set(), "rows": {}})
        for row in rows:
            record = existing.get(row.values["name"].upper())
            instance = record or Brand(name=row.values["name"])
            changed = self.apply(instance, row, mapped)
            if record is None:
                plan.new.append(instance)
            elif changed:
                plan.extra["fields"].update(changed)
                plan.changed.append(instance)
            else:
                plan.unchanged += 1
        return plan


@register
class WarehouseKind(ModelKind):
    name = "warehouses"
    label = gettext_lazy("Warehouses")
    permission = "masterdata.add_warehouse"
    model = Warehouse
    unique_names = True
    columns = (
        Column("code", gettext_lazy("code"), code(16), required=True, example="WH01"),
        Column("name", gettext_lazy("name"), text(64), required=True, example="上海总仓"),
        Column("address", gettext_lazy("address"), text(200)),
        Column("is_active", gettext_lazy("active"), cleaning.to_bool),
    )
    fields = ("name", "address", "is_active")


@register
class SupplierKind(ModelKind):
    name = "suppliers"
    label = gettext_lazy("Suppliers")
    permission = "masterdata.add_supplier"
    model = Supplier
    columns = PARTNER_COLUMNS
    fields = PARTNER_FIELDS[1:]


@register
class CustomerKind(ModelKind):
    name = "customers"
    label = gettext_lazy("Customers")
    permission = "masterdata.add_customer"
    model = Customer
    columns = (
        *PARTNER_COLUMNS,
        Column("credit_limit", gettext_lazy("credit limit"), money),
        Column("price_level", gettext_lazy("price level"), price_level, choices=price_level_choices),
        Column("discount_percent", gettext_lazy("discount %"), rate),
        Column("salesperson", gettext_lazy("salesperson"), text(150), help=gettext_lazy("user name")),
    )
    fields = (*PARTNER_FIELDS[1:], "credit_limit", "price_level", "discount_percent")
    references = ("salesperson",)

    def resolve(self, rows, errors, mapped) -> None:
        for row in rows:
            if row.values.get("price_level") == "":
                row.values.pop("price_level")
        if "salesperson" not in mapped:
            return
        names = {name for row in rows if isinstance(name := row.values.get("salesperson"), str) and name}
        users = {user.username: user for user in get_user_model().objects.filter(username__in=names, is_active=True)}
        for row in rows:
            name = row.values.get("salesperson")
            if "salesperson" not in row.values or isinstance(name, get_user_model()):
                continue  # not in the file, or resolved already
            if not name:
                row.values["salesperson"] = None
            elif name in users:
                row.values["salesperson"] = users[name]
            else:
                self.error(errors, row, "salesperson", _("Unknown user: %(value)s.") % {"value": name})

    def prepare(self, rows, errors, *, mapped, actor=None) -> Plan:
        """A clerk limited to their customers (ADR 0007) updates only those, and sets credit
        limits or salespeople only with the manager's permission: the customer form's rule
        (``customer_credit_terms``). A refused row is an error; the import then writes nothing."""
        if actor is not None:
            self.resolve(rows, errors, mapped)
            self._check_actor(rows, errors, actor=actor)
            mapped = mapped | set(CUSTOMER_CREDIT_FIELDS)  # a clerk's new customers get their terms
        return super().prepare(rows, errors, mapped=mapped, actor=actor)

    def _check_actor(self, rows, errors, *, actor) -> None:
        rows = [row for row in rows if not row.failed]
        existing = self.existing([row.values["code"].upper() for row in rows])
        mine = set(
            customers_for_user(actor)
            .filter(pk__in=[record.pk for record in existing.values()])
            .values_list("pk", flat=True)
        )
        for row in rows:
            record = existing.get(row.values["code"].upper())
            if record is not None and record.pk not in mine:
                self.error(
                    errors,
                    row,
                    "code",
                    _("Customer %(code)s is not one of your customers: you cannot change it.") % {"code": record.code},
                )
                continue
            asked = {
                name: row.values[name]
                for name in CUSTOMER_CREDIT_FIELDS
                if name in row.values and (row.values[name] is not None or name == "salesperson")
            }
            before = None if record is None else {name: getattr(record, name) for name in CUSTOMER_CREDIT_FIELDS}
            try:
                row.values.update(customer_credit_terms(actor=actor, before=before, data=asked))
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        self.error(errors, row, name, message)


from apps.imports import kinds_stock  # noqa: E402, F401  (supplier prices and opening stock, listed after these)
