"""Sales analysis page and its Excel export. Reads only."""

import calendar
import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from apps.analytics import selectors
from apps.analytics.forms import SalesAnalysisForm
from apps.core.exports import Table, export_response, requested_format
from apps.core.mixins import PermissionMixin
from apps.core.permissions import permission_required

PERMISSION = "analytics.view_sales_analysis"


def _bound_form(request: HttpRequest) -> SalesAnalysisForm:
    data = {**SalesAnalysisForm.defaults(), **{k: v for k, v in request.GET.items() if v != ""}}
    return SalesAnalysisForm(data)


def _period_end(start: datetime.date, granularity: str) -> datetime.date:
    if granularity == "day":
        return start
    if granularity == "week":
        return start + datetime.timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _row_label(row: dict, dimension: str) -> str:
    keys = selectors.DIMENSIONS[dimension]
    if dimension == "period":
        return f"{_as_date(row['period']):%Y-%m-%d}"
    if row[keys[0]] is None:
        return _("(none)")
    return " ".join(str(row[k]) for k in keys[1:] if row[k])


def _drill(row: dict, form: SalesAnalysisForm) -> dict[str, str]:
    """Links from a figure to the posted deliveries (and the orders) behind it."""
    data = form.cleaned_data
    dimension, granularity = data["dimension"], data["granularity"]
    params = {"status": "posted", "date_from": data["date_from"], "date_to": data["date_to"]}
    order_params = {}
    for name in ("customer", "product", "category", "salesperson", "warehouse"):
        if data.get(name):
            params[name] = data[name].pk
    if dimension == "period":
        start = _as_date(row["period"])
        params["date_from"], params["date_to"] = (
            max(start, data["date_from"]),
            min(_period_end(start, granularity), data["date_to"]),
        )
    elif row[selectors.DIMENSIONS[dimension][0]] is not None:
        params[dimension] = row[selectors.DIMENSIONS[dimension][0]]
        if dimension in ("customer", "product", "salesperson"):
            order_params[dimension] = params[dimension]
    links = {"shipments": reverse("sales:shipment_list") + "?" + urlencode(params)}
    if order_params:
        order_params.update({"shipped_from": params["date_from"], "shipped_to": params["date_to"]})
        links["orders"] = reverse("sales:order_list") + "?" + urlencode(order_params)
    return links


def _analysis(form: SalesAnalysisForm) -> dict:
    data = form.cleaned_data
    criteria = form.criteria()
    dimension, granularity = data["dimension"], data["granularity"]
    top = int(data["top"])
    current = selectors.sales_by(criteria, dimension=dimension, granularity=granularity)
    rows = selectors.finish_rows(current[:top] if top and dimension != "period" else current)
    previous = criteria.previous()
    rows = selectors.with_previous(
        rows, selectors.sales_by(previous, dimension=dimension, granularity=granularity), dimension=dimension
    )
    for row in rows:
        row["label"] = _row_label(row, dimension)
        row["links"] = _drill(row, form)
    totals = selectors.sales_totals(criteria)
    previous_totals = selectors.sales_totals(previous)
    return {
        "rows": rows,
        "totals": totals,
        "previous": previous,
        "previous_totals": previous_totals,
        "revenue_change": selectors.change_percent(totals["revenue"], previous_totals["revenue"]),
        "margin_change": selectors.change_percent(totals["margin"], previous_totals["margin"]),
        "dimension_label": dict(selectors.DIMENSION_CHOICES)[dimension],
    }


def _chart_option(form: SalesAnalysisForm) -> dict:
    trend = selectors.finish_rows(selectors.sales_trend(form.criteria(), granularity=form.cleaned_data["granularity"]))
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"left": 60, "right": 60, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{_as_date(row['period']):%Y-%m-%d}" for row in trend]},
        "yAxis": [{"type": "value"}, {"type": "value", "axisLabel": {"formatter": "{value}%"}}],
        "series": [
            {"name": _("Revenue"), "type": "bar", "data": [str(row["revenue"]) for row in trend]},
            {"name": _("Gross profit"), "type": "bar", "data": [str(row["margin"]) for row in trend]},
            {
                "name": _("Gross margin %"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [str(row["margin_percent"]) for row in trend],
            },
        ],
    }


class SalesAnalysisView(PermissionMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "analytics/sales_analysis.html"

    def get_context_data(self, **kwargs):
        form = _bound_form(self.request)
        context = {**super().get_context_data(**kwargs), "form": form}
        if form.is_valid():
            context.update(_analysis(form))
            context["chart_option"] = _chart_option(form)
            context["export_query"] = self.request.GET.urlencode()
        return context


@require_GET
@permission_required(PERMISSION)
def sales_analysis_export(request: HttpRequest) -> HttpResponse:
    form = _bound_form(request)
    if not form.is_valid():
        form = SalesAnalysisForm(SalesAnalysisForm.defaults())
        form.is_valid()
    result = _analysis(form)
    rows = [
        [_("Sales analysis"), f"{form.cleaned_data['date_from']} – {form.cleaned_data['date_to']}"],
        [
            str(result["dimension_label"]),
            _("Quantity"),
            _("Revenue"),
            _("Cost of goods sold"),
            _("Gross profit"),
            _("Gross margin %"),
            _("Previous period revenue"),
            _("Change %"),
        ],
    ]
    rows.extend(
        [
            row["label"],
            row["quantity"],
            row["revenue"],
            row["cost"],
            row["margin"],
            row["margin_percent"],
            row["previous_revenue"],
            row["revenue_change"],
        ]
        for row in result["rows"]
    )
    totals = result["totals"]
    rows.append(
        [
            _("Total"),
            totals["quantity"],
            totals["revenue"],
            totals["cost"],
            totals["margin"],
            totals["margin_percent"],
            result["previous_totals"]["revenue"],
            result["revenue_change"],
        ]
    )
    # Aggregated in SQL: a few hundred rows at most, so it always streams straight back.
    return export_response(Table(_("Sales analysis"), "sales-analysis", rows[0], rows[1:]), requested_format(request))
