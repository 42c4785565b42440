"""Holdout evaluation summed up: per method and for the selector, accuracy and the inventory outcome."""

import time
from collections import Counter

import numpy as np

from . import classify as cl
from .methods import METHODS, observed
from .plan import INNER_WINDOW, MIN_HISTORY, Inputs, holdout_report

TARGETS = (0.90, 0.95, 0.99)
DEFAULT_HOLDOUT = {"day": 364, "week": 52, "month": 12}


def _summary(metrics, fill, stock, mask, cost, demand_total) -> dict:
    wape_den = metrics["sum_actual"][mask].sum()
    out = {
        "mase": _mean(metrics["mase"][mask]),
        "rmsse": _mean(metrics["rmsse"][mask]),
        "wape": float(metrics["abs_err"][mask].sum() / wape_den) if wape_den > 0 else None,
        "bias": float(metrics["sum_err"][mask].sum() / wape_den) if wape_den > 0 else None,
        "service": {},
    }
    for target in TARGETS:
        f, s = fill[target][mask], stock[target][mask]
        served = np.nansum(f * demand_total[mask])
        out["service"][f"{target:.2f}"] = {
            "target": target,
            "fill_rate": _mean(f),
            "fill_rate_weighted": float(served / demand_total[mask].sum()) if demand_total[mask].sum() > 0 else None,
            "items_at_target": float(np.mean(f >= target - 1e-9)) if f.size else None,
            "average_stock_units": float(s.sum()),
            "average_stock_value": float((s * cost[mask]).sum()) if cost is not None else None,
        }
    return out


def _mean(values) -> float | None:
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else None


def evaluate_file(
    y: np.ndarray,
    *,
    period: str,
    horizon: int,
    lead=None,
    cost=None,
    holdout: int | None = None,
    methods=METHODS,
) -> dict:
    """Fit and choose on all but the last ``holdout`` periods, then replay the holdout.

    Items evaluated: enough history before the holdout, demand before it (an item that never sold
    before has no forecast to judge) and demand in it (a fill rate needs demand).
    """
    started = time.perf_counter()
    y = np.asarray(y, dtype=float)
    n, t_len = y.shape
    if holdout is None:
        holdout = DEFAULT_HOLDOUT[period]
    holdout = min(holdout, max(t_len - 2 * INNER_WINDOW[period], t_len // 3))
    if holdout < 1 or t_len - holdout < MIN_HISTORY[period] + 2:
        raise ValueError(f"{t_len} periods are too few for a holdout backtest")
    if lead is None:
        lead = np.full(n, horizon)
    lead = np.where(np.isnan(np.asarray(lead, dtype=float)), horizon, lead)
    inp = Inputs.of(y, lead=lead, period=period)
    results, chosen, klass, enough = holdout_report(inp, holdout=holdout, horizon=horizon, targets=TARGETS)
    y0, _start = observed(y)
    fit_end = t_len - holdout
    demand_total = y0[:, fit_end:].sum(axis=1)
    mask = enough & (klass != cl.NO_DEMAND) & (demand_total > 0)
    cost_arr = None if cost is None else np.nan_to_num(np.asarray(cost, dtype=float))
    report = {
        "items": n,
        "periods": t_len,
        "period": period,
        "holdout": holdout,
        "horizon": horizon,
        "evaluated": int(mask.sum()),
        "skipped": {
            "too_little_history": int((~enough).sum()),
            "no_demand_before_holdout": int((enough & (klass == cl.NO_DEMAND)).sum()),
            "no_demand_in_holdout": int((enough & (klass != cl.NO_DEMAND) & (demand_total == 0)).sum()),
        },
        "classes": {k: int((klass[mask] == k).sum()) for k in cl.CLASSES if k != cl.NO_DEMAND},
        "methods": {},
    }
    for name, r in results.items():
        report["methods"][name] = _summary(r.metrics, r.fill, r.stock, mask, cost_arr, demand_total)
    rows = np.arange(n)
    gathered = {key: np.zeros(n) for key in ("mase", "rmsse", "abs_err", "sum_err", "sum_actual")}
    fill = {t: np.full(n, np.nan) for t in TARGETS}
    stock = {t: np.zeros(n) for t in TARGETS}
    for name, r in results.items():
        hit = rows[chosen == name]
        for key in gathered:
            gathered[key][hit] = r.metrics[key][hit]
        for t in TARGETS:
            fill[t][hit] = r.fill[t][hit]
            stock[t][hit] = r.stock[t][hit]
    selector = _summary(gathered, fill, stock, mask, cost_arr, demand_total)
    selector["chosen"] = dict(Counter(chosen[mask].tolist()).most_common())
    selector["by_class"] = {
        k: {f"{t:.2f}": _mean(fill[t][mask & (klass == k)]) for t in TARGETS}
        for k in (cl.SMOOTH, cl.ERRATIC, cl.INTERMITTENT, cl.LUMPY)
        if (mask & (klass == k)).any()
    }
    report["selector"] = selector
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
