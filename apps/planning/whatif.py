"""Policy check (what-if): replay the last year of each item's demand at several target fill rates."""

from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from apps.planning.engine.methods import observed
from apps.planning.engine.plan import Inputs, backtest
from apps.planning.models import ItemForecast, ItemStatus

LEVELS = (0.90, 0.95, 0.98, 0.99)
YEAR = {"day": 364, "week": 52, "month": 12}


def policy_check(items: Sequence[ItemForecast], *, period: str, levels=LEVELS) -> dict:
    """Fill rate and average stock (units and value at purchase price) per target, over the last year.

    The result is JSON (targets and values as decimal strings), stored on the policy-check job.

    Each item keeps the method the run chose for it; parameters and safety stocks are fitted on
    the history before the replayed year. Items whose stored history is too short are left out.
    """
    items = [item for item in items if item.status == ItemStatus.OK and item.history]
    if not items:
        return {"items": 0, "holdout": 0, "levels": []}
    width = max(len(item.history) for item in items)
    y = np.full((len(items), width), np.nan)
    for i, item in enumerate(items):
        values = np.array([np.nan if v is None else v for v in item.history], dtype=float)
        y[i, width - len(values) :] = values
    holdout = min(YEAR[period], width // 3)
    _y0, start = observed(y)
    fit_end = width - holdout
    keep = fit_end - start >= 8
    if holdout < 4 or not keep.any():
        return {"items": 0, "holdout": holdout, "levels": []}
    items = [item for item, k in zip(items, keep, strict=True) if k]
    y = y[keep]
    lead = np.array([item.lead_periods for item in items])
    methods = np.array([item.method for item in items], dtype=object)
    results, _ = backtest(
        Inputs.of(y, lead=lead, period=period),
        fit_end,
        horizon=1,
        targets=tuple(levels),
        methods=tuple(sorted(set(methods))),
    )
    price = np.array([float(item.product.purchase_price) for item in items])
    demand = np.nan_to_num(y[:, fit_end:]).sum(axis=1)
    sells = demand > 0
    rows = []
    for level in levels:
        fill = np.full(len(items), np.nan)
        stock = np.zeros(len(items))
        for name, result in results.items():
            hit = methods == name
            fill[hit] = result.fill[level][hit]
            stock[hit] = result.stock[level][hit]
        rows.append(
            {
                "target": str(level),
                "fill_rate": float(np.nanmean(fill[sells])) if sells.any() else None,
                "average_units": round(float(stock.sum()), 3),
                "average_value": str(Decimal(str(round(float((stock * price).sum()), 2)))),
            }
        )
    return {"items": len(items), "holdout": holdout, "levels": rows}


def policy_result(job) -> dict | None:
    """The stored figures of a finished policy-check job, with targets and values as Decimal again."""
    if job is None or job.status != "succeeded" or "check" not in job.result:
        return None
    check = job.result["check"]
    levels = [
        {**row, "target": Decimal(row["target"]), "average_value": Decimal(row["average_value"])}
        for row in check.get("levels", [])
    ]
    return {**check, "levels": levels}
