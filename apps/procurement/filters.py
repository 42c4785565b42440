import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.masterdata.models import Product, Supplier, Warehouse
from apps.procurement.models import (
    DocumentStatus,
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderStatus,
    PurchaseReturn,
    SupplierPayment,
    SupplierPrice,
)

DATE = forms.DateInput(attrs={"type": "date"})


class _DocumentFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("Document no."), lookup_expr="icontains")
    supplier = django_filters.ModelChoiceFilter(label=_("Supplier"), queryset=Supplier.objects.all())


class PurchaseOrderFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PurchaseOrderStatus.choices)
    buyer = django_filters.ModelChoiceFilter(
        label=_("Buyer"), queryset=get_user_model().objects.filter(is_active=True).order_by("username")
    )
    date_from = django_filters.DateFilter(label=_("From"), field_name="order_date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="order_date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = PurchaseOrder
        fields = ["number", "status", "supplier", "buyer", "date_from", "date_to"]


class GoodsReceiptFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())
    date_from = django_filters.DateFilter(label=_("From"), field_name="receipt_date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="receipt_date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = GoodsReceipt
        fields = ["number", "status", "supplier", "warehouse", "date_from", "date_to"]


class PurchaseReturnFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="return_date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="return_date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = PurchaseReturn
        fields = ["number", "status", "supplier", "date_from", "date_to"]


class SupplierPaymentFilter(_DocumentFilter):
    date_from = django_filters.DateFilter(label=_("From"), field_name="payment_date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="payment_date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = SupplierPayment
        fields = ["number", "supplier", "date_from", "date_to"]


class SupplierPriceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Product"), method="filter_product")
    supplier = django_filters.ModelChoiceFilter(label=_("Supplier"), queryset=Supplier.objects.all())
    valid_on = django_filters.DateFilter(label=_("Valid on"), method="filter_valid_on", widget=DATE)

    class Meta:
        model = SupplierPrice
        fields = ["q", "supplier", "valid_on"]

    def filter_product(self, queryset, name, value):
        return queryset.filter(
            Q(product__code__icontains=value)
            | Q(product__name__icontains=value)
            | Q(product__mnemonic__icontains=value)
        )

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value))


class ProductChoiceForm(forms.Form):
    """Pick one product by scanning or typing: ``q`` is searched, ``product`` is the chosen one."""

    q = forms.CharField(
        label=_("Product"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Code, barcode, name or mnemonic"), "autofocus": True, "autocomplete": "off"}
        ),
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )
