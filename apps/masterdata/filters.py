"""List-page filters bound from the query string."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    PriceLevel,
    Product,
    ProductBarcode,
    Supplier,
    Unit,
    Warehouse,
)
from apps.masterdata.selectors import category_descendant_ids, category_tree

ACTIVE_CHOICES = (("1", _("Active")), ("0", _("Inactive")))


class MasterDataFilter(django_filters.FilterSet):
    """A search box over ``search_fields`` and an active/inactive filter."""

    search_fields: tuple[str, ...] = ("code", "name")

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_active", empty_label=_("All")
    )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in ("0", "1"):
            return queryset.filter(is_active=value == "1")
        return queryset


class UnitFilter(MasterDataFilter):
    class Meta:
        model = Unit
        fields: list[str] = []


class BrandFilter(MasterDataFilter):
    search_fields = ("name",)

    class Meta:
        model = Brand
        fields: list[str] = []


class CategoryFilter(MasterDataFilter):
    class Meta:
        model = Category
        fields: list[str] = []


def _category_choices() -> list[tuple[int, str]]:
    return [(node.pk, "\u3000" * depth + node.name) for node, depth in category_tree()]


class ProductFilter(MasterDataFilter):
    search_fields = ("code", "name", "mnemonic", "specification")

    category = django_filters.ChoiceFilter(
        label=_("Product category"), choices=_category_choices, method="filter_category"
    )
    brand = django_filters.ModelChoiceFilter(label=_("Brand"), queryset=Brand.objects.all())

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The chosen category together with all its subcategories."""
        category = Category.objects.filter(pk=value).first()
        if category is None:
            return queryset
        return queryset.filter(category_id__in=category_descendant_ids(category))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(pk__in=ProductBarcode.objects.filter(barcode=value).values("product_id"))
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class WarehouseFilter(MasterDataFilter):
    search_fields = ("code", "name", "address")

    class Meta:
        model = Warehouse
        fields: list[str] = []


class SupplierFilter(MasterDataFilter):
    search_fields = ("code", "name", "contact", "phone")

    class Meta:
        model = Supplier
        fields: list[str] = []


class CustomerFilter(MasterDataFilter):
    search_fields = ("code", "name", "contact", "phone")

    price_level = django_filters.ChoiceFilter(label=_("Price level"), choices=PriceLevel.choices)

    class Meta:
        model = Customer
        fields: list[str] = []
