"""The sales targets page: a manager enters each salesperson's target for one month."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core.mixins import PermissionMixin
from apps.sales import targets


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a calendar month, no time)
    except ValueError:
        return timezone.localdate().replace(day=1)


class SalesTargetForm(forms.Form):
    """One amount field per salesperson (``target_<id>``); blank removes the target."""

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person in self.people:
            self.fields[f"target_{person.pk}"] = forms.DecimalField(
                label=person.get_full_name() or person.get_username(),
                required=False,
                min_value=Decimal(0),
                max_digits=18,
                decimal_places=2,
            )

    def amounts(self) -> dict:
        return {person: self.cleaned_data.get(f"target_{person.pk}") for person in self.people}


class SalesTargetView(PermissionMixin, FormView):
    permission_required = "sales.change_salestarget"
    template_name = "sales/salestarget_form.html"
    form_class = SalesTargetForm

    def dispatch(self, request, *args, **kwargs):
        self.month = _month(request.GET.get("month", ""))
        self.people = targets.salespeople()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": self.people}

    def get_initial(self):
        current = targets.targets_for_month(self.month)
        return {f"target_{pk}": amount for pk, amount in current.items()}

    def form_valid(self, form):
        try:
            targets.sales_targets_set(actor=self.request.user, month=self.month, amounts=form.amounts())
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The sales targets of %(month)s are saved.") % {"month": f"{self.month:%Y-%m}"}
        )
        return redirect(f"{reverse('sales:target_edit')}?month={self.month:%Y-%m}")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "month": self.month, "title": gettext_lazy("Sales targets")}
