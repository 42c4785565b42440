"""Stock ageing and dead stock pages with their Excel exports. Read only."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.analytics import ageing_selectors as selectors
from apps.analytics.stock_forms import AgeingForm, DeadStockForm
from apps.analytics.stock_selectors import ledger_snapshot
from apps.analytics.stock_views import EXPORT_LIMIT, PAGE_SIZE, PERMISSION, FetchedPage, label_headers
from apps.core.exports import priced_table
from apps.core.mixins import PermissionMixin
from apps.jobs.exports import export_respond


def _page_number(request: HttpRequest) -> int:
    number = request.GET.get("page", "1")
    return int(number) if number.isdigit() and int(number) > 0 else 1


def _stock_link(row: dict, grouping: str, criteria) -> str:
    """The stock on hand behind an ageing or dead-stock row."""
    params: dict[str, Any] = {}
    if criteria.warehouse_id:
        params["warehouse"] = criteria.warehouse_id
    if criteria.category_id:
        params["category"] = criteria.category_id
    if grouping.startswith("category"):
        params["category"] = row["keys"][0]
    if grouping.endswith("warehouse"):
        params["warehouse"] = row["keys"][-1]
    if grouping.startswith("product"):
        return reverse("inventory:movement_list") + "?" + urlencode({"product": row["keys"][0], **params})
    return reverse("inventory:stock_list") + "?" + urlencode(params)


class _PagedReport(PermissionMixin, TemplateView):
    permission_required = PERMISSION
    form_class: type[AgeingForm] = AgeingForm

    def read(self, criteria, *, limit: int | None, offset: int = 0):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        form = self.form_class.bound(self.request.GET, user=self.request.user)
        context = {**super().get_context_data(**kwargs), "form": form}
        if not form.is_valid():
            return context
        criteria, number = form.criteria(), _page_number(self.request)
        with ledger_snapshot(serial=True):
            page = self.read(criteria, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
            paginator = Paginator(FetchedPage(page), PAGE_SIZE)
            page_obj = paginator.get_page(number)
            if page_obj.number != number:  # past the last page: show the last one
                page = self.read(criteria, limit=PAGE_SIZE, offset=(page_obj.number - 1) * PAGE_SIZE)
                paginator = Paginator(FetchedPage(page), PAGE_SIZE)
                page_obj = paginator.get_page(page_obj.number)
        grouping = getattr(criteria, "grouping", "product_warehouse")
        for row in page.rows:
            row["link"] = _stock_link(row, grouping, criteria)
        context.update(
            criteria=criteria,
            rows=page.rows,
            totals=page.totals,
            paginator=paginator,
            page_obj=page_obj,
            is_paginated=paginator.num_pages > 1,
            label_headers=label_headers(grouping),
            export_query=self.request.GET.urlencode(),
            today=timezone.localdate(),
        )
        return context


class StockAgeingView(_PagedReport):
    template_name = "analytics/stock_ageing.html"

    def read(self, criteria, *, limit, offset=0):
        return selectors.stock_ageing(criteria, user=self.request.user, limit=limit, offset=offset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "rows" in context:
            for row in context["rows"]:
                row["buckets"] = [(row[f"{key}_qty"], row[f"{key}_value"]) for key, *_rest in selectors.BUCKETS]
            totals = context["totals"]
            context["bucket_totals"] = [(totals[f"{k}_qty"], totals[f"{k}_value"]) for k, *_rest in selectors.BUCKETS]
            context["bucket_labels"] = [label for _key, label, *_rest in selectors.BUCKETS]
            context["dead_stock_url"] = reverse("analytics:dead_stock")
        return context


class DeadStockView(_PagedReport):
    template_name = "analytics/dead_stock.html"
    form_class = DeadStockForm

    def read(self, criteria, *, limit, offset=0):
        return selectors.dead_stock(criteria, user=self.request.user, limit=limit, offset=offset)


class StockAgeingExportView(PermissionMixin, TemplateView):
    permission_required = PERMISSION

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = AgeingForm.bound(request.GET, user=request.user)
        if not form.is_valid():
            form = AgeingForm(AgeingForm.defaults(), user=request.user)
            form.is_valid()
        criteria = form.criteria()
        with ledger_snapshot(serial=True):
            page = selectors.stock_ageing(criteria, user=request.user, limit=EXPORT_LIMIT)
        names = [(f"{key}_qty", f"{key}_value") for key, *_rest in selectors.BUCKETS]
        labels = label_headers(criteria.grouping)
        columns = [("label", label) for label in labels]
        columns += [("on_hand", _("Quantity")), ("stock_value", _("Stock value"))]
        for _key, label, *_rest in selectors.BUCKETS:
            columns += [("quantity", f"{label} · {_('Quantity')}"), ("stock_value", f"{label} · {_('Value')}")]
        measures = ["on_hand", "value", *(name for pair in names for name in pair)]
        rows = [[*row["labels"], *(row[m] for m in measures)] for row in page.rows]
        rows.append([_("Total"), *[""] * (len(labels) - 1), *(page.totals[m] for m in measures)])
        return export_respond(request, priced_table(request.user, _("Stock ageing"), "stock-ageing", columns, rows))


class DeadStockExportView(PermissionMixin, TemplateView):
    permission_required = PERMISSION

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = DeadStockForm.bound(request.GET, user=request.user)
        if not form.is_valid():
            form = DeadStockForm(DeadStockForm.defaults(), user=request.user)
            form.is_valid()
        with ledger_snapshot(serial=True):
            page = selectors.dead_stock(form.criteria(), user=request.user, limit=EXPORT_LIMIT)
        columns = [
            *(("label", label) for label in label_headers("product_warehouse")),
            ("on_hand", _("Quantity")),
            ("stock_value", _("Stock value")),
            ("last_issue", _("Last issue")),
            ("last_receipt", _("Last receipt")),
        ]

        def day(moment):
            return timezone.localtime(moment).date() if moment else None

        rows = [
            [*row["labels"], row["on_hand"], row["value"], day(row["last_issue"]), day(row["last_receipt"])]
            for row in page.rows
        ]
        rows.append([_("Total"), "", "", page.totals["on_hand"], page.totals["value"], None, None])
        return export_respond(request, priced_table(request.user, _("Dead stock"), "dead-stock", columns, rows))
