"""Forms validate shape; the services re-check everything and their errors are mapped back."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.forms import CleanModelForm
from apps.core.prices import hidden_fields
from apps.masterdata import services
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
from apps.masterdata.selectors import category_descendant_ids, category_tree

INACTIVE_CHOICE = _("Unknown or deactivated; choose an active one.")


def _active_or_current(model, current_id):
    """Active rows, plus the row already chosen so that editing an old record still works."""
    return model.objects.filter(Q(is_active=True) | Q(pk=current_id))


def _tree_choices(queryset, blank: bool = True) -> list:
    choices = [("", "---------")] if blank else []
    choices += [(node.pk, "\u3000" * depth + node.name) for node, depth in category_tree(queryset)]
    return choices


class UnitForm(CleanModelForm):
    class Meta:
        model = Unit
        fields = services.UNIT_FIELDS


class BrandForm(CleanModelForm):
    class Meta:
        model = Brand
        fields = services.BRAND_FIELDS


class CategoryForm(CleanModelForm):
    class Meta:
        model = Category
        fields = services.CATEGORY_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        excluded = category_descendant_ids(self.instance) if self.instance.pk else set()
        queryset = Category.objects.filter(is_active=True)
        field = self.fields["parent"]
        field.queryset = Category.objects.exclude(pk__in=excluded)
        field.error_messages["invalid_choice"] = _(
            "A category cannot be placed under itself or one of its subcategories."
        )
        field.choices = [choice for choice in _tree_choices(queryset) if choice[0] == "" or choice[0] not in excluded]


class ProductForm(CleanModelForm):
    class Meta:
        model = Product
        fields = services.PRODUCT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            for name in hidden_fields(user, list(self.fields)):  # 价格屏蔽: not shown, not changed
                del self.fields[name]
        instance = self.instance
        self.fields["category"].queryset = _active_or_current(Category, instance.category_id)
        self.fields["category"].choices = _tree_choices(self.fields["category"].queryset)
        self.fields["base_unit"].queryset = _active_or_current(Unit, instance.base_unit_id)
        self.fields["brand"].queryset = _active_or_current(Brand, instance.brand_id)
        for name in ("category", "base_unit", "brand"):
            self.fields[name].error_messages["invalid_choice"] = INACTIVE_CHOICE
        self.fields["code"].widget.attrs["autofocus"] = True


class ProductUnitForm(CleanModelForm):
    class Meta:
        model = ProductUnit
        fields = ["unit", "ratio"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _active_or_current(Unit, self.instance.unit_id)
        self.fields["unit"].error_messages["invalid_choice"] = INACTIVE_CHOICE
        self.fields["ratio"].widget.attrs["step"] = "any"

    def clean_ratio(self):
        ratio = self.cleaned_data["ratio"]
        if ratio is not None and ratio <= 0:
            raise ValidationError(_("The conversion ratio must be greater than 0."))
        return ratio


class ProductBarcodeForm(CleanModelForm):
    class Meta:
        model = ProductBarcode
        fields = ["barcode", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _active_or_current(Unit, self.instance.unit_id)
        self.fields["unit"].error_messages["invalid_choice"] = INACTIVE_CHOICE
        self.fields["unit"].empty_label = _("(base unit)")

    def clean_barcode(self):
        barcode = self.cleaned_data["barcode"].strip()
        other = (
            ProductBarcode.objects.filter(barcode=barcode)
            .exclude(product_id=self.instance.product_id or 0)
            .select_related("product")
            .first()
        )
        if other is not None:
            raise ValidationError(
                _("Barcode %(barcode)s is already used by product %(product)s."),
                params={"barcode": barcode, "product": other.product},
            )
        return barcode


class _LinesFormSet(forms.BaseInlineFormSet):
    base_unit: Unit | None = None
    key_field = ""

    def live_forms(self):
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.cleaned_data
        ]


class ProductUnitFormSet(_LinesFormSet):
    def clean(self):
        seen = set()
        for form in self.live_forms():
            unit = form.cleaned_data.get("unit")
            if unit is None:
                continue
            if self.base_unit is not None and unit.pk == self.base_unit.pk:
                form.add_error("unit", _("%(unit)s is the base unit and needs no conversion.") % {"unit": unit})
            elif unit.pk in seen:
                form.add_error("unit", _("%(unit)s is listed twice.") % {"unit": unit})
            seen.add(unit.pk)
        super().clean()

    def lines(self) -> list[services.UnitLine]:
        return [
            services.UnitLine(unit=form.cleaned_data["unit"], ratio=form.cleaned_data["ratio"])
            for form in self.live_forms()
        ]


class ProductBarcodeFormSet(_LinesFormSet):
    def clean(self):
        seen = set()
        for form in self.live_forms():
            barcode = form.cleaned_data.get("barcode")
            if not barcode:
                continue
            if barcode in seen:
                form.add_error("barcode", _("Barcode %(barcode)s is listed twice.") % {"barcode": barcode})
            seen.add(barcode)
        super().clean()

    def lines(self) -> list[services.BarcodeLine]:
        return [
            services.BarcodeLine(barcode=form.cleaned_data["barcode"], unit=form.cleaned_data.get("unit"))
            for form in self.live_forms()
        ]


UnitLineFormSet = forms.inlineformset_factory(
    Product, ProductUnit, form=ProductUnitForm, formset=ProductUnitFormSet, extra=1, can_delete=True
)
BarcodeLineFormSet = forms.inlineformset_factory(
    Product, ProductBarcode, form=ProductBarcodeForm, formset=ProductBarcodeFormSet, extra=1, can_delete=True
)


class WarehouseForm(CleanModelForm):
    class Meta:
        model = Warehouse
        fields = [*services.WAREHOUSE_FIELDS, "assigned_users"]
        widgets = {"assigned_users": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["manager"].queryset = users
        self.fields["assigned_users"].queryset = users


class SupplierForm(CleanModelForm):
    class Meta:
        model = Supplier
        fields = services.SUPPLIER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class CustomerForm(CleanModelForm):
    class Meta:
        model = Customer
        fields = services.CUSTOMER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        if user is not None and not user.has_perm(services.CUSTOMER_CREDIT_PERMISSION):
            # Shown, not editable: the service refuses a change anyway.
            for name in services.CUSTOMER_CREDIT_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only a manager may change this.")
