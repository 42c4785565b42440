"""Forms of the sales pages: they validate shape; the services validate the business rules."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.forms import CleanForm, CleanModelForm
from apps.inventory.documents.forms import LineGridForm, LineGridFormSet
from apps.masterdata.models import Customer, Unit, Warehouse
from apps.sales.models import CustomerFollowUp, ReceiptMethod, ReturnDisposition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QTY = {"max_digits": 14, "decimal_places": 4}
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _field_attrs(form: forms.Form, attrs: dict[str, dict[str, str]]) -> None:
    for name, values in attrs.items():
        form.fields[name].widget.attrs.update(values)


class SalesOrderForm(CleanForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    order_date = forms.DateField(label=_("Order date"), widget=DATE)
    delivery_date = forms.DateField(label=_("Delivery date"), widget=DATE, required=False)
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Blank: the customer's salesperson."),
    )
    remarks = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers.filter(is_active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.active()
        self.fields["salesperson"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["order_date"].initial = timezone.localdate()


class OrderLineForm(LineGridForm):
    """One grid row: the product (``LineGridForm``), unit, quantity, price, discount, tax."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.0001"), **QTY)
    unit_price = forms.DecimalField(
        label=_("Unit price"), required=False, min_value=Decimal(0), max_digits=18, decimal_places=4
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"), required=False, max_digits=5, decimal_places=2, validators=PERCENT
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate %"), required=False, max_digits=5, decimal_places=2, validators=PERCENT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active()
        _field_attrs(
            self,
            {
                "unit": {"data-field": "unit"},
                "quantity": {"data-field": "quantity", "step": "any"},
                "unit_price": {"data-field": "unit-price", "step": "any"},
                "discount_percent": {"data-field": "discount", "step": "any"},
                "tax_rate": {"data-field": "tax-rate", "step": "any"},
            },
        )


OrderLineFormSet = forms.formset_factory(OrderLineForm, formset=LineGridFormSet, extra=1, can_delete=True)


class ShipmentStartForm(CleanForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["warehouse"].queryset = Warehouse.objects.active()


class ShipmentForm(CleanForm):
    ship_date = forms.DateField(label=_("Delivery date"), widget=DATE)
    remarks = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ShipmentLineForm(CleanForm):
    order_line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=Decimal(0), **QTY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update({"data-field": "quantity", "step": "any"})


ShipmentLineFormSet = forms.formset_factory(ShipmentLineForm, extra=0)


class SalesReturnForm(CleanForm):
    return_date = forms.DateField(label=_("Return date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReturnLineForm(CleanForm):
    shipment_line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=Decimal(0), **QTY)
    disposition = forms.ChoiceField(
        label=_("Disposition"), choices=ReturnDisposition.choices, initial=ReturnDisposition.RESTOCK
    )
    scrap_reason = forms.CharField(label=_("Scrap reason"), max_length=200, required=False)


ReturnLineFormSet = forms.formset_factory(ReturnLineForm, extra=0)


class ReceiptForm(CleanForm):
    AUTO, MANUAL = "auto", "manual"

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    receipt_date = forms.DateField(label=pgettext_lazy("money", "Receipt date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2)
    method = forms.ChoiceField(label=_("Method"), choices=ReceiptMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    notes = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    allocation = forms.ChoiceField(
        label=_("Matching"),
        choices=[(AUTO, _("Oldest deliveries first")), (MANUAL, _("As entered below"))],
        initial=AUTO,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers.filter(is_active=True)
        self.fields["receipt_date"].initial = timezone.localdate()


class AllocationForm(CleanForm):
    receivable = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=Decimal(0), max_digits=18, decimal_places=2
    )


AllocationFormSet = forms.formset_factory(AllocationForm, extra=0)


class FollowUpForm(CleanModelForm):
    class Meta:
        model = CustomerFollowUp
        fields = ["date", "channel", "note", "next_action", "next_action_date"]
        widgets = {"date": DATE, "next_action_date": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class CustomerTagsForm(CleanForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )

    def cleaned_names(self) -> list[str]:
        text = self.cleaned_data.get("tags", "").replace("，", ",")
        return [name.strip() for name in text.split(",") if name.strip()]


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
