"""Filter forms of the purchase analysis."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.purchase_selectors import PurchaseCriteria
from apps.analytics.stock_forms import ReportPeriodMixin
from apps.masterdata.models import Category, Product, Supplier
from apps.masterdata.selectors import warehouses_for_user

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def months_back(today: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` − 1 months before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


class PurchaseReportForm(ReportPeriodMixin, forms.Form):
    """Period, supplier, product category and warehouse; ``defaults`` fills what the query leaves out."""

    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False, empty_label=_("All")
    )
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=Category.objects.all(), required=False, empty_label=_("All")
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, required=False, empty_label=_("All"))
    category_exact = forms.BooleanField(required=False, widget=forms.HiddenInput)
    default_months = 6

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses_for_user(user, include_inactive=True)

    @classmethod
    def defaults(cls) -> dict[str, str]:
        today = timezone.localdate()
        return {"date_from": months_back(today, cls.default_months).isoformat(), "date_to": today.isoformat()}

    def criteria(self) -> PurchaseCriteria:
        data = self.cleaned_data
        return PurchaseCriteria(
            date_from=data["date_from"],
            date_to=data["date_to"],
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            category_id=data["category"].pk if data.get("category") else None,
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            product_id=data["product"].pk if data.get("product") else None,
            category_exact=bool(data.get("category_exact")),
        )


SPEND_DIMENSION_CHOICES = (("supplier", _("Supplier")), ("category", _("Product category")), ("month", _("Month")))


class SpendForm(PurchaseReportForm):
    dimension = forms.ChoiceField(label=_("By"), choices=SPEND_DIMENSION_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["date_from", "date_to", "dimension"])

    @classmethod
    def defaults(cls) -> dict[str, str]:
        return {**super().defaults(), "dimension": "supplier"}


class PriceTrendForm(PurchaseReportForm):
    """One product, picked like on the supplier comparison: ``q`` is searched, ``product`` is the choice."""

    category = None
    category_exact = None
    q = forms.CharField(
        label=_("Product"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Code, barcode, name or mnemonic"), "autocomplete": "off"}),
    )
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False, widget=forms.HiddenInput)
    default_months = 12

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["q", "date_from", "date_to", "supplier", "warehouse"])


VARIANCE_ORDERINGS = (
    ("date", _("Receipt date")),
    ("-variance", _("Paid above the list, largest first")),
    ("variance", _("Paid below the list, largest first")),
)


class PriceVarianceForm(PurchaseReportForm):
    ordering = forms.ChoiceField(label=_("Sort by"), choices=VARIANCE_ORDERINGS)
    default_months = 3

    @classmethod
    def defaults(cls) -> dict[str, str]:
        return {**super().defaults(), "ordering": "date"}


class SupplierDeliveryForm(PurchaseReportForm):
    category = None
    category_exact = None
    default_months = 12
