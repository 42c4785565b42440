"""Query-string filters of the stock pages (django-filter)."""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.inventory.models import AbcClass, AdjustmentKind, AdjustmentStatus, MovementType, StockAdjustment, XyzClass
from apps.inventory.selectors import local_day_start
from apps.masterdata.models import Category, Warehouse
from apps.masterdata.selectors import category_descendant_ids, warehouses_for_user


def _user_warehouses(request):
    if request is None:
        return Warehouse.objects.none()
    return warehouses_for_user(request.user, include_inactive=True)


class ProductSearchMixin(django_filters.FilterSet):
    """Product code, name or mnemonic, and the category with its subcategories."""

    q = django_filters.CharFilter(label=_("Product"), method="filter_product_text")
    category = django_filters.ModelChoiceFilter(
        label=_("Product category"), queryset=Category.objects.all(), method="filter_category"
    )

    def filter_product_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(product__code__iexact=value) | Q(product__name__icontains=value) | Q(product__mnemonic__istartswith=value)
        )

    def filter_category(self, queryset, name, value):
        return queryset.filter(product__category_id__in=category_descendant_ids(value))


class StockOnHandFilter(ProductSearchMixin):
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=_user_warehouses)
    below_safety = django_filters.BooleanFilter(
        label=_("Below safety stock"), method="filter_below_safety", widget=forms.CheckboxInput
    )
    show_zero = django_filters.BooleanFilter(
        label=_("Show zero stock"), method="filter_noop", widget=forms.CheckboxInput
    )

    abc = django_filters.ChoiceFilter(label=_("ABC class"), choices=AbcClass.choices, method="filter_class")
    xyz = django_filters.ChoiceFilter(label=_("XYZ class"), choices=XyzClass.choices, method="filter_class")

    def filter_below_safety(self, queryset, name, value):
        """Needs the per-warehouse levels annotated (``selectors_levels.with_levels``)."""
        return queryset.filter(available__lt=F("safety_stock")) if value else queryset

    def filter_class(self, queryset, name, value):
        return queryset.filter(**{name: value}) if value else queryset

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("show_zero"):
            queryset = queryset.exclude(on_hand=0, reserved=0)
        return queryset


class StockAsOfFilter(ProductSearchMixin):
    """Filters of the stock-as-of report; the same product and warehouse filters apply to the movements."""

    day = django_filters.DateFilter(
        label=_("As of the end of"), method="filter_noop", widget=forms.DateInput(attrs={"type": "date"})
    )
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=_user_warehouses)
    hide_zero = django_filters.BooleanFilter(
        label=_("Hide zero stock"), method="filter_noop", widget=forms.CheckboxInput
    )

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Computing every row's as-of quantity to drop the zeros reads the ledger once per row:
        # offered, not the default. (Totals never need it: zero rows add nothing.)
        if self.form.cleaned_data.get("hide_zero") and "qty_as_of" in queryset.query.annotations:
            queryset = queryset.exclude(qty_as_of=0, value_as_of=0)
        return queryset

    @property
    def as_of_day(self) -> datetime.date:
        """The chosen day, or today when none (or an invalid one) is given."""
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("day"):
            return self.form.cleaned_data["day"]
        return timezone.localdate()


class StockMovementFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", widget=forms.HiddenInput)
    product_code = django_filters.CharFilter(label=_("Item code"), method="filter_product_code")
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=_user_warehouses)
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    movement_type = django_filters.ChoiceFilter(label=_("Movement type"), choices=MovementType.choices)
    document = django_filters.CharFilter(label=_("Document no."), method="filter_document")
    user = django_filters.ModelChoiceFilter(
        label=_("Posted by"), field_name="posting__posted_by", queryset=get_user_model().objects.all()
    )

    def filter_product_code(self, queryset, name, value):
        return queryset.filter(product__code__iexact=value.strip()) if value.strip() else queryset

    # Day boundaries are computed here so the filter uses the posted_at index (no per-row date cast).
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(posted_at__gte=local_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(posted_at__lt=local_day_start(value + datetime.timedelta(days=1)))

    def filter_document(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(posting__document_number=value) if value else queryset


class StockAdjustmentFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("Document no."), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=AdjustmentKind.choices)
    status = django_filters.ChoiceFilter(label=_("Document status"), choices=AdjustmentStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=_user_warehouses)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = StockAdjustment
        fields = ["number", "kind", "status", "warehouse"]
