"""Forms of stock levels, storage locations, the inventory settings and their filters."""

from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.fields import QUANTITY_PLACES
from apps.core.forms import CleanForm, CleanModelForm
from apps.inventory.models import AbcClass, InventoryPolicy, StorageLocation, XyzClass
from apps.inventory.services.levels import KEEP, POLICY_FIELDS, StockLevelInput
from apps.masterdata.models import Category, Warehouse
from apps.masterdata.selectors import category_descendant_ids

LEVEL_COLUMNS = ("safety_stock", "reorder_point", "max_stock", "location")


class StockLevelFilter(django_filters.FilterSet):
    """Filters of the levels page: a queryset of products annotated for one warehouse."""

    q = django_filters.CharFilter(label=gettext_lazy("Product"), method="filter_text")
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Product category"), queryset=Category.objects.all(), method="filter_category"
    )
    abc = django_filters.ChoiceFilter(label=gettext_lazy("ABC class"), choices=AbcClass.choices)
    xyz = django_filters.ChoiceFilter(label=gettext_lazy("XYZ class"), choices=XyzClass.choices)
    only_set = django_filters.BooleanFilter(
        label=gettext_lazy("With levels only"), method="filter_only_set", widget=forms.CheckboxInput
    )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value) | Q(mnemonic__istartswith=value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=category_descendant_ids(value))

    def filter_only_set(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(safety_stock__gt=0) | Q(reorder_point__gt=0) | Q(max_stock__isnull=False))


def _decimal(text: str) -> Decimal | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite() or value < 0 or value != round(value, QUANTITY_PLACES) or abs(value) >= 10**14:
        raise forms.ValidationError(_("“%(value)s” is not a valid quantity.") % {"value": text})
    return value


def level_grid_rows(data, products, warehouse: Warehouse) -> tuple[list[StockLevelInput], list[str]]:
    """The changed rows of the levels grid (inputs ``<field>-<product id>``), and the errors of bad cells.

    ``products`` are the annotated rows the page showed; a row whose cells equal what it showed is
    left out, so saving a page writes only what people changed. Location cells hold a code.
    """
    codes = {
        code.upper(): pk for pk, code in StorageLocation.objects.filter(warehouse=warehouse).values_list("pk", "code")
    }
    rows, errors = [], []
    for row_no, product in enumerate(products, start=1):
        if f"safety_stock-{product.pk}" not in data:
            continue
        try:
            safety = _decimal(data.get(f"safety_stock-{product.pk}", "")) or Decimal(0)
            reorder = _decimal(data.get(f"reorder_point-{product.pk}", "")) or Decimal(0)
            maximum = _decimal(data.get(f"max_stock-{product.pk}", ""))
        except forms.ValidationError as error:
            errors.append(_("%(code)s: %(error)s") % {"code": product.code, "error": error.messages[0]})
            continue
        code = data.get(f"location-{product.pk}", "").strip().upper()
        if code and code not in codes:
            errors.append(
                _("%(code)s: no location %(location)s in %(warehouse)s.")
                % {"code": product.code, "location": code, "warehouse": warehouse}
            )
            continue
        location_id = codes.get(code) if code else None
        shown = (product.safety_stock, product.reorder_point, product.max_stock, product.location_id)
        if (safety, reorder, maximum, location_id) == shown:
            continue
        rows.append(
            StockLevelInput(
                product_id=product.pk,
                warehouse_id=warehouse.pk,
                safety_stock=safety,
                reorder_point=reorder,
                max_stock=maximum,
                location_id=location_id,
                row=row_no,
            )
        )
    return rows, errors


class StockLevelApplyForm(CleanForm):
    """Set levels of every product matching the filter; blank fields are kept."""

    safety_stock = forms.DecimalField(
        label=gettext_lazy("Safety stock"), required=False, min_value=0, decimal_places=QUANTITY_PLACES
    )
    reorder_point = forms.DecimalField(
        label=gettext_lazy("Reorder point"), required=False, min_value=0, decimal_places=QUANTITY_PLACES
    )
    max_stock = forms.DecimalField(
        label=gettext_lazy("Maximum stock level"), required=False, min_value=0, decimal_places=QUANTITY_PLACES
    )
    clear_max = forms.BooleanField(label=gettext_lazy("Clear the maximum"), required=False)

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("safety_stock", "reorder_point", "max_stock")]
        if all(value is None for value in values) and not cleaned.get("clear_max"):
            raise forms.ValidationError(_("Enter at least one level to set."))
        return cleaned

    def inputs(self, product_ids, warehouse_id: int) -> list[StockLevelInput]:
        data = self.cleaned_data
        maximum = None if data["clear_max"] else (KEEP if data["max_stock"] is None else data["max_stock"])
        return [
            StockLevelInput(
                product_id=product_id,
                warehouse_id=warehouse_id,
                safety_stock=KEEP if data["safety_stock"] is None else data["safety_stock"],
                reorder_point=KEEP if data["reorder_point"] is None else data["reorder_point"],
                max_stock=maximum,
            )
            for product_id in product_ids
        ]


class StorageLocationForm(CleanModelForm):
    class Meta:
        model = StorageLocation
        fields = ["warehouse", "code", "zone", "sort_order", "is_active"]

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses if warehouses is not None else Warehouse.objects.active()


class InventoryPolicyForm(CleanModelForm):
    class Meta:
        model = InventoryPolicy
        fields = POLICY_FIELDS
