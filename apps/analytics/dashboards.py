"""The home page's panels per role: which figures each role sees, cached for a minute per user.

``home_panels(request)`` is what the home page asks every app for (``AppConfig.home_panels``).
A user in several roles sees each role's panel; administrators see the manager's.
"""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.analytics import dashboard_selectors as figures
from apps.analytics.stock_selectors import ledger_snapshot
from apps.masterdata.models import Warehouse

CACHE_SECONDS = 60
PERIODS = (30, 90, 365)
MONTHS = (6, 12, 24)


def _url(name: str, **params: Any) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _choice(request: HttpRequest, name: str, choices: tuple[int, ...], default: int) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and int(value) in choices else default


def roles_of(user: Any) -> list[str]:
    """The dashboard roles of ``user``, in the order their panels are shown."""
    if user.is_superuser:
        return [Role.MANAGER]
    names = set(user.groups.values_list("name", flat=True))
    if Role.ADMIN in names:
        names.add(Role.MANAGER)
    return [role for role in (Role.MANAGER, Role.BUYER, Role.WAREHOUSE, Role.SALES) if role in names]


def manager_figures(user: Any, *, today: datetime.date, period: int, months: int) -> dict[str, Any]:
    since = today - datetime.timedelta(days=period - 1)
    policy_days = figures.no_movement_days()
    sales = figures.sales_comparison(today)
    stock_turnover = figures.turnover(user, days=period, today=today)
    return {
        "inventory_value": figures.inventory_value(user),
        "value_trend": figures.inventory_value_trend(user, months=months, today=today),
        "turnover": stock_turnover,
        "alerts": figures.stock_alerts(user),
        "dead": figures.dead_stock_value(user, days=policy_days),
        "sales": sales,
        "sales_trend": figures.sales_trend(today, months=months),
        "approvals": figures.approvals_waiting(user),
        "purchase_orders": figures.purchase_orders_due(user, today=today),
        "open_sales_orders": figures.open_sales_orders(user),
        "fill_rate": figures.order_fill_rate(user, since=since),
        "on_time": figures.supplier_on_time(user, since=since),
        "links": {
            "inventory_value": _url("inventory:stock_list"),
            "valuation": _url("analytics:stock_valuation"),
            "turnover": _url(
                "analytics:stock_turnover", date_from=stock_turnover["date_from"], date_to=today, grouping="category"
            ),
            "below_safety": _url("inventory:stock_alerts", kind="below_safety"),
            "reorder": _url("inventory:stock_alerts", kind="reorder"),
            "excess": _url("inventory:stock_alerts", kind="excess"),
            "dead": _url("analytics:dead_stock", days=policy_days),
            "sales_this": _url(
                "analytics:sales_analysis",
                date_from=sales["periods"]["this"].date_from,
                date_to=sales["periods"]["this"].date_to,
                dimension="category",
            ),
            "sales_last": _url(
                "analytics:sales_analysis",
                date_from=sales["periods"]["last"].date_from,
                date_to=sales["periods"]["last"].date_to,
                dimension="category",
            ),
            "sales_year": _url(
                "analytics:sales_analysis",
                date_from=sales["periods"]["year"].date_from,
                date_to=sales["periods"]["year"].date_to,
                dimension="category",
            ),
            "po_approval": _url("procurement:purchaseorder_list", status="submitted"),
            "credit_approval": _url("sales:order_list", status="pending"),
            "late_po": _url("procurement:purchaseorder_list", status="approved"),
            "open_so": _url("sales:order_list", status="confirmed"),
            "on_time": _url("analytics:supplier_delivery", date_from=since, date_to=today),
        },
    }


def buyer_figures(user: Any, *, today: datetime.date, period: int) -> dict[str, Any]:
    since = today - datetime.timedelta(days=period - 1)
    return {
        "alerts": figures.stock_alerts(user),
        "reorder_items": figures.reorder_items(user),
        "purchase_orders": figures.purchase_orders_due(user, today=today, buyer_id=user.pk),
        "rejected": figures.rejected_at_inspection(user, since=since),
        "links": {
            "reorder": _url("inventory:stock_alerts", kind="reorder"),
            "below_safety": _url("inventory:stock_alerts", kind="below_safety"),
            "my_orders": _url("procurement:purchaseorder_list", buyer=user.pk, status="approved"),
            "rejected": _url("procurement:goodsreceipt_list", status="posted", date_from=since),
            "spend": _url("analytics:purchase_spend", date_from=since, date_to=today),
            "price_variance": _url("analytics:purchase_price_variance", date_from=since, date_to=today),
            "delivery": _url("analytics:supplier_delivery", date_from=since, date_to=today),
            "price_trend": _url("analytics:purchase_price_trend"),
        },
    }


def warehouse_figures(user: Any, *, today: datetime.date) -> dict[str, Any]:
    per_warehouse = figures.below_safety_by_warehouse(user)
    names = dict(Warehouse.objects.filter(pk__in=[wid for wid, _n in per_warehouse]).values_list("pk", "name"))
    return {
        "work": figures.warehouse_work(user),
        "below_safety": [
            (names.get(wid, wid), count, _url("inventory:stock_alerts", kind="below_safety", warehouse=wid))
            for wid, count in per_warehouse
        ],
        "links": {
            "receipts": _url("procurement:goodsreceipt_list", status="draft"),
            "shipments": _url("sales:shipment_list", status="draft"),
            "orders": _url("sales:order_list", status="confirmed"),
            "below_safety": _url("inventory:stock_alerts", kind="below_safety"),
        },
    }


def sales_figures(user: Any, *, today: datetime.date, months: int) -> dict[str, Any]:
    mine = figures.sales_comparison(today, salesperson_id=user.pk)
    return {
        "work": figures.my_sales_work(user, today=today),
        "sales": mine,
        "target": figures.sales_target(user.pk, today=today, revenue=mine["this"]["revenue"]),
        "sales_trend": figures.sales_trend(today, months=months, salesperson_id=user.pk),
        "links": {
            "orders": _url("sales:order_list", salesperson=user.pk),
            "pending": _url("sales:order_list", salesperson=user.pk, status="pending"),
            "backorders": _url("sales:order_list", salesperson=user.pk, status="partial"),
            "receivables": _url("sales:receivable_report"),
            "deliveries": _url(
                "sales:shipment_list",
                salesperson=user.pk,
                status="posted",
                date_from=mine["periods"]["this"].date_from,
                date_to=mine["periods"]["this"].date_to,
            ),
        },
    }


def _line_option(points: list[tuple[str, Any]], name: str) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 20, "bottom": 8},
        "xAxis": {"type": "category", "data": [label for label, _value in points]},
        "yAxis": {"type": "value"},
        "series": [{"name": name, "type": "line", "areaStyle": {}, "data": [str(value) for _label, value in points]}],
    }


def _sales_option(points: list[tuple[str, Any, Any]], *, with_margin: bool) -> dict[str, Any]:
    series = [{"name": _("Revenue"), "type": "bar", "data": [str(revenue) for _m, revenue, _p in points]}]
    if with_margin:
        series.append({"name": _("Gross profit"), "type": "bar", "data": [str(margin) for _m, _r, margin in points]})
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 30, "bottom": 8},
        "xAxis": {"type": "category", "data": [month for month, _r, _p in points]},
        "yAxis": {"type": "value"},
        "series": series,
    }


def _charts(role: str, data: dict[str, Any]) -> dict[str, Any]:
    """ECharts options, built per request from the cached figures (series names in the user's language)."""
    if role == Role.MANAGER:
        return {
            "inventory": _line_option(data["value_trend"], _("Inventory value")),
            "sales": _sales_option(data["sales_trend"], with_margin=True),
        }
    if role == Role.SALES:
        return {"sales": _sales_option(data["sales_trend"], with_margin=False)}
    return {}


def _cached(user: Any, role: str, period: int, months: int, compute) -> dict[str, Any]:
    """The figures from the cache, or computed in one repeatable-read snapshot of the ledger (JIT and
    parallel workers off, as for the stock reports: both cost more than they save on these reads).
    Not read-only: the first load of the inventory policy creates its row."""
    key = f"dashboard:{role}:{user.pk}:{period}:{months}:{translation.get_language()}:{timezone.localdate()}"

    def in_snapshot() -> dict[str, Any]:
        with ledger_snapshot(serial=True, read_only=False):
            return compute()

    return cache.get_or_set(key, in_snapshot, CACHE_SECONDS)


def home_panels(request: HttpRequest) -> list[dict[str, Any]]:
    """The panels of the signed-in user's roles, with the period selectors' current values."""
    user = request.user
    today = timezone.localdate()
    period = _choice(request, "period", PERIODS, 90)
    months = _choice(request, "months", MONTHS, 12)
    if figures.is_new_company():
        return [{"template": "analytics/dashboard/_empty.html", "role": "new"}]
    builders = {
        Role.MANAGER: lambda: manager_figures(user, today=today, period=period, months=months),
        Role.BUYER: lambda: buyer_figures(user, today=today, period=period),
        Role.WAREHOUSE: lambda: warehouse_figures(user, today=today),
        Role.SALES: lambda: sales_figures(user, today=today, months=months),
    }
    panels = []
    for role in roles_of(user):
        data = _cached(user, role, period, months, builders[role])
        panels.append(
            {
                "template": f"analytics/dashboard/_{role}.html",
                "role": role,
                "data": data,
                "charts": _charts(role, data),
                "today": today,
            }
        )
    if panels:
        panels[0]["selectors"] = {
            "period": period,
            "periods": PERIODS,
            "months": months,
            # the trend selector only where there is a trend chart
            "month_choices": MONTHS if {Role.MANAGER, Role.SALES} & {p["role"] for p in panels} else (),
        }
    return panels
