"""The stock reports: 进销存汇总表, inventory valuation and turnover, each with its Excel export. Read only."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.analytics import stock_selectors as selectors
from apps.analytics.stock_forms import StockReportForm, StockSummaryForm, TurnoverForm, ValuationForm
from apps.core.exports import priced_table
from apps.core.mixins import PermissionMixin
from apps.jobs.exports import export_respond

PERMISSION = "analytics.view_stock_reports"
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


class FetchedPage:
    """What ``Paginator`` needs of the rows: their count, and the one page already read."""

    def __init__(self, page: selectors.SummaryPage):
        self.page = page

    def count(self) -> int:
        return self.page.count

    def __getitem__(self, item):
        return self.page.rows


def _movement_link(criteria: selectors.StockCriteria, product_id: int, warehouse_id: int | None, kind: str = "") -> str:
    params: dict[str, Any] = {
        "product": product_id,
        "date_from": criteria.date_from.isoformat(),
        "date_to": criteria.date_to.isoformat(),
    }
    if warehouse_id or criteria.warehouse_id:
        params["warehouse"] = warehouse_id or criteria.warehouse_id
    if kind:
        params["movement_type"] = kind
    return reverse("inventory:movement_list") + "?" + urlencode(params)


MOVEMENT_TYPE_OF = dict(selectors.RECEIPT_COLUMNS + selectors.ISSUE_COLUMNS)


def _drill(row: dict, criteria: selectors.StockCriteria, url_name: str) -> None:
    """``row["link"]``: the ledger of a product row, else the report one level down; and per-column ledger links."""
    grouping = criteria.grouping
    if grouping.startswith("product"):
        warehouse_id = row["keys"][1] if grouping == "product_warehouse" else None
        row["link"] = _movement_link(criteria, row["keys"][0], warehouse_id)
        row["column_links"] = {
            key: _movement_link(criteria, row["keys"][0], warehouse_id, kind) for key, kind in MOVEMENT_TYPE_OF.items()
        }
        return
    params: dict[str, Any] = {
        "date_from": criteria.date_from.isoformat(),
        "date_to": criteria.date_to.isoformat(),
        "grouping": "product_warehouse" if grouping == "category_warehouse" else "product",
    }
    if criteria.warehouse_id:
        params["warehouse"] = criteria.warehouse_id
    if criteria.category_id:
        params["category"] = criteria.category_id
    if grouping.startswith("category"):
        params["category"] = row["keys"][0]
    if grouping.endswith("warehouse"):
        params["warehouse"] = row["keys"][-1]
    row["link"] = reverse(url_name) + "?" + urlencode(params)
    row["column_links"] = {}


class _StockReportView(PermissionMixin, TemplateView):
    permission_required = PERMISSION
    form_class: type[StockReportForm] = StockSummaryForm
    drill_url_name = "analytics:stock_summary"

    def get_context_data(self, **kwargs):
        form = self.form_class.bound(self.request.GET, user=self.request.user)
        context = {**super().get_context_data(**kwargs), "form": form}
        if not form.is_valid():
            return context
        criteria = form.criteria()
        number = self.request.GET.get("page", "1")
        number = int(number) if number.isdigit() and int(number) > 0 else 1
        with selectors.ledger_snapshot():
            page = selectors.stock_summary(
                criteria, user=self.request.user, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
            )
            paginator = Paginator(FetchedPage(page), PAGE_SIZE)
            page_obj = paginator.get_page(number)
            if page_obj.number != number:  # past the last page: show the last one
                page = selectors.stock_summary(
                    criteria, user=self.request.user, limit=PAGE_SIZE, offset=(page_obj.number - 1) * PAGE_SIZE
                )
                paginator = Paginator(FetchedPage(page), PAGE_SIZE)
                page_obj = paginator.get_page(page_obj.number)
        for row in page.rows:
            _drill(row, criteria, self.drill_url_name)
        context.update(
            criteria=criteria,
            rows=page.rows,
            totals=page.totals,
            paginator=paginator,
            page_obj=page_obj,
            is_paginated=paginator.num_pages > 1,
            label_headers=label_headers(criteria.grouping),
            export_query=self.request.GET.urlencode(),
            **self.extra_context_for(page, criteria),
        )
        return context

    def extra_context_for(self, page: selectors.SummaryPage, criteria: selectors.StockCriteria) -> dict:
        return {}


def label_headers(grouping: str) -> list[str]:
    product = [_("Item code"), _("Product")]
    category = [_("Category code"), _("Product category")]
    warehouse = [_("Warehouse code"), _("Warehouse")]
    return {
        "product": product,
        "product_warehouse": [*product, _("Warehouse")],
        "category": category,
        "category_warehouse": [*category, _("Warehouse")],
        "warehouse": warehouse,
    }[grouping]


def _visible_columns(page: selectors.SummaryPage, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """Receipt/issue columns that hold a figure on this page or in the totals."""
    return [
        (key, str(selectors.COLUMN_LABELS[key]))
        for key in keys
        if page.totals.get(key) or any(row[key] for row in page.rows)
    ]


class StockSummaryView(_StockReportView):
    template_name = "analytics/stock_summary.html"

    def extra_context_for(self, page, criteria):
        in_columns = _visible_columns(page, selectors.IN_KEYS)
        out_columns = _visible_columns(page, selectors.OUT_KEYS)
        for row in page.rows:  # (figure, ledger link) per visible column
            row["in_cells"] = [(row[key], row["column_links"].get(key)) for key, _label in in_columns]
            row["out_cells"] = [(row[key], row["column_links"].get(key)) for key, _label in out_columns]
        return {
            "in_columns": in_columns,
            "out_columns": out_columns,
            "in_totals": [page.totals[key] for key, _label in in_columns],
            "out_totals": [page.totals[key] for key, _label in out_columns],
        }


class TurnoverView(_StockReportView):
    template_name = "analytics/stock_turnover.html"
    form_class = TurnoverForm
    drill_url_name = "analytics:stock_turnover"


class ValuationView(_StockReportView):
    template_name = "analytics/stock_valuation.html"
    form_class = ValuationForm

    def extra_context_for(self, page, criteria):
        for row in page.rows:  # each figure opens the stock as of that day, filtered the same way
            params: dict[str, Any] = {"day": criteria.date_to.isoformat()}
            if criteria.warehouse_id:
                params["warehouse"] = criteria.warehouse_id
            if criteria.category_id:
                params["category"] = criteria.category_id
            if criteria.grouping.startswith("category"):
                params["category"] = row["keys"][0]
            if criteria.grouping.endswith("warehouse"):
                params["warehouse"] = row["keys"][-1]
            row["link"] = reverse("inventory:stock_as_of") + "?" + urlencode(params)
        return {}


# --- Excel exports ---------------------------------------------------------------------------


class _StockExportView(PermissionMixin, TemplateView):
    """Every row of the report (up to ``EXPORT_LIMIT``), with the totals as the last row."""

    permission_required = PERMISSION
    form_class: type[StockReportForm] = StockSummaryForm
    filename = "stock-summary.xlsx"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.form_class.bound(request.GET, user=request.user)
        if not form.is_valid():
            form = self.form_class(self.form_class.defaults(), user=request.user)
            form.is_valid()
        criteria = form.criteria()
        with selectors.ledger_snapshot():
            page = selectors.stock_summary(criteria, user=request.user, limit=EXPORT_LIMIT)
        labels = label_headers(criteria.grouping)
        columns = [("label", label) for label in labels] + [(key, str(label)) for key, label in self.columns()]
        measures = [key for key, _label in self.columns()]
        rows = [[*row["labels"], *(row[key] for key in measures)] for row in page.rows]
        rows.append([_("Total"), *[""] * (len(labels) - 1), *(page.totals.get(key) for key in measures)])
        table = priced_table(request.user, self.title(), self.filename.removesuffix(".xlsx"), columns, rows)
        return export_respond(request, table)

    def columns(self) -> list[tuple[str, Any]]:
        return [
            ("opening_qty", _("Opening quantity")),
            ("opening_value", _("Opening value")),
            *((key, _("In: %(type)s") % {"type": selectors.COLUMN_LABELS[key]}) for key in selectors.IN_KEYS),
            ("in_qty", _("Received quantity")),
            ("in_value", _("Received value")),
            *((key, _("Out: %(type)s") % {"type": selectors.COLUMN_LABELS[key]}) for key in selectors.OUT_KEYS),
            ("out_qty", _("Issued quantity")),
            ("out_value", _("Issued value")),
            ("closing_qty", _("Closing quantity")),
            ("closing_value", _("Closing value")),
        ]

    def title(self) -> str:
        return _("Inventory movement summary")


class StockSummaryExportView(_StockExportView):
    pass


class TurnoverExportView(_StockExportView):
    form_class = TurnoverForm
    filename = "stock-turnover.xlsx"

    def columns(self):
        return [
            ("opening_value", _("Opening value")),
            ("closing_value", _("Closing value")),
            ("average_value", _("Average inventory value")),
            ("cogs", _("Cost of goods sold")),
            ("turnover", _("Turnover")),
            ("days_of_inventory", _("Days of inventory")),
        ]

    def title(self) -> str:
        return _("Inventory turnover")


class ValuationExportView(_StockExportView):
    form_class = ValuationForm
    filename = "stock-valuation.xlsx"

    def columns(self):
        return [("closing_qty", _("Quantity")), ("closing_value", _("Stock value"))]

    def title(self) -> str:
        return _("Inventory valuation")
