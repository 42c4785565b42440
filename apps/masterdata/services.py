"""Writes of master data: create, change, deactivate, activate, delete, import.

Every write runs in one transaction, calls ``full_clean()`` before saving, raises
``ValidationError`` on bad input (nothing is written then) and appends an audit row.
"""

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

from apps.core.db import atomic_with_retry
from apps.core.models import AuditAction
from apps.core.services import audit_record, model_changes
from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)

MNEMONIC_MAX_LENGTH = Product._meta.get_field("mnemonic").max_length

# The fields a form may set on each entity; services refuse anything else.
UNIT_FIELDS = ["code", "name"]
CATEGORY_FIELDS = ["code", "name", "parent"]
BRAND_FIELDS = ["name"]
PRODUCT_FIELDS = [
    "code",
    "name",
    "mnemonic",
    "specification",
    "model_number",
    "category",
    "brand",
    "base_unit",
    "purchase_price",
    "retail_price",
    "sale_price",
    "min_sale_price",
    "tax_rate",
    "notes",
]
WAREHOUSE_FIELDS = ["code", "name", "address", "manager"]
PARTNER_FIELDS = [
    "code",
    "name",
    "contact",
    "phone",
    "email",
    "address",
    "tax_number",
    "bank_name",
    "bank_account",
    "payment_terms_days",
    "notes",
]
SUPPLIER_FIELDS = PARTNER_FIELDS
CUSTOMER_FIELDS = [*PARTNER_FIELDS, "credit_limit", "price_level", "discount_percent", "salesperson"]


# pypinyin segments each run of Chinese characters on its own (its phrase dictionary never spans
# other characters), so the initials of a run can be cached: an import of 100,000 names that
# share words ("农夫山泉", "号") then converts each word once instead of 100,000 times.
_HAN_RUNS = re.compile("(" + RE_HANS.pattern.removeprefix("^").removesuffix("$") + ")")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def mnemonic_for(name: str) -> str:
    """Pinyin initials of the Chinese characters, other letters and digits kept: 农夫山泉 550ml -> NFSQ550ML."""
    parts = [
        _han_initials(piece) if index % 2 else _NOT_ALNUM.sub("", piece)
        for index, piece in enumerate(_HAN_RUNS.split(name))
    ]
    return "".join(parts).upper()[:MNEMONIC_MAX_LENGTH]


@functools.lru_cache(maxsize=65536)
def _han_initials(run: str) -> str:
    return "".join(lazy_pinyin(run, style=Style.FIRST_LETTER))


def _apply(instance: models.Model, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


def _check_code_free(model: type[models.Model], code: str, instance: models.Model) -> None:
    """Codes are unique regardless of case, because scanners and people type them both ways."""
    clash = model.objects.filter(code__iexact=code).exclude(pk=instance.pk).first()
    if clash is not None:
        raise ValidationError(
            {"code": _("Code %(code)s is already used by %(record)s.") % {"code": code, "record": clash}}
        )


def _check_name_free(model: type[models.Model], name: str, instance: models.Model) -> None:
    """Unique names (brands, units, warehouses) are unique regardless of case too: "Bosch" is "bosch"."""
    if not model._meta.get_field("name").unique:
        return
    clash = model.objects.filter(name__iexact=name).exclude(pk=instance.pk).first()
    if clash is not None:
        raise ValidationError(
            {"name": _("Name %(name)s is already used by %(record)s.") % {"name": name, "record": clash}}
        )


def _check_keys_free(model: type[models.Model], instance: models.Model, allowed: list[str]) -> None:
    if "code" in allowed:
        _check_code_free(model, instance.code, instance)
    if "name" in allowed:
        _check_name_free(model, instance.name, instance)


def _create(*, actor: Any, model: type[models.Model], data: dict[str, Any], allowed: list[str]) -> models.Model:
    instance = model()
    _apply(instance, data, allowed)
    _check_keys_free(model, instance, allowed)
    instance.full_clean()
    instance.save()
    changes = {name: [None, _jsonable(getattr(instance, name))] for name in allowed}
    audit_record(actor=actor, action=AuditAction.CREATED, instance=instance, changes=changes)
    return instance


def _update(*, actor: Any, instance: models.Model, data: dict[str, Any], allowed: list[str]) -> models.Model:
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = {name: getattr(instance, name) for name in allowed}
    _apply(instance, data, allowed)
    _check_keys_free(type(instance), instance, allowed)
    instance.full_clean()
    instance.save()
    changes = model_changes(instance, before, allowed)
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=instance, changes=changes)
    return instance


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


@atomic_with_retry
def record_set_active(*, actor: Any, instance: models.Model, active: bool) -> models.Model:
    """Deactivate or activate any master-data record. Idempotent: no audit row if nothing changes."""
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    if instance.is_active != active:
        instance.is_active = active
        instance.save(update_fields=["is_active", "updated_at"])
        action = AuditAction.ACTIVATED if active else AuditAction.DEACTIVATED
        audit_record(actor=actor, action=action, instance=instance, changes={"is_active": [not active, active]})
    return instance


@atomic_with_retry
def record_delete(*, actor: Any, instance: models.Model) -> None:
    """Delete a record that nothing references.

    Raises ValidationError naming what still uses it when documents or other records refer to
    it (the database refuses the delete through PROTECT); deactivate such records instead.
    """
    label = str(instance)
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as error:
        blockers = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
        kinds = sorted({str(obj._meta.verbose_name) for obj in blockers})
        raise ValidationError(
            _("%(record)s cannot be deleted: it is used by %(count)d record(s) (%(kinds)s). Deactivate it instead.")
            % {"record": label, "count": len(blockers), "kinds": ", ".join(kinds)},
            code="protected",
        ) from error
    del actor  # deletions leave no audit row: the trail of the record stays readable in the operation log


# ---------------------------------------------------------------------------------------------
# Units, categories, brands, warehouses, suppliers, customers


@atomic_with_retry
def unit_create(*, actor: Any, data: dict[str, Any]) -> Unit:
    return _create(actor=actor, model=Unit, data=data, allowed=UNIT_FIELDS)


@atomic_with_retry
def unit_update(*, actor: Any, unit: Unit, data: dict[str, Any]) -> Unit:
    return _update(actor=actor, instance=unit, data=data, allowed=UNIT_FIELDS)


@atomic_with_retry
def category_create(*, actor: Any, data: dict[str, Any]) -> Category:
    return _create(actor=actor, model=Category, data=data, allowed=CATEGORY_FIELDS)


@atomic_with_retry
def category_update(*, actor: Any, category: Category, data: dict[str, Any]) -> Category:
    """Change a category; moving it under itself or one of its subcategories raises ValidationError."""
    return _update(actor=actor, instance=category, data=data, allowed=CATEGORY_FIELDS)


@atomic_with_retry
def brand_create(*, actor: Any, data: dict[str, Any]) -> Brand:
    return _create(actor=actor, model=Brand, data=data, allowed=BRAND_FIELDS)


@atomic_with_retry
def brand_update(*, actor: Any, brand: Brand, data: dict[str, Any]) -> Brand:
    return _update(actor=actor, instance=brand, data=data, allowed=BRAND_FIELDS)


def _warehouse_users(warehouse: Warehouse, users: Any) -> dict:
    if users is None:
        return {}
    before = sorted(str(user) for user in warehouse.assigned_users.all())
    warehouse.assigned_users.set(users)
    after = sorted(str(user) for user in users)
    return {} if before == after else {"assigned_users": [", ".join(before), ", ".join(after)]}


@atomic_with_retry
def warehouse_create(*, actor: Any, data: dict[str, Any], assigned_users: Any = None) -> Warehouse:
    warehouse = _create(actor=actor, model=Warehouse, data=data, allowed=WAREHOUSE_FIELDS)
    _warehouse_users(warehouse, assigned_users)
    return warehouse


@atomic_with_retry
def warehouse_update(
    *, actor: Any, warehouse: Warehouse, data: dict[str, Any], assigned_users: Any = None
) -> Warehouse:
    warehouse = _update(actor=actor, instance=warehouse, data=data, allowed=WAREHOUSE_FIELDS)
    changes = _warehouse_users(warehouse, assigned_users)
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=warehouse, changes=changes)
    return warehouse


@atomic_with_retry
def supplier_create(*, actor: Any, data: dict[str, Any]) -> Supplier:
    return _create(actor=actor, model=Supplier, data=data, allowed=SUPPLIER_FIELDS)


@atomic_with_retry
def supplier_update(*, actor: Any, supplier: Supplier, data: dict[str, Any]) -> Supplier:
    return _update(actor=actor, instance=supplier, data=data, allowed=SUPPLIER_FIELDS)


# Credit terms: changed only with ``masterdata.change_customer_credit`` (a manager's permission).
CUSTOMER_CREDIT_FIELDS = ["credit_limit", "salesperson"]
CUSTOMER_CREDIT_PERMISSION = "masterdata.change_customer_credit"


def customer_credit_terms(*, actor: Any, before: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """The one rule on credit terms (ADR 0007), for the customer form, the services and the import.

    ``before`` holds the customer's credit limit and salesperson (``None`` for a new customer),
    ``data`` what is asked. An actor without ``masterdata.change_customer_credit`` may not change
    either: ``ValidationError`` names each field asked for. For a new customer such an actor gets
    the terms returned (credit limit 0, themselves as salesperson); otherwise ``{}``.
    """
    if actor is None or actor.has_perm(CUSTOMER_CREDIT_PERMISSION):
        return {}
    terms = {"credit_limit": Decimal(0), "salesperson": actor}
    if before is None:
        before, data = terms, {name: data[name] for name in CUSTOMER_CREDIT_FIELDS if data.get(name) is not None}
    changed = [name for name in CUSTOMER_CREDIT_FIELDS if name in data and data[name] != before.get(name)]
    if changed:
        raise ValidationError(
            {name: _("Only a manager may change the credit limit or the salesperson.") for name in changed}
        )
    return terms if before is terms else {}


@atomic_with_retry
def customer_create(*, actor: Any, data: dict[str, Any]) -> Customer:
    """Create a customer. Without the credit permission the actor becomes its salesperson and its
    credit limit is 0 (every sale on credit needs approval) until a manager sets the terms.
    Raises ``ValidationError`` when such an actor asks for other terms."""
    data = {**data, **customer_credit_terms(actor=actor, before=None, data=data)}
    return _create(actor=actor, model=Customer, data=data, allowed=CUSTOMER_FIELDS)


@atomic_with_retry
def customer_update(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Customer:
    """Update a customer; credit limit and salesperson only with the credit permission (else
    ``ValidationError``, nothing written). Every change is in the audit trail."""
    locked = Customer.objects.select_for_update(of=("self",)).select_related("salesperson").get(pk=customer.pk)
    before = {name: getattr(locked, name) for name in CUSTOMER_CREDIT_FIELDS}
    customer_credit_terms(actor=actor, before=before, data=data)
    return _update(actor=actor, instance=customer, data=data, allowed=CUSTOMER_FIELDS)


# ---------------------------------------------------------------------------------------------
# Products with their secondary units and barcodes


@dataclass(frozen=True)
class UnitLine:
    """A secondary unit: one ``unit`` holds ``ratio`` base units."""

    unit: Unit
    ratio: Decimal


@dataclass(frozen=True)
class BarcodeLine:
    """A barcode; ``unit`` names the packaging it is printed on (a case barcode), else the base unit."""

    barcode: str
    unit: Unit | None = None


def _validate_product_refs(product: Product) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if product.category_id and not Category.objects.filter(pk=product.category_id, is_active=True).exists():
        errors["category"] = [_("Category %(name)s is deactivated; choose an active one.") % {"name": product.category}]
    if product.base_unit_id and not Unit.objects.filter(pk=product.base_unit_id, is_active=True).exists():
        errors["base_unit"] = [_("Unit %(name)s is deactivated; choose an active one.") % {"name": product.base_unit}]
    if product.brand_id and not Brand.objects.filter(pk=product.brand_id, is_active=True).exists():
        errors["brand"] = [_("Brand %(name)s is deactivated; choose an active one.") % {"name": product.brand}]
    return errors


def _validate_unit_lines(product: Product, lines: list[UnitLine]) -> list[str]:
    errors, seen = [], set()
    for number, line in enumerate(lines, 1):
        if line.unit is None or not Unit.objects.filter(pk=line.unit.pk, is_active=True).exists():
            errors.append(_("Secondary unit row %(row)d: unknown or deactivated unit.") % {"row": number})
            continue
        if line.unit.pk == product.base_unit_id:
            errors.append(
                _("Secondary unit row %(row)d: %(unit)s is the base unit and needs no conversion.")
                % {"row": number, "unit": line.unit}
            )
        if line.unit.pk in seen:
            errors.append(
                _("Secondary unit row %(row)d: %(unit)s is listed twice.") % {"row": number, "unit": line.unit}
            )
        seen.add(line.unit.pk)
        if line.ratio is None or line.ratio <= 0:
            errors.append(
                _("Secondary unit row %(row)d: the conversion ratio must be greater than 0.") % {"row": number}
            )
    return errors


def _validate_barcode_lines(product: Product, lines: list[BarcodeLine], unit_ids: set[int]) -> list[str]:
    errors, seen = [], set()
    field = ProductBarcode._meta.get_field("barcode")
    for number, line in enumerate(lines, 1):
        code = line.barcode
        try:
            field.clean(code, None)
        except ValidationError as error:
            errors.extend(
                _("Barcode row %(row)d: %(error)s") % {"row": number, "error": message} for message in error.messages
            )
            continue
        if code in seen:
            errors.append(_("Barcode row %(row)d: %(barcode)s is listed twice.") % {"row": number, "barcode": code})
        seen.add(code)
        if line.unit is not None and line.unit.pk not in unit_ids:
            errors.append(
                _("Barcode row %(row)d: unit %(unit)s is neither the base unit nor a secondary unit of this product.")
                % {"row": number, "unit": line.unit}
            )
    taken = ProductBarcode.objects.filter(barcode__in=seen).exclude(product_id=product.pk).select_related("product")
    errors.extend(
        _("Barcode %(barcode)s is already used by product %(product)s.")
        % {"barcode": other.barcode, "product": other.product}
        for other in taken
    )
    return errors


def _sync_units(product: Product, lines: list[UnitLine]) -> None:
    wanted = {line.unit.pk: line.ratio for line in lines}
    existing = {row.unit_id: row for row in product.units.all()}
    product.units.exclude(unit_id__in=wanted).delete()
    for unit_id, ratio in wanted.items():
        row = existing.get(unit_id)
        if row is None:
            ProductUnit.objects.create(product=product, unit_id=unit_id, ratio=ratio)
        elif row.ratio != ratio:
            row.ratio = ratio
            row.save(update_fields=["ratio"])


def _sync_barcodes(product: Product, lines: list[BarcodeLine]) -> None:
    wanted = {line.barcode: line.unit for line in lines}
    existing = {row.barcode: row for row in product.barcodes.all()}
    product.barcodes.exclude(barcode__in=wanted).delete()
    for code, unit in wanted.items():
        row = existing.get(code)
        unit_id = unit.pk if unit else None
        if row is None:
            ProductBarcode.objects.create(product=product, barcode=code, unit_id=unit_id)
        elif row.unit_id != unit_id:
            row.unit_id = unit_id
            row.save(update_fields=["unit"])


def _lines_summary(units: list[UnitLine], barcodes: list[BarcodeLine]) -> tuple[str, str]:
    unit_text = ", ".join(f"{line.unit}={line.ratio.normalize()}" for line in units)
    barcode_text = ", ".join(line.barcode for line in barcodes)
    return unit_text, barcode_text


def _save_product(
    *, product: Product, data: dict[str, Any], units: list[UnitLine] | None, barcodes: list[BarcodeLine] | None
) -> None:
    _apply(product, data, PRODUCT_FIELDS)
    product.code = (product.code or "").strip()
    if not product.mnemonic:
        product.mnemonic = mnemonic_for(product.name or "")
    else:
        product.mnemonic = product.mnemonic.upper()
    errors: dict[str, list[str]] = {}
    try:
        _check_code_free(Product, product.code, product)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        product.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    for field, messages in _validate_product_refs(product).items():
        errors.setdefault(field, []).extend(messages)
    if units is not None:
        unit_errors = _validate_unit_lines(product, units)
        if unit_errors:
            errors["units"] = unit_errors
    if barcodes is not None:
        known_units = {product.base_unit_id} | {line.unit.pk for line in (units or []) if line.unit is not None}
        if units is None and product.pk:
            known_units |= set(product.units.values_list("unit_id", flat=True))
        barcode_errors = _validate_barcode_lines(product, barcodes, known_units)
        if barcode_errors:
            errors["barcodes"] = barcode_errors
    if errors:
        raise ValidationError(errors)
    product.save()
    if units is not None:
        _sync_units(product, units)
    if barcodes is not None:
        _sync_barcodes(product, barcodes)


@atomic_with_retry
def product_create(
    *,
    actor: Any,
    data: dict[str, Any],
    units: list[UnitLine] | None = None,
    barcodes: list[BarcodeLine] | None = None,
) -> Product:
    """Create a product with its secondary units and barcodes, all or nothing.

    Fills the mnemonic from the name's pinyin initials when it is blank. Raises ValidationError
    keyed by field (``units`` and ``barcodes`` for the lines) for a duplicate code or barcode,
    a deactivated category/unit/brand, a base unit repeated as secondary unit, a ratio <= 0,
    or a minimum price above the sales price.
    """
    product = Product()
    units, barcodes = units or [], barcodes or []
    _save_product(product=product, data=data, units=units, barcodes=barcodes)
    changes = {name: [None, _jsonable(getattr(product, name))] for name in PRODUCT_FIELDS}
    unit_text, barcode_text = _lines_summary(units, barcodes)
    changes["units"] = [None, unit_text]
    changes["barcodes"] = [None, barcode_text]
    audit_record(actor=actor, action=AuditAction.CREATED, instance=product, changes=changes)
    return product


@atomic_with_retry
def product_update(
    *,
    actor: Any,
    product: Product,
    data: dict[str, Any],
    units: list[UnitLine] | None = None,
    barcodes: list[BarcodeLine] | None = None,
) -> Product:
    """Change a product; ``units``/``barcodes`` (when given) replace its lines. Raises like product_create."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    old_units = [
        UnitLine(unit=row.unit, ratio=row.ratio) for row in product.units.select_related("unit").order_by("id")
    ]
    old_barcodes = [
        BarcodeLine(barcode=row.barcode, unit=row.unit)
        for row in product.barcodes.select_related("unit").order_by("id")
    ]
    _save_product(product=product, data=data, units=units, barcodes=barcodes)
    changes = model_changes(product, before, PRODUCT_FIELDS)
    old_text = _lines_summary(old_units, old_barcodes)
    new_text = _lines_summary(
        units if units is not None else old_units, barcodes if barcodes is not None else old_barcodes
    )
    if old_text[0] != new_text[0]:
        changes["units"] = [old_text[0], new_text[0]]
    if old_text[1] != new_text[1]:
        changes["barcodes"] = [old_text[1], new_text[1]]
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGED, instance=product, changes=changes)
    return product


# ---------------------------------------------------------------------------------------------
# Spreadsheet imports
