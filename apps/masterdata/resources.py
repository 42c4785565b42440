"""Spreadsheet import/export of products, suppliers and customers (django-import-export).

Column headers are stable keys (``code``, ``name`` …); the Chinese and English column labels are
accepted too, so a template saved from either language imports. Reference columns resolve by
code or name among active records; an unknown one is a row error on that column.
"""

import io
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from openpyxl import Workbook

from apps.core.models import AuditAction
from apps.core.services import audit_record
from apps.masterdata.models import Brand, Category, Customer, PriceLevel, Product, ProductBarcode, Supplier, Unit
from apps.masterdata.services import mnemonic_for


class MoneyWidget(widgets.DecimalWidget):
    """A decimal that also accepts ``¥1,234.50``; anything else unreadable is a clear row error."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        text = str(value).strip().replace(",", "").replace("¥", "").replace("%", "")
        try:
            return Decimal(text)
        except InvalidOperation as error:
            raise ValueError(_("%(value)s is not a number.") % {"value": value}) from error

    def render(self, value, obj=None, **kwargs):
        return value


class WholeNumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as error:
            raise ValueError(_("%(value)s is not a number.") % {"value": value}) from error
        if number != number.to_integral_value():
            raise ValueError(_("%(value)s is not a whole number.") % {"value": value})
        return int(number)


class ActiveReferenceWidget(widgets.ForeignKeyWidget):
    """Finds an active record by code (ignoring case) or by name."""

    def __init__(self, model, label, lookups=("code", "name"), **kwargs):
        self.label = label
        self.lookups = lookups
        super().__init__(model, field=lookups[-1], **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        for lookup in self.lookups:
            key = f"{lookup}__iexact" if lookup == "code" else lookup
            found = self.model.objects.filter(is_active=True, **{key: text}).first()
            if found is not None:
                return found
        raise ValueError(_("Unknown or deactivated %(label)s: %(value)s.") % {"label": self.label(), "value": text})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, "code", None) or value.name


class UserWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(get_user_model(), field="username", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        user = self.model.objects.filter(username=text, is_active=True).first()
        if user is None:
            raise ValueError(_("Unknown user: %(value)s.") % {"value": text})
        return user


class PriceLevelWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return PriceLevel.WHOLESALE
        for choice in PriceLevel:
            if text.lower() in (choice.value, str(choice.label).lower()):
                return choice.value
            with translation.override("zh-hans"):
                if text == str(choice.label):
                    return choice.value
        raise ValueError(_("Unknown price level: %(value)s.") % {"value": text})


class MasterDataResource(resources.ModelResource):
    """Shared behaviour: header aliases, duplicate codes in the file, an audit row per record."""

    actor: Any = None
    required_columns: tuple[str, ...] = ("code", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._codes_seen: dict[str, int] = {}
        self._current_row = 0

    def header_aliases(self) -> dict[str, str]:
        aliases = {}
        model = self._meta.model
        for name, field in self.fields.items():
            aliases[name.lower()] = field.column_name
            try:
                verbose = model._meta.get_field(field.attribute or name).verbose_name
            except (FieldDoesNotExist, AttributeError):  # a computed column has no model field
                continue
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    aliases[str(verbose).strip().lower()] = field.column_name
        return aliases

    def column_labels(self) -> dict[str, str]:
        """``{column: label}`` in the active language, e.g. ``{"base_unit": "基本单位"}``, in export order."""
        model = self._meta.model
        labels = {}
        for field in self.get_export_fields():
            try:
                verbose = model._meta.get_field(field.attribute or field.column_name).verbose_name
            except (FieldDoesNotExist, AttributeError):
                verbose = _(field.column_name)
            labels[field.column_name] = capfirst(str(verbose))
        return labels

    def before_import(self, dataset, **kwargs):
        aliases = self.header_aliases()
        dataset.headers = [aliases.get(str(header or "").strip().lower(), header) for header in dataset.headers]
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            raise ValidationError(_("The file has no column %(columns)s.") % {"columns": ", ".join(missing)})

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        code = (instance.code or "").strip()
        instance.code = code
        number = kwargs.get("row_number", 0) + 1
        self._current_row = number
        first = self._codes_seen.setdefault(code.upper(), number)
        if code and first != number:
            errors.setdefault("code", []).append(
                ValidationError(_("Code %(code)s also appears on row %(row)d.") % {"code": code, "row": first})
            )
        elif code:
            clash = self._meta.model.objects.filter(code__iexact=code).exclude(code=code).first()
            if clash is not None:
                errors.setdefault("code", []).append(
                    ValidationError(_("Code %(code)s is already used by %(record)s.") % {"code": code, "record": clash})
                )
        self.extra_row_checks(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def extra_row_checks(self, instance, row, errors: dict) -> None:
        return None

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            audit_record(actor=self.actor, action=AuditAction.IMPORTED, instance=instance)


def _split_barcodes(value) -> list[str]:
    text = "" if value is None else str(value)
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part.strip()]


class ProductResource(MasterDataResource):
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=ActiveReferenceWidget(Category, lambda: _("product category")),
    )
    brand = fields.Field(
        attribute="brand", column_name="brand", widget=ActiveReferenceWidget(Brand, lambda: _("brand"), ("name",))
    )
    base_unit = fields.Field(
        attribute="base_unit", column_name="base_unit", widget=ActiveReferenceWidget(Unit, lambda: _("unit"))
    )
    barcodes = fields.Field(column_name="barcodes", attribute=None)

    required_columns = ("code", "name", "category", "base_unit")

    class Meta:
        model = Product
        import_id_fields = ["code"]
        fields = [
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
            "barcodes",
        ]
        export_order = fields
        clean_model_instances = True
        skip_diff = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._barcodes_seen: dict[str, int] = {}
        for name in ("purchase_price", "retail_price", "sale_price", "min_sale_price", "tax_rate"):
            self.fields[name].widget = MoneyWidget()
            self.fields[name].default = Decimal(0) if name != "tax_rate" else Decimal("13.00")

    def header_aliases(self) -> dict[str, str]:
        aliases = super().header_aliases()
        for language in ("en", "zh-hans"):
            with translation.override(language):
                aliases[str(_("barcodes")).lower()] = "barcodes"
                aliases[str(_("barcode")).lower()] = "barcodes"
        return aliases

    def dehydrate_barcodes(self, product: Product) -> str:
        return ",".join(row.barcode for row in product.barcodes.all())

    def extra_row_checks(self, instance, row, errors: dict) -> None:
        number = self._current_row
        for barcode in _split_barcodes(row.get("barcodes")):
            try:
                ProductBarcode._meta.get_field("barcode").clean(barcode, None)
            except ValidationError as error:
                errors.setdefault("barcodes", []).extend(ValidationError(f"{barcode}: {m}") for m in error.messages)
                continue
            first = self._barcodes_seen.setdefault(barcode, number)
            if first != number:
                errors.setdefault("barcodes", []).append(
                    ValidationError(
                        _("Barcode %(barcode)s also appears on row %(row)d.") % {"barcode": barcode, "row": first}
                    )
                )
                continue
            other = ProductBarcode.objects.filter(barcode=barcode).exclude(product__code=instance.code)
            other = other.select_related("product").first()
            if other is not None:
                errors.setdefault("barcodes", []).append(
                    ValidationError(
                        _("Barcode %(barcode)s is already used by product %(product)s.")
                        % {"barcode": barcode, "product": other.product}
                    )
                )
        for name in ("category", "base_unit"):
            if getattr(instance, f"{name}_id") is None and name not in errors and not row.get(name):
                errors[name] = [ValidationError(_("This column is required."))]

    def before_save_instance(self, instance, row, **kwargs):
        instance.mnemonic = (instance.mnemonic or "").upper() or mnemonic_for(instance.name)

    def after_save_instance(self, instance, row, **kwargs):
        if "barcodes" in row:
            wanted = _split_barcodes(row.get("barcodes"))
            instance.barcodes.exclude(barcode__in=wanted).delete()
            existing = set(instance.barcodes.values_list("barcode", flat=True))
            ProductBarcode.objects.bulk_create(
                ProductBarcode(product=instance, barcode=code) for code in wanted if code not in existing
            )
        super().after_save_instance(instance, row, **kwargs)


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


class SupplierResource(MasterDataResource):
    class Meta:
        model = Supplier
        import_id_fields = ["code"]
        fields = PARTNER_FIELDS
        export_order = PARTNER_FIELDS
        clean_model_instances = True
        skip_diff = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_terms_days"].widget = WholeNumberWidget()
        self.fields["payment_terms_days"].default = 30


class CustomerResource(MasterDataResource):
    salesperson = fields.Field(attribute="salesperson", column_name="salesperson", widget=UserWidget())
    price_level = fields.Field(attribute="price_level", column_name="price_level", widget=PriceLevelWidget())

    class Meta:
        model = Customer
        import_id_fields = ["code"]
        fields = [*PARTNER_FIELDS, "credit_limit", "price_level", "discount_percent", "salesperson"]
        export_order = fields
        clean_model_instances = True
        skip_diff = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_limit"].widget = MoneyWidget()
        self.fields["discount_percent"].widget = MoneyWidget()
        self.fields["discount_percent"].default = Decimal(0)
        self.fields["payment_terms_days"].widget = WholeNumberWidget()
        self.fields["payment_terms_days"].default = 30


# ---------------------------------------------------------------------------------------------
# Files


def load_dataset(content: bytes, extension: str) -> tablib.Dataset:
    """Read an uploaded .xlsx or .csv into a Dataset; raise ValidationError when it is unreadable or empty."""
    dataset = tablib.Dataset()
    try:
        if extension == ".csv":
            dataset.load(content.decode("utf-8-sig"), format="csv")
        else:
            dataset.load(io.BytesIO(content), format="xlsx")
    except Exception as error:  # tablib and openpyxl raise many kinds of errors on a broken file
        raise ValidationError(_("The file is not a readable workbook: %(error)s") % {"error": error}) from error
    blank = [index for index, row in enumerate(dataset) if all(cell in (None, "") for cell in row)]
    for index in reversed(blank):
        del dataset[index]
    if not dataset.headers or len(dataset) == 0:
        raise ValidationError(_("The file has no data rows."))
    return dataset


def workbook_bytes(resource: resources.ModelResource, queryset=None) -> bytes:
    """An .xlsx of ``queryset`` (or just the header row, as a template), written row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(resource._meta.model._meta.verbose_name_plural))
    sheet.append(resource.get_export_headers())
    if queryset is not None:
        for instance in resource.iter_queryset(queryset):
            sheet.append(resource.export_resource(instance))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_errors(result, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every row error of an import result as ``{"row", "field", "label", "message"}``.

    Row numbers count the header as 1; ``label`` is the column's name for people (from ``labels``).
    """
    errors = [
        {"row": None, "field": "", "message": str(getattr(error.error, "messages", [error.error])[0])}
        for error in result.base_errors
    ]
    for number, row_errors in result.row_errors():
        errors.extend({"row": number + 1, "field": "", "message": str(error.error)} for error in row_errors)
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            label = "" if field == "__all__" else field
            errors.extend({"row": invalid.number + 1, "field": label, "message": str(m)} for m in messages)
    errors.sort(key=lambda error: (error["row"] or 0, error["field"]))
    for error in errors:
        error["label"] = (labels or {}).get(error["field"], error["field"])
    return errors
