import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.selectors import DIMENSION_CHOICES, GRANULARITY_CHOICES, AnalysisFilter
from apps.masterdata.models import Category, Customer, Product, Warehouse

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TOP_CHOICES = [("10", "10"), ("20", "20"), ("50", "50"), ("0", _("All"))]


class SalesAnalysisForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    dimension = forms.ChoiceField(label=_("By"), choices=DIMENSION_CHOICES, initial="product")
    granularity = forms.ChoiceField(label=_("Period"), choices=GRANULARITY_CHOICES, initial="month")
    top = forms.ChoiceField(label=_("Top"), choices=TOP_CHOICES, initial="20")
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.all(), required=False, empty_label=_("All")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False, widget=forms.HiddenInput
    )
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=Category.objects.all(), required=False, empty_label=_("All")
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        empty_label=_("All"),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False, empty_label=_("All")
    )

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {
            "date_from": (today - datetime.timedelta(days=180)).replace(day=1),
            "date_to": today,
            "dimension": "product",
            "granularity": "month",
            "top": "20",
        }

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_from"] > data["date_to"]:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (data["date_to"] - data["date_from"]).days > 3 * 366:
                raise forms.ValidationError(_("Choose at most three years."))
        return data

    def criteria(self) -> AnalysisFilter:
        data = self.cleaned_data
        return AnalysisFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            customer_id=data["customer"].pk if data.get("customer") else None,
            product_id=data["product"].pk if data.get("product") else None,
            category_id=data["category"].pk if data.get("category") else None,
            salesperson_id=data["salesperson"].pk if data.get("salesperson") else None,
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        )
