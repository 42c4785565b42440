"""Forms validate shape; the services decide. Line grids are formsets of these line forms.

Line grids are ``apps.inventory.documents.forms.LineGridForm`` rows in a ``LineGridFormSet``.
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import CleanForm, CleanModelForm
from apps.inventory.documents.forms import LineGridForm, LineGridFormSet, resolve_products
from apps.masterdata.models import Product, Supplier, Unit, Warehouse
from apps.procurement.models import PurchaseOrder, SupplierPrice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QTY = {"max_digits": 18, "decimal_places": 4}
NUMBER = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})


def _field(name: str) -> dict:
    return {"data-field": name}


class SupplierPriceForm(CleanModelForm):
    any_date_fields = ("valid_to",)  # a price list may run for years

    class Meta:
        model = SupplierPrice
        fields = [
            "supplier",
            "product",
            "price",
            "min_order_qty",
            "pack_size",
            "lead_time_days",
            "is_preferred",
            "valid_from",
            "valid_to",
            "notes",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        if not self.instance.pk:
            self.fields["valid_from"].initial = timezone.localdate


class ReasonForm(CleanForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


# --- purchase orders --------------------------------------------------------------------------


class PurchaseOrderForm(CleanModelForm):
    expected_date = forms.DateField(
        label=_("Expected date"),
        required=False,
        widget=DATE,
        help_text=_("Leave blank: order date + the longest lead time on the supplier's price list."),
    )

    class Meta:
        model = PurchaseOrder
        fields = ["supplier", "warehouse", "order_date", "expected_date", "buyer", "remarks"]
        widgets = {"order_date": DATE, "remarks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)
        self.fields["buyer"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["buyer"].required = False
        self.fields["order_date"].initial = timezone.localdate


class PurchaseOrderLineForm(LineGridForm):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.all(), required=False, widget=forms.Select(attrs=_field("unit"))
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        **QTY,
        required=False,
        widget=forms.NumberInput(attrs={**_field("quantity"), "step": "any"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        **QTY,
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={**_field("unit-price"), "step": "any", "placeholder": _("from price list")}),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate %"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={**_field("tax-rate"), "step": "any"}),
    )
    remarks = forms.CharField(label=_("Remarks"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if self.has_product() and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        return data


PurchaseOrderLineFormSet = forms.formset_factory(
    PurchaseOrderLineForm, formset=LineGridFormSet, extra=1, can_delete=True, max_num=500, validate_max=True
)


# --- goods receipts ---------------------------------------------------------------------------


class GoodsReceiptHeaderForm(CleanForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True))
    receipt_date = forms.DateField(label=_("Receipt date"), initial=timezone.localdate, widget=DATE)
    reason = forms.CharField(label=_("Reason (receipt without order)"), max_length=200, required=False)
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order: PurchaseOrder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        if order is not None:
            del self.fields["supplier"]
            del self.fields["reason"]
            self.fields["warehouse"].initial = order.warehouse_id
        else:
            self.fields["reason"].required = True


class GoodsReceiptLineForm(LineGridForm):
    order_line = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.all(), required=False, widget=forms.Select(attrs=_field("unit"))
    )
    received_quantity = forms.DecimalField(
        label=_("Received"),
        **QTY,
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={**_field("quantity"), "step": "any", "inputmode": "decimal"}),
    )
    rejected_quantity = forms.DecimalField(
        label=_("Rejected qty"), **QTY, required=False, min_value=Decimal(0), widget=NUMBER
    )
    accepted_quantity = forms.DecimalField(
        label=_("Accepted"),
        **QTY,
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(
            attrs={"step": "any", "inputmode": "decimal", "placeholder": _("received − rejected")}
        ),
    )
    rejection_reason = forms.CharField(label=_("Rejection reason"), max_length=200, required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True), required=False
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        **QTY,
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={**_field("unit-price"), "step": "any"}),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate %"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={**_field("tax-rate"), "step": "any"}),
    )

    def __init__(self, *args, show_prices: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_prices:  # 价格屏蔽: neither shown nor changed; the view keeps the price
            del self.fields["unit_price"]
            del self.fields["tax_rate"]

    def has_product(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("order_line")) or super().has_product()


class _ReceiptLineFormSet(LineGridFormSet):
    """Rows pulled in from the order carry their order line; only the others are resolved."""

    def clean(self):
        forms.BaseFormSet.clean(self)
        if any(form.errors for form in self.forms):
            return
        rows = [form for form in self.rows() if not form.cleaned_data.get("order_line")]
        resolve_products(rows, row_of={id(form): index for index, form in enumerate(self.forms, start=1)})


GoodsReceiptLineFormSet = forms.formset_factory(
    GoodsReceiptLineForm, formset=_ReceiptLineFormSet, extra=0, can_delete=True, max_num=500, validate_max=True
)
GoodsReceiptFreeLineFormSet = forms.formset_factory(
    GoodsReceiptLineForm, formset=_ReceiptLineFormSet, extra=1, can_delete=True, max_num=500, validate_max=True
)


# --- purchase returns -------------------------------------------------------------------------


class PurchaseReturnForm(CleanForm):
    return_date = forms.DateField(label=_("Return date"), initial=timezone.localdate, widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PurchaseReturnLineForm(CleanForm):
    receipt_line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(
        label=_("Return quantity"), **QTY, required=False, min_value=Decimal(0), widget=NUMBER
    )


PurchaseReturnLineFormSet = forms.formset_factory(PurchaseReturnLineForm, extra=0, max_num=500, validate_max=True)


# --- payments ---------------------------------------------------------------------------------


class AllocationMode:
    AUTO = "auto"
    MANUAL = "manual"
    NONE = "none"


class SupplierPaymentForm(CleanForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    payment_date = forms.DateField(label=_("Payment date"), initial=timezone.localdate, widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    account = forms.CharField(label=_("Settlement account"), max_length=64, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    allocation = forms.ChoiceField(
        label=_("Match to receipts"),
        choices=[
            (AllocationMode.AUTO, _("Automatically, oldest receipt first")),
            (AllocationMode.MANUAL, _("As entered below")),
            (AllocationMode.NONE, _("Not now (on account)")),
        ],
        initial=AllocationMode.AUTO,
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AllocationLineForm(CleanForm):
    receipt = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, required=False, min_value=Decimal(0), widget=NUMBER
    )


AllocationFormSet = forms.formset_factory(AllocationLineForm, extra=0, max_num=1000, validate_max=True)


# --- reports ----------------------------------------------------------------------------------


class PayablesReportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("To (ageing as of)"), widget=DATE, required=False)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False, empty_label=_("All")
    )

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to.replace(day=1)
        return date_from, date_to
