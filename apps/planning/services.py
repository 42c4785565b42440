"""Writes of planning: forecast runs, accepted stock levels, purchase orders from suggestions.

Planning owns only its forecast tables; stock levels go through inventory's
``stock_levels_bulk_set`` and purchase orders through procurement's ``purchase_order_create``.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.fields import QUANTITY_QUANT
from apps.core.models import AuditAction
from apps.core.services import audit_record
from apps.inventory.models import StockClassification
from apps.inventory.services.levels import StockLevelInput, stock_levels_bulk_set
from apps.jobs.models import Job
from apps.jobs.services import job_start
from apps.masterdata.models import Product, Supplier, Warehouse
from apps.masterdata.selectors import warehouses_for_user
from apps.planning.engine.plan import Inputs, make_plan
from apps.planning.models import ForecastRun, ItemForecast, ItemStatus, Period, RunStatus
from apps.planning.selectors import PERIOD_DAYS, bucket_start, demand_history, supplier_terms
from apps.procurement.models import PurchaseOrder
from apps.procurement.services import OrderLineInput, purchase_order_create

DEFAULT_LEAD_DAYS = 7  # a product without a supplier price row
HISTORY_SHOWN = 104  # periods of history kept for the chart


def _require(actor: Any, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not do this."))


def _last_whole_period(period: str, today: datetime.date) -> datetime.date:
    """The start of the last period that has ended (this week's demand is not complete yet)."""
    current = bucket_start(today, period)
    return bucket_start(current - datetime.timedelta(days=1), period)


def forecast_run_start(
    *,
    actor: Any,
    period: str = Period.WEEK,
    horizon: int = 13,
    service_level: Decimal = Decimal("0.95"),
    service_levels: dict[str, Decimal] | None = None,
) -> ForecastRun:
    """Record a run and queue the ``planning.forecast`` job that computes it; returns the run.

    ``service_levels`` sets the target fill rate per ABC class (inventory's classification);
    ``service_level`` applies to the products without a class. Raises ValidationError for a
    horizon outside 1–52 or a fill rate outside 50–99.9 %.
    """
    _require(actor, "planning.add_forecastrun")
    errors = {}
    service_levels = {k: v for k, v in (service_levels or {}).items() if v is not None}
    if not 1 <= horizon <= 52:
        errors["horizon"] = _("The horizon must be between 1 and 52 periods.")
    if not all(Decimal("0.5") <= level <= Decimal("0.999") for level in [service_level, *service_levels.values()]):
        errors["service_level"] = _("The target fill rate must be between 50 % and 99.9 %.")
    if period not in Period.values:
        errors["period"] = _("Choose day, week or month.")
    if errors:
        raise ValidationError(errors)
    run = ForecastRun.objects.create(
        period=period,
        horizon=horizon,
        service_level=service_level,
        service_levels={k: float(v) for k, v in service_levels.items()},
        history_end=_last_whole_period(period, timezone.localdate()),
        created_by=actor,
    )
    job = job_start(kind="planning.forecast", user=actor, params={"run_id": run.pk}, dedupe_key=f"run-{run.pk}")
    ForecastRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def policy_check_start(*, actor: Any, run: ForecastRun, warehouse: Warehouse | None = None) -> Job:
    """Queue the ``planning.policy_check`` job for ``run`` (optionally one warehouse); returns the job.

    The job replays the items ``actor`` may see (warehouse scope). The same check already queued
    or running for the same user is returned instead of a second one. Raises PermissionDenied
    without ``planning.view_itemforecast``, ValidationError for a run that is not finished or a
    warehouse outside the actor's scope.
    """
    _require(actor, "planning.view_itemforecast")
    if run.status != RunStatus.DONE:
        raise ValidationError(_("This forecast run has not finished."))
    if warehouse is not None and not warehouses_for_user(actor).filter(pk=warehouse.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    warehouse_id = warehouse.pk if warehouse is not None else None
    return job_start(
        kind="planning.policy_check",
        user=actor,
        params={"run_id": run.pk, "warehouse_id": warehouse_id},
        dedupe_key=f"policy-{run.pk}-{warehouse_id or 0}-{actor.pk}",
    )


def _lead_periods(product_ids: list[int], period: str, on_date: datetime.date) -> dict[int, int]:
    terms = supplier_terms(product_ids=product_ids, on_date=on_date)
    days = PERIOD_DAYS[period]
    return {
        pk: max(1, math.ceil((terms[pk].lead_time_days if pk in terms else DEFAULT_LEAD_DAYS) / days))
        for pk in product_ids
    }


def _q(value: float) -> Decimal | None:
    if value is None or not np.isfinite(value):
        return None
    return Decimal(str(round(float(value), 4))).quantize(QUANTITY_QUANT)


def _f(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def forecast_run_compute(*, run: ForecastRun, progress: Callable[[int, int, str], None] | None = None) -> ForecastRun:
    """Compute the run: history from the ledger, the engine, then one transaction writing its items.

    Idempotent: a rerun replaces the run's items. Reads and computes outside any transaction.
    """
    report = progress or (lambda done, total, message: None)
    report(0, 3, _("Reading the demand history"))
    keys, buckets, y = demand_history(period=run.period, end=run.history_end)
    items: list[ItemForecast] = []
    summary: dict = {"pairs": len(keys), "periods": len(buckets)}
    if keys:
        report(1, 3, _("Forecasting %(count)s product × warehouse pairs") % {"count": len(keys)})
        product_ids = sorted({p for p, _w in keys})
        lead_by_product = _lead_periods(product_ids, run.period, run.history_end)
        lead = np.array([lead_by_product[p] for p, _w in keys])
        classes = {
            (p, w): abc
            for p, w, abc in StockClassification.objects.filter(product_id__in=product_ids).values_list(
                "product_id", "warehouse_id", "abc"
            )
        }
        abc = [classes.get(key, "") for key in keys]
        targets = np.array([run.service_levels.get(c, float(run.service_level)) for c in abc], dtype=float)
        plan = make_plan(Inputs.of(y, lead=lead, period=run.period), horizon=run.horizon, target=targets)
        shown = y[:, -HISTORY_SHOWN:]
        first_shown = buckets[-shown.shape[1]]
        for i, (product_id, warehouse_id) in enumerate(keys):
            items.append(
                ItemForecast(
                    run=run,
                    product_id=product_id,
                    warehouse_id=warehouse_id,
                    status=plan.status[i],
                    demand_class=plan.klass[i],
                    adi=_f(plan.adi[i]),
                    cv2=_f(plan.cv2[i]),
                    method=plan.method[i],
                    backtested=bool(plan.backtested[i]),
                    stock_model=plan.model[i],
                    lead_periods=int(lead[i]),
                    abc=abc[i],
                    target=Decimal(str(round(targets[i], 3))),
                    mean_demand=_q(plan.mean_demand[i]) or Decimal(0),
                    sigma=_f(plan.sigma[i]),
                    safety_factor=_f(plan.k[i]),
                    safety_stock=_q(plan.safety[i]),
                    lead_demand=_q(plan.lead_demand[i]),
                    reorder_point=_q(plan.reorder_point[i]),
                    order_up_to=_q(plan.order_up_to[i]),
                    next_period=_q(plan.forecast[i, 0]),
                    mase=_f(plan.metrics["mase"][i]),
                    rmsse=_f(plan.metrics["rmsse"][i]),
                    wape=_f(plan.metrics["wape"][i]),
                    bias=_f(plan.metrics["bias"][i]),
                    history=[None if np.isnan(v) else round(float(v), 4) for v in shown[i]],
                    forecast=[None if np.isnan(v) else round(float(v), 4) for v in plan.forecast[i]],
                )
            )
        ok = plan.status == "ok"
        summary.update(
            {
                "first_period": first_shown.isoformat(),
                "status": {s: int((plan.status == s).sum()) for s in ItemStatus.values},
                "classes": {
                    str(k): int(v) for k, v in zip(*np.unique(plan.klass[ok], return_counts=True), strict=True)
                },
                "methods": {
                    str(k): int(v) for k, v in zip(*np.unique(plan.method[ok], return_counts=True), strict=True)
                },
                "mase": _f(np.nanmean(plan.metrics["mase"][ok])) if ok.any() else None,
                "rmsse": _f(np.nanmean(plan.metrics["rmsse"][ok])) if ok.any() else None,
            }
        )
    report(2, 3, _("Saving the forecasts"))
    with transaction.atomic():
        ItemForecast.objects.filter(run=run).delete()
        ItemForecast.objects.bulk_create(items, batch_size=1000)
        run.status = RunStatus.DONE
        run.summary = summary
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "summary", "finished_at"])
    report(3, 3, _("Done"))
    return run


def forecast_levels_accept(*, actor: Any, items: Sequence[ItemForecast]) -> int:
    """Copy the computed safety stock, reorder point and order-up-to level (as the maximum) of
    ``items`` into inventory's stock levels; items without a forecast are refused by name.

    Goes through ``stock_levels_bulk_set`` (its permission and warehouse scope apply); returns how
    many product × warehouse rows were written. Nothing is written when any item is refused.
    """
    bad = [item.product.code for item in items if item.status != ItemStatus.OK or item.safety_stock is None]
    if bad:
        raise ValidationError(
            _("No computed levels for %(codes)s (too little history or no demand).") % {"codes": ", ".join(bad)}
        )
    rows = [
        StockLevelInput(
            product_id=item.product_id,
            warehouse_id=item.warehouse_id,
            safety_stock=max(item.safety_stock, Decimal(0)),
            reorder_point=max(item.reorder_point, Decimal(0)),
            max_stock=max(item.order_up_to, item.reorder_point, item.safety_stock, Decimal(0)),
            row=index,
        )
        for index, item in enumerate(items, start=1)
    ]
    return stock_levels_bulk_set(actor=actor, rows=rows)


@dataclass(frozen=True)
class ReplenishmentLine:
    product: Product
    warehouse: Warehouse
    supplier: Supplier | None
    quantity: Decimal


@atomic_with_retry
def replenishment_orders_create(*, actor: Any, lines: Sequence[ReplenishmentLine]) -> list[PurchaseOrder]:
    """Create draft purchase orders from selected suggestions: one per supplier and warehouse.

    Every line is checked first (a supplier, a quantity above zero); procurement's service then
    checks prices, minimum order quantities and packs. Any error names the product and nothing is
    created (one transaction for all the orders).
    """
    _require(actor, "planning.create_replenishment_orders")
    if not lines:
        raise ValidationError(_("Select at least one suggestion."))
    errors = []
    for line in lines:
        if line.supplier is None:
            errors.append(_("%(code)s has no supplier in the price list.") % {"code": line.product.code})
        elif line.quantity is None or line.quantity <= 0:
            errors.append(_("%(code)s: the quantity must be above zero.") % {"code": line.product.code})
    if errors:
        raise ValidationError(errors)
    groups: dict[tuple[int, int], list[ReplenishmentLine]] = defaultdict(list)
    for line in lines:
        groups[(line.supplier.pk, line.warehouse.pk)].append(line)
    orders = []
    for group in groups.values():
        try:
            order = purchase_order_create(
                actor=actor,
                supplier=group[0].supplier,
                warehouse=group[0].warehouse,
                lines=[OrderLineInput(product=line.product, quantity=line.quantity) for line in group],
                remarks=_("Replenishment suggestion"),
            )
        except ValidationError as error:
            raise ValidationError(
                [f"{group[0].supplier.name}: {message}" for message in error.messages], code="invalid_line"
            ) from error
        orders.append(order)
    for order in orders:
        audit_record(actor=actor, action=AuditAction.CREATED, instance=order, changes={"source": [None, "planning"]})
    return orders
