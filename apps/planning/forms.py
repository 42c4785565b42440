"""Forms and filters of the planning pages."""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.masterdata.models import Warehouse
from apps.planning.engine.methods import METHODS
from apps.planning.models import CLASS_LABELS, METHOD_LABELS, ItemForecast, ItemStatus, Period


class ForecastRunForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, initial=Period.WEEK)
    horizon = forms.IntegerField(label=_("Horizon (periods)"), min_value=1, max_value=52, initial=13)
    service_level = forms.DecimalField(
        label=_("Target fill rate %"), min_value=Decimal(50), max_value=Decimal("99.9"), initial=95, decimal_places=1
    )
    service_a = forms.DecimalField(
        label=_("Class A %"),
        min_value=Decimal(50),
        max_value=Decimal("99.9"),
        initial=98,
        decimal_places=1,
        required=False,
    )
    service_b = forms.DecimalField(
        label=_("Class B %"),
        min_value=Decimal(50),
        max_value=Decimal("99.9"),
        initial=95,
        decimal_places=1,
        required=False,
    )
    service_c = forms.DecimalField(
        label=_("Class C %"),
        min_value=Decimal(50),
        max_value=Decimal("99.9"),
        initial=90,
        decimal_places=1,
        required=False,
    )

    def levels_by_class(self) -> dict[str, Decimal]:
        data = self.cleaned_data
        return {k: data[f"service_{k.lower()}"] / 100 for k in "ABC" if data.get(f"service_{k.lower()}") is not None}


class ItemForecastFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Product"), method="search")
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())
    status = django_filters.ChoiceFilter(label=_("Forecast status"), choices=ItemStatus.choices)
    demand_class = django_filters.ChoiceFilter(label=_("Demand class"), choices=list(CLASS_LABELS.items()))
    method = django_filters.ChoiceFilter(label=_("Forecast method"), choices=[(m, METHOD_LABELS[m]) for m in METHODS])

    class Meta:
        model = ItemForecast
        fields = ["q", "warehouse", "status", "demand_class", "method"]

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if warehouses is not None:
            self.filters["warehouse"].queryset = warehouses

    def search(self, queryset, name, value):
        return queryset.filter(Q(product__code__icontains=value) | Q(product__name__icontains=value))


class ReplenishmentFilter(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False, empty_label=_("All")
    )
    q = forms.CharField(label=_("Product"), required=False)
    show_all = forms.BooleanField(label=_("Show items that need no order"), required=False)
    eoq = forms.BooleanField(label=_("Order at least the EOQ"), required=False)

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if warehouses is not None:
            self.fields["warehouse"].queryset = warehouses
