"""Filter forms of the stock reports."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.ageing_selectors import DeadStockCriteria
from apps.analytics.stock_selectors import GROUPING_CHOICES, StockCriteria
from apps.masterdata.models import Category, Product
from apps.masterdata.selectors import warehouses_for_user

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 3 * 366


class ReportPeriodMixin:
    """A report's period (``date_from`` .. ``date_to``, at most three years) over its defaults."""

    @classmethod
    def bound(cls, query, *, user):
        return cls({**cls.defaults(), **{k: v for k, v in query.items() if v != ""}}, user=user)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
        return data


class StockReportForm(ReportPeriodMixin, forms.Form):
    """Period, grouping and filters; ``defaults`` fills what the query string leaves out."""

    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    grouping = forms.ChoiceField(label=_("By"), choices=GROUPING_CHOICES)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, required=False, empty_label=_("All"))
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=Category.objects.all(), required=False, empty_label=_("All")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False, widget=forms.HiddenInput
    )
    ordering_choices: tuple[tuple[str, str], ...] = ()
    default_grouping = "product"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses_for_user(user, include_inactive=True)
        if self.ordering_choices:
            self.fields["ordering"] = forms.ChoiceField(label=_("Sort by"), choices=self.ordering_choices)

    @classmethod
    def defaults(cls) -> dict[str, str]:
        today = timezone.localdate()
        return {
            "date_from": today.replace(day=1).isoformat(),
            "date_to": today.isoformat(),
            "grouping": cls.default_grouping,
            "ordering": cls.ordering_choices[0][0] if cls.ordering_choices else "key",
        }

    def criteria(self) -> StockCriteria:
        data = self.cleaned_data
        return StockCriteria(
            date_from=data["date_from"],
            date_to=data["date_to"],
            grouping=data["grouping"],
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            category_id=data["category"].pk if data.get("category") else None,
            product_id=data["product"].pk if data.get("product") else None,
            ordering=data.get("ordering") or "key",
        )


class StockSummaryForm(StockReportForm):
    ordering_choices = (
        ("key", _("Code")),
        ("-closing_value", _("Closing value, largest first")),
        ("-out_qty", _("Issued quantity, largest first")),
    )


class TurnoverForm(StockReportForm):
    default_grouping = "category"
    ordering_choices = (
        ("-cogs", _("Cost of goods sold, largest first")),
        ("turnover", _("Turnover, fastest first")),
        ("days", _("Days of inventory, slowest first")),
        ("key", _("Code")),
    )

    @classmethod
    def defaults(cls) -> dict[str, str]:
        today = timezone.localdate()
        return {**super().defaults(), "date_from": (today - datetime.timedelta(days=89)).isoformat()}


VALUATION_GROUPINGS = [choice for choice in GROUPING_CHOICES if choice[0] != "product"]


class ValuationForm(StockReportForm):
    """Inventory valuation at the end of one day: the summary's closing figures only."""

    date_from = None
    date_to = None
    day = forms.DateField(label=_("As of the end of"), widget=DATE)
    default_grouping = "warehouse"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grouping"].choices = VALUATION_GROUPINGS
        self.order_fields(["day", "grouping", "warehouse", "category"])

    @classmethod
    def defaults(cls) -> dict[str, str]:
        return {"day": timezone.localdate().isoformat(), "grouping": cls.default_grouping}

    def clean(self):
        return forms.Form.clean(self)

    def criteria(self) -> StockCriteria:
        data = self.cleaned_data
        return StockCriteria(
            date_from=data["day"],
            date_to=data["day"],
            grouping=data["grouping"],
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            category_id=data["category"].pk if data.get("category") else None,
            ordering="-closing_value",
            stock_only=True,
        )


AGEING_ORDERINGS = (("-value", _("Stock value, largest first")), ("key", _("Code")))


class AgeingForm(forms.Form):
    """Stock ageing today: grouping and filters."""

    grouping = forms.ChoiceField(label=_("By"), choices=GROUPING_CHOICES)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, required=False, empty_label=_("All"))
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=Category.objects.all(), required=False, empty_label=_("All")
    )
    ordering = forms.ChoiceField(label=_("Sort by"), choices=AGEING_ORDERINGS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses_for_user(user, include_inactive=True)

    @classmethod
    def defaults(cls) -> dict[str, str]:
        return {"grouping": "product_warehouse", "ordering": "-value"}

    @classmethod
    def bound(cls, query, *, user):
        return cls({**cls.defaults(), **{k: v for k, v in query.items() if v != ""}}, user=user)

    def criteria(self) -> StockCriteria:
        data, today = self.cleaned_data, timezone.localdate()
        return StockCriteria(
            date_from=today,
            date_to=today,
            grouping=data["grouping"],
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            category_id=data["category"].pk if data.get("category") else None,
            ordering=data["ordering"],
        )


class DeadStockForm(AgeingForm):
    grouping = None
    ordering = None
    days = forms.IntegerField(label=_("No issue for (days)"), min_value=1, max_value=3650)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["days", "warehouse", "category"])

    @classmethod
    def defaults(cls) -> dict[str, str]:
        return {"days": "90"}

    def criteria(self) -> DeadStockCriteria:
        data = self.cleaned_data
        return DeadStockCriteria(
            days=data["days"],
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            category_id=data["category"].pk if data.get("category") else None,
        )
