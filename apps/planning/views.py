"""Planning pages: forecasts, one product's forecast, replenishment suggestions, the policy check."""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.permissions import permission_required
from apps.jobs.selectors import job_visible
from apps.masterdata.selectors import warehouses_for_user
from apps.planning.forms import ForecastRunForm, ItemForecastFilter, ReplenishmentFilter
from apps.planning.models import ForecastRun, ItemForecast
from apps.planning.replenishment import suggestions_for
from apps.planning.selectors import forecast_runs, item_forecasts, latest_run, next_bucket
from apps.planning.services import (
    ReplenishmentLine,
    forecast_levels_accept,
    forecast_run_start,
    policy_check_start,
    replenishment_orders_create,
)
from apps.planning.whatif import policy_result


def _run_for(request) -> ForecastRun | None:
    run_id = request.GET.get("run")
    if run_id and run_id.isdigit():
        return get_object_or_404(ForecastRun, pk=run_id)
    return latest_run()


class ForecastListView(PermissionMixin, PaginatedListMixin, ListView):
    """需求预测: the items of a run with their class, method, accuracy and levels; start a new run."""

    permission_required = "planning.view_itemforecast"
    template_name = "planning/forecast_list.html"
    context_object_name = "items"
    sortable_fields = ("product__code", "mase", "rmsse", "next_period", "safety_stock", "reorder_point")
    default_ordering = ("product__code", "warehouse__code")

    def get_queryset(self):
        self.run = _run_for(self.request)
        if self.run is None:
            self.filterset = ItemForecastFilter(self.request.GET, queryset=ItemForecast.objects.none())
            return ItemForecast.objects.none()
        base = item_forecasts(run=self.run, user=self.request.user)
        self.filterset = ItemForecastFilter(
            self.request.GET, queryset=base, warehouses=warehouses_for_user(self.request.user)
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            run=self.run,
            runs=forecast_runs()[:5],
            filter=self.filterset,
            run_form=kwargs.pop("run_form", None) or ForecastRunForm(),
            **kwargs,
        )


@require_POST
@permission_required("planning.add_forecastrun")
def forecast_run_create(request):
    form = ForecastRunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("planning:forecast_list")
    try:
        run = forecast_run_start(
            actor=request.user,
            period=form.cleaned_data["period"],
            horizon=form.cleaned_data["horizon"],
            service_level=form.cleaned_data["service_level"] / 100,
            service_levels=form.levels_by_class(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("planning:forecast_list")
    messages.success(request, _("The forecast is being computed; this page shows it when it is done."))
    return redirect(reverse("jobs:job_detail", args=[run.job_id]) if run.job_id else "planning:forecast_list")


class ForecastDetailView(PermissionMixin, DetailView):
    """One product × warehouse: history and forecast on a chart, accuracy, levels and how they were computed."""

    permission_required = "planning.view_itemforecast"
    template_name = "planning/forecast_detail.html"
    context_object_name = "item"

    def get_queryset(self):
        return ItemForecast.objects.select_related("run", "product", "product__base_unit", "warehouse")

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        allowed = item_forecasts(run=item.run, user=self.request.user).filter(pk=item.pk).exists()
        if not allowed:
            raise Http404
        return item

    def get_context_data(self, **kwargs):
        item = self.object
        run = item.run
        first = run.summary.get("first_period")
        labels = []
        if first:
            day = datetime.date.fromisoformat(first)
            for _index in range(len(item.history) + len(item.forecast)):
                labels.append(day.isoformat())
                day = next_bucket(day, run.period)
        chart = {
            "labels": labels,
            "history": item.history,
            "forecast": [None] * len(item.history) + item.forecast,
            "names": {"history": _("Demand"), "forecast": _("Forecast")},
        }
        return super().get_context_data(chart=chart, **kwargs)


@require_POST
@permission_required("inventory.change_stocklevel")
def forecast_levels_accept_view(request, pk):
    item = get_object_or_404(ItemForecast.objects.select_related("product", "run"), pk=pk)
    try:
        forecast_levels_accept(actor=request.user, items=[item])
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", None) or [str(error)]:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Safety stock, reorder point and maximum saved for %(code)s.") % {"code": item.product.code}
        )
    return redirect(item.get_absolute_url())


class ReplenishmentView(PermissionMixin, View):
    """补货建议: what to order, per product × warehouse, and turning the selection into draft orders."""

    permission_required = "planning.view_itemforecast"
    template_name = "planning/replenishment.html"

    def _suggestions(self, request, data):
        run = _run_for(request)
        warehouses = warehouses_for_user(request.user)
        form = ReplenishmentFilter(data, warehouses=warehouses)
        form.is_valid()
        if run is None:
            return run, form, []
        items = item_forecasts(run=run, user=request.user)
        cleaned = getattr(form, "cleaned_data", {})
        if cleaned.get("warehouse"):
            items = items.filter(warehouse=cleaned["warehouse"])
        if cleaned.get("q"):
            items = items.filter(Q(product__code__icontains=cleaned["q"]) | Q(product__name__icontains=cleaned["q"]))
        rows = suggestions_for(
            items.order_by("product__code", "warehouse__code"), period=run.period, use_eoq=bool(cleaned.get("eoq"))
        )
        if not cleaned.get("show_all"):
            rows = [row for row in rows if row.quantity > 0]
        return run, form, rows

    def get(self, request):
        run, form, rows = self._suggestions(request, request.GET)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "run": run,
                "form": form,
                "page_obj": page,
                "suggestions": page.object_list,
                "total": len(rows),
            },
        )

    def post(self, request):
        if not request.user.has_perm("planning.create_replenishment_orders"):
            raise PermissionDenied
        _run, _form, rows = self._suggestions(request, request.POST)
        by_item = {row.item.pk: row for row in rows}
        chosen = [int(pk) for pk in request.POST.getlist("line") if pk.isdigit() and int(pk) in by_item]
        lines, errors = [], []
        for pk in chosen:
            row = by_item[pk]
            try:
                quantity = Decimal(request.POST.get(f"qty-{pk}", "").strip() or row.quantity)
            except InvalidOperation:
                errors.append(_("%(code)s: the quantity is not a number.") % {"code": row.product.code})
                continue
            lines.append(ReplenishmentLine(row.product, row.warehouse, row.supplier, quantity))
        if not errors:
            try:
                orders = replenishment_orders_create(actor=request.user, lines=lines)
            except (ValidationError, PermissionDenied) as error:
                errors = getattr(error, "messages", None) or [str(error)]
            else:
                messages.success(
                    request,
                    _("%(count)s draft purchase order(s) created: %(numbers)s.")
                    % {"count": len(orders), "numbers": ", ".join(order.number for order in orders)},
                )
                return redirect("procurement:purchaseorder_list")
        for error in errors:
            messages.error(request, error)
        return redirect(request.get_full_path())


class ReplenishmentExplainView(PermissionMixin, DetailView):
    """Every number that went into one suggestion."""

    permission_required = "planning.view_itemforecast"
    template_name = "planning/replenishment_explain.html"
    context_object_name = "item"

    def get_queryset(self):
        return ItemForecast.objects.select_related("run", "product", "product__base_unit", "warehouse")

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        if not item_forecasts(run=item.run, user=self.request.user).filter(pk=item.pk).exists():
            raise Http404
        return item

    def get_context_data(self, **kwargs):
        use_eoq = self.request.GET.get("eoq") == "on"
        suggestion = suggestions_for([self.object], period=self.object.run.period, use_eoq=use_eoq)[0]
        return super().get_context_data(suggestion=suggestion, **kwargs)


def _policy_job(request):
    try:
        job_id = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        return None
    job = job_visible(user=request.user, job_id=job_id)
    return job if job is not None and job.kind == "planning.policy_check" else None


class PolicyCheckView(PermissionMixin, View):
    """What-if: the last year replayed at several target fill rates, as a job; ``?job=`` shows its state and result."""

    permission_required = "planning.view_itemforecast"
    template_name = "planning/policy_check.html"

    def get(self, request):
        run = _run_for(request)
        form = ReplenishmentFilter(request.GET or None, warehouses=warehouses_for_user(request.user))
        job = _policy_job(request)
        context = {"run": run, "form": form, "job": job, "result": policy_result(job)}
        if request.htmx and job is not None:
            return render(request, "planning/partials/_policy_result.html", context)
        return render(request, self.template_name, context)

    def post(self, request):
        run = _run_for(request)
        form = ReplenishmentFilter(request.POST, warehouses=warehouses_for_user(request.user))
        if run is None or not form.is_valid():
            messages.error(request, _("Choose a forecast run and a warehouse you may see."))
            return redirect("planning:policy_check")
        try:
            job = policy_check_start(actor=request.user, run=run, warehouse=form.cleaned_data.get("warehouse"))
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
            return redirect("planning:policy_check")
        return redirect(reverse("planning:policy_check") + f"?run={run.pk}&job={job.pk}")
