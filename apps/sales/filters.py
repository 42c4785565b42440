"""List filters (django-filter), bound from the query string."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.masterdata.models import Category, Customer, Product, Warehouse
from apps.sales.models import (
    CustomerReceipt,
    CustomerTag,
    DocumentStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesReturn,
    Shipment,
    ShipmentLine,
)
from apps.sales.selectors import SEGMENT_CHOICES

DATE = forms.DateInput(attrs={"type": "date"})


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class _DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    customer = django_filters.ModelChoiceFilter(label=_("Customer"), queryset=Customer.objects.all())
    date_from = django_filters.DateFilter(label=_("From"), method="date_from_filter", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), method="date_to_filter", widget=DATE)
    date_field = "created_at"

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(customer__name__icontains=value) | Q(customer__code__iexact=value)
        )

    def date_from_filter(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def date_to_filter(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})


class SalesOrderFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SalesOrderStatus.choices)
    salesperson = django_filters.ModelChoiceFilter(label=_("Salesperson"), queryset=_users())
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.all(), method="product_filter", widget=forms.HiddenInput
    )
    shipped_from = django_filters.DateFilter(method="shipped_between", widget=forms.HiddenInput)
    shipped_to = django_filters.DateFilter(method="shipped_between", widget=forms.HiddenInput)
    date_field = "order_date"

    class Meta:
        model = SalesOrder
        fields = [
            "q",
            "status",
            "customer",
            "salesperson",
            "date_from",
            "date_to",
            "product",
            "shipped_from",
            "shipped_to",
        ]

    def product_filter(self, queryset, name, value):
        return queryset.filter(Exists(SalesOrderLine.objects.filter(order=OuterRef("pk"), product=value)))

    def shipped_between(self, queryset, name, value):
        """Orders with a posted delivery in the range (the drill-down from the sales analysis)."""
        if name == "shipped_to" and self.form.cleaned_data.get("shipped_from"):
            return queryset  # applied together with shipped_from
        deliveries = ShipmentLine.objects.filter(
            order_line__order=OuterRef("pk"), shipment__status=DocumentStatus.POSTED
        )
        start, end = self.form.cleaned_data.get("shipped_from"), self.form.cleaned_data.get("shipped_to")
        if start:
            deliveries = deliveries.filter(shipment__ship_date__gte=start)
        if end:
            deliveries = deliveries.filter(shipment__ship_date__lte=end)
        return queryset.filter(Exists(deliveries))


class ShipmentFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.all(), method="line_filter", widget=forms.HiddenInput
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Product category"), queryset=Category.objects.all(), method="line_filter", widget=forms.HiddenInput
    )
    salesperson = django_filters.ModelChoiceFilter(
        label=_("Salesperson"), queryset=_users(), method="line_filter", widget=forms.HiddenInput
    )
    date_field = "ship_date"

    class Meta:
        model = Shipment
        fields = ["q", "status", "customer", "warehouse", "date_from", "date_to", "product", "category", "salesperson"]

    def line_filter(self, queryset, name, value):
        lookup = {
            "product": "product",
            "category": "product__category",
            "salesperson": "order_line__order__salesperson",
        }[name]
        return queryset.filter(Exists(ShipmentLine.objects.filter(shipment=OuterRef("pk"), **{lookup: value})))


class SalesReturnFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)
    date_field = "return_date"

    class Meta:
        model = SalesReturn
        fields = ["q", "status", "customer", "date_from", "date_to"]


class ReceiptFilter(_DocumentFilter):
    date_field = "receipt_date"

    class Meta:
        model = CustomerReceipt
        fields = ["q", "customer", "date_from", "date_to"]


class CustomerSalesFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    segment = django_filters.ChoiceFilter(label=_("RFM segment"), choices=SEGMENT_CHOICES)
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), queryset=CustomerTag.objects.all(), field_name="sales_tags")
    salesperson = django_filters.ModelChoiceFilter(label=_("Salesperson"), queryset=_users())

    class Meta:
        model = Customer
        fields = ["q", "segment", "tag", "salesperson"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(contact__icontains=value))
