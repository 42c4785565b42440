"""The purchase analysis pages (spend, price trend, price variance, supplier delivery), each with
its Excel export. Read only; purchase prices, so only for roles that may see them."""

import calendar
import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.analytics import purchase_selectors as selectors
from apps.analytics.purchase_forms import (
    PriceTrendForm,
    PriceVarianceForm,
    PurchaseReportForm,
    SpendForm,
    SupplierDeliveryForm,
)
from apps.core.exports import Table
from apps.core.fields import MONEY_QUANT
from apps.core.mixins import PermissionMixin
from apps.core.prices import PriceKind, can_see
from apps.jobs.exports import export_respond
from apps.masterdata.selectors import product_lookup

PERMISSION = "analytics.view_purchase_analysis"
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _url(name: str, **params: Any) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _month_range(month: datetime.date, criteria: selectors.PurchaseCriteria) -> tuple[datetime.date, datetime.date]:
    return max(month, criteria.date_from), min(_month_end(month), criteria.date_to)


def _receipts_link(criteria: selectors.PurchaseCriteria, **overrides: Any) -> str:
    params = {
        "status": "posted",
        "supplier": criteria.supplier_id,
        "warehouse": criteria.warehouse_id,
        "date_from": criteria.date_from,
        "date_to": criteria.date_to,
        **overrides,
    }
    return _url("procurement:goodsreceipt_list", **params)


def _returns_link(criteria: selectors.PurchaseCriteria, **overrides: Any) -> str:
    params = {
        "status": "posted",
        "supplier": criteria.supplier_id,
        "date_from": criteria.date_from,
        "date_to": criteria.date_to,
        **overrides,
    }
    return _url("procurement:purchasereturn_list", **params)


class _PurchasePricesMixin(PermissionMixin):
    """The report permission, and purchase prices (价格屏蔽): every figure here is a purchase price."""

    permission_required = PERMISSION

    def has_permission(self) -> bool:
        return super().has_permission() and can_see(self.request.user, PriceKind.PURCHASE_PRICE)


class _PurchaseReportView(_PurchasePricesMixin, TemplateView):
    """Binds the filter form (with the user's warehouses) and adds ``report(criteria, form)``."""

    form_class: type[PurchaseReportForm] = SpendForm

    def get_context_data(self, **kwargs):
        form = self.form_class.bound(self.request.GET, user=self.request.user)
        context = {**super().get_context_data(**kwargs), "form": form}
        if form.is_valid():
            context.update(self.report(form.criteria(), form), export_query=self.request.GET.urlencode())
        return context

    def report(self, criteria: selectors.PurchaseCriteria, form) -> dict[str, Any]:
        raise NotImplementedError


class _PurchaseExportView(_PurchasePricesMixin, TemplateView):
    form_class: type[PurchaseReportForm] = SpendForm

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.form_class.bound(request.GET, user=request.user)
        if not form.is_valid():
            form = self.form_class(self.form_class.defaults(), user=request.user)
            form.is_valid()
        return export_respond(request, self.table(form.criteria(), form))

    def table(self, criteria: selectors.PurchaseCriteria, form) -> Table:
        raise NotImplementedError


def _period(criteria: selectors.PurchaseCriteria) -> str:
    return f"{criteria.date_from:%Y-%m-%d} – {criteria.date_to:%Y-%m-%d}"


# --- spend ------------------------------------------------------------------------------------


def _spend_label(row: dict[str, Any], dimension: str) -> str:
    if dimension == "month":
        return f"{row['key']:%Y-%m}"
    if row["key"] is None:
        return _("(none)")
    return f"{row['code']} {row['name']}"


def _spend_links(row: dict[str, Any], dimension: str, criteria: selectors.PurchaseCriteria) -> dict[str, str]:
    if dimension == "supplier":
        return {
            "receipts": _receipts_link(criteria, supplier=row["key"]),
            "returns": _returns_link(criteria, supplier=row["key"]),
        }
    if dimension == "month":
        start, end = _month_range(row["key"], criteria)
        return {
            "receipts": _receipts_link(criteria, date_from=start, date_to=end),
            "returns": _returns_link(criteria, date_from=start, date_to=end),
        }
    params = {
        "date_from": criteria.date_from,
        "date_to": criteria.date_to,
        "dimension": "supplier",
        "supplier": criteria.supplier_id,
        "warehouse": criteria.warehouse_id,
        "category": row["key"],
        "category_exact": 1,  # the row counts the category's own products, not its subcategories'
    }
    return {"detail": _url("analytics:purchase_spend", **params)}


def spend_report(criteria: selectors.PurchaseCriteria, dimension: str, user: Any) -> dict[str, Any]:
    rows = selectors.spend_by(criteria, dimension=dimension, user=user)
    for row in rows:
        row["label"] = _spend_label(row, dimension)
        row["links"] = _spend_links(row, dimension, criteria)
    return {
        "criteria": criteria,
        "rows": rows,
        "totals": selectors.spend_totals(criteria, user=user),
        "dimension_label": dict(SpendForm.base_fields["dimension"].choices)[dimension],
    }


class PurchaseSpendView(_PurchaseReportView):
    template_name = "analytics/purchase_spend.html"

    def report(self, criteria, form):
        result = spend_report(criteria, form.cleaned_data["dimension"], self.request.user)
        shown = result["rows"][:20]
        result["chart_option"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "grid": {"containLabel": True, "left": 8, "right": 16, "top": 30, "bottom": 8},
            "xAxis": {"type": "category", "data": [row["label"] for row in shown]},
            "yAxis": {"type": "value"},
            "series": [
                {"name": _("Net spend excl. tax"), "type": "bar", "data": [str(row["net"]) for row in shown]},
                {"name": _("Net spend incl. tax"), "type": "bar", "data": [str(row["total"]) for row in shown]},
            ],
        }
        return result


class PurchaseSpendExportView(_PurchaseExportView):
    def table(self, criteria, form):
        result = spend_report(criteria, form.cleaned_data["dimension"], self.request.user)
        headers = [
            str(result["dimension_label"]),
            _("Received, excl. tax"),
            _("Returned, excl. tax"),
            _("Net spend excl. tax"),
            _("Tax amount"),
            _("Net spend incl. tax"),
        ]
        keys = ("received_net", "returned_net", "net", "tax", "total")
        rows = [[row["label"], *(row[key] for key in keys)] for row in result["rows"]]
        rows.append([_("Total"), *(result["totals"][key] for key in keys)])
        return Table(_("Purchase spend") + " " + _period(criteria), "purchase-spend", headers, rows)


# --- price trend ------------------------------------------------------------------------------


def _picked_product(form: PriceTrendForm):
    """The chosen product, or the matches of what was typed (one match is chosen at once)."""
    product = form.cleaned_data.get("product")
    if product is not None or not form.cleaned_data.get("q"):
        return product, []
    matches = [match.product for match in product_lookup(form.cleaned_data["q"], limit=20)]
    if len(matches) == 1:
        return matches[0], []
    return None, matches


def price_trend_report(criteria: selectors.PurchaseCriteria, user: Any) -> dict[str, Any]:
    rows = selectors.price_trend(criteria, user=user)
    for row in rows:
        start, end = _month_range(row["month"], criteria)
        row["link"] = _url(
            "inventory:movement_list",
            product=criteria.product_id,
            warehouse=criteria.warehouse_id,
            movement_type="purchase_receipt",
            date_from=start,
            date_to=end,
        )
    return {"rows": rows, "totals": selectors.price_trend_totals(criteria, user=user)}


class PriceTrendView(_PurchaseReportView):
    template_name = "analytics/purchase_price_trend.html"
    form_class = PriceTrendForm

    def report(self, criteria, form):
        product, matches = _picked_product(form)
        if product is None:
            return {"matches": matches, "criteria": criteria}
        if not form.cleaned_data.get("q"):  # opened by a link with the product: show its code in the picker
            form.data = {**form.data, "q": product.code}
        criteria = selectors.PurchaseCriteria(**{**criteria.__dict__, "product_id": product.pk})
        result = price_trend_report(criteria, self.request.user)
        rows = result["rows"]
        result.update(
            criteria=criteria,
            product=product,
            export_query=urlencode({**self.request.GET.dict(), "product": product.pk}),
            chart_option={
                "tooltip": {"trigger": "axis"},
                "legend": {},
                "grid": {"containLabel": True, "left": 8, "right": 16, "top": 30, "bottom": 8},
                "xAxis": {"type": "category", "data": [f"{row['month']:%Y-%m}" for row in rows]},
                "yAxis": {"type": "value", "scale": True},
                "series": [
                    {"name": _("Average price"), "type": "line", "data": [str(row["average"]) for row in rows]},
                    {"name": _("Lowest price"), "type": "line", "data": [str(row["low"]) for row in rows]},
                    {"name": _("Highest price"), "type": "line", "data": [str(row["high"]) for row in rows]},
                ],
            },
        )
        return result


class PriceTrendExportView(_PurchaseExportView):
    form_class = PriceTrendForm

    def table(self, criteria, form):
        product, _matches = _picked_product(form)
        headers = [
            _("Month"),
            _("Quantity (base unit)"),
            _("Amount, excl. tax"),
            _("Average price"),
            _("Lowest price"),
            _("Highest price"),
            _("Number of receipts"),
        ]
        rows: list[list[Any]] = []
        title = _("Purchase price trend")
        if product is not None:
            criteria = selectors.PurchaseCriteria(**{**criteria.__dict__, "product_id": product.pk})
            result = price_trend_report(criteria, self.request.user)
            keys = ("quantity", "amount", "average", "low", "high", "receipts")
            rows = [[f"{row['month']:%Y-%m}", *(row[key] for key in keys)] for row in result["rows"]]
            rows.append([_("Total"), *(result["totals"][key] for key in keys)])
            title = f"{title} {product.code}"
        return Table(title, "purchase-price-trend", headers, rows)


# --- price variance ---------------------------------------------------------------------------


class PriceVarianceView(_PurchaseReportView):
    template_name = "analytics/purchase_price_variance.html"
    form_class = PriceVarianceForm

    def report(self, criteria, form):
        user = self.request.user
        lines = selectors.variance_lines(criteria, user=user, ordering=form.cleaned_data["ordering"])
        paginator = Paginator(lines, PAGE_SIZE)
        page_obj = paginator.get_page(self.request.GET.get("page"))
        suppliers = selectors.variance_by_supplier(criteria, user=user)
        for row in suppliers:
            row["link"] = _url(
                "analytics:purchase_price_variance",
                date_from=criteria.date_from,
                date_to=criteria.date_to,
                supplier=row["receipt__supplier_id"],
                category=criteria.category_id,
                warehouse=criteria.warehouse_id,
                ordering=form.cleaned_data["ordering"],
            )
        return {
            "criteria": criteria,
            "rows": [selectors.with_variance_percent(line) for line in page_obj.object_list],
            "paginator": paginator,
            "page_obj": page_obj,
            "is_paginated": paginator.num_pages > 1,
            "suppliers": suppliers,
            "totals": selectors.variance_totals(criteria, user=user),
            "chart_option": {
                "tooltip": {"trigger": "axis"},
                "grid": {"containLabel": True, "left": 8, "right": 16, "top": 20, "bottom": 8},
                "xAxis": {"type": "category", "data": [row["receipt__supplier__name"] for row in suppliers]},
                "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
                "series": [
                    {
                        "name": _("Variance %"),
                        "type": "bar",
                        "data": [
                            None if row["variance_percent"] is None else str(row["variance_percent"])
                            for row in suppliers
                        ],
                    }
                ],
            },
        }


class PriceVarianceExportView(_PurchaseExportView):
    form_class = PriceVarianceForm

    def table(self, criteria, form):
        lines = selectors.variance_lines(criteria, user=self.request.user, ordering=form.cleaned_data["ordering"])
        headers = [
            _("Receipt date"),
            _("Document no."),
            _("Supplier"),
            _("Item code"),
            _("Product"),
            _("Accepted (base unit)"),
            _("Price paid"),
            _("Price-list price"),
            _("Variance amount"),
            _("Variance %"),
        ]

        def rows():
            for line in lines[:EXPORT_LIMIT].iterator(chunk_size=2000):
                line = selectors.with_variance_percent(line)
                yield [
                    line.receipt.receipt_date,
                    line.receipt.number,
                    line.receipt.supplier.name,
                    line.product.code,
                    line.product.name,
                    line.accepted_base,
                    line.unit_cost,
                    line.list_price,
                    None if line.variance is None else Decimal(line.variance).quantize(MONEY_QUANT),
                    line.variance_percent,
                ]
            totals = selectors.variance_totals(criteria, user=self.request.user)
            yield [
                _("Total"),
                "",
                "",
                "",
                "",
                "",
                totals["paid"],
                totals["listed"],
                totals["variance"],
                totals["variance_percent"],
            ]

        return Table(_("Purchase price variance"), "purchase-price-variance", headers, rows(), count=lines.count())


# --- supplier delivery ------------------------------------------------------------------------


def delivery_report(criteria: selectors.PurchaseCriteria, user: Any) -> dict[str, Any]:
    rows = selectors.supplier_delivery(criteria, user=user)
    for row in rows:
        start, end = _month_range(row["month"], criteria)
        row["link"] = _receipts_link(criteria, supplier=row["supplier_id"], date_from=start, date_to=end)
    suppliers = selectors.supplier_delivery_totals(criteria, user=user)
    for row in suppliers:
        row["link"] = reverse("procurement:supplier_scorecard", args=[row["supplier_id"]])
        row["receipts_link"] = _receipts_link(criteria, supplier=row["supplier_id"])
    return {
        "criteria": criteria,
        "rows": rows,
        "suppliers": suppliers,
        "months": selectors.delivery_by_month(criteria, user=user),
        "totals": selectors.delivery_overall(criteria, user=user),
    }


class SupplierDeliveryView(_PurchaseReportView):
    template_name = "analytics/supplier_delivery.html"
    form_class = SupplierDeliveryForm

    def report(self, criteria, form):
        result = delivery_report(criteria, self.request.user)
        months = result["months"]

        def series(key):
            return [None if row[key] is None else str(row[key]) for row in months]

        result["chart_option"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "grid": {"containLabel": True, "left": 8, "right": 16, "top": 30, "bottom": 8},
            "xAxis": {"type": "category", "data": [f"{row['month']:%Y-%m}" for row in months]},
            "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {"name": _("On-time rate %"), "type": "line", "data": series("on_time_rate")},
                {"name": _("Acceptance rate %"), "type": "line", "data": series("acceptance_rate")},
            ],
        }
        return result


class SupplierDeliveryExportView(_PurchaseExportView):
    form_class = SupplierDeliveryForm

    def table(self, criteria, form):
        result = delivery_report(criteria, self.request.user)
        headers = [
            _("Supplier"),
            _("Month"),
            _("Receipts against an order"),
            _("On time"),
            _("On-time rate %"),
            _("Received (base unit)"),
            _("Accepted (base unit)"),
            _("Acceptance rate %"),
        ]
        keys = ("receipts", "on_time", "on_time_rate", "received", "accepted", "acceptance_rate")
        rows = [
            [f"{row['supplier__code']} {row['supplier__name']}", f"{row['month']:%Y-%m}", *(row[k] for k in keys)]
            for row in result["rows"]
        ]
        rows.extend(
            [f"{row['supplier__code']} {row['supplier__name']}", _("Total"), *(row[k] for k in keys)]
            for row in result["suppliers"]
        )
        rows.append([_("Total"), "", *(result["totals"][k] for k in keys)])
        return Table(_("Supplier delivery") + " " + _period(criteria), "supplier-delivery", headers, rows)
