"""Method choice per item and the plan: forecast, safety stock, reorder point, order-up-to level.

Method choice (``choose``): every eligible method is backtested on the last part of the item's own
history (rolling origins, parameters fitted before the window). The score of a method is the
inventory outcome of replaying that window at the target fill rate, priced as a newsvendor would:
average stock held + b × units short per period with b = target / (1 - target), in units of mean
demand, plus the absolute bias. Point accuracy (RMSSE) breaks near ties. A method that forecasts
zero for an item that still sells (demand in the last year of the window) is never chosen, so the
zero forecast that minimises MAE/MASE on mostly-zero series cannot win.
"""

from dataclasses import dataclass

import numpy as np

from . import classify as cl
from .evaluate import MethodResult, empirical_safety, evaluate_method, refresh_origins, safety_stocks, size_ratios
from .methods import FITTERS, METHODS, SEASONAL_METHODS, Fit, observed

SEASON = {"day": 7, "week": 52, "month": 12}
MIN_HISTORY = {"day": 28, "week": 13, "month": 6}
INNER_WINDOW = {"day": 56, "week": 26, "month": 6}
REFRESH = {"day": 28, "week": 13, "month": 3}  # safety stocks recomputed this often in a replay
STILL_SELLS = {"day": 90, "week": 52, "month": 12}

INTERMITTENT_DEFAULT = "sba"
# Candidates per demand class: last-value methods chase single spikes on mostly-zero series, and
# Croston-type methods assume zeros between demands.
CANDIDATES = {
    cl.SMOOTH: {"naive", "seasonal_naive", "moving_average", "ses", "damped", "seasonal"},
    cl.ERRATIC: {"naive", "seasonal_naive", "moving_average", "ses", "damped", "seasonal", "sba", "tsb"},
    cl.INTERMITTENT: {"moving_average", "ses", "croston", "sba", "tsb"},
    cl.LUMPY: {"moving_average", "ses", "croston", "sba", "tsb"},
    cl.NO_DEMAND: {"ses", "sba", "tsb"},
}
SMOOTH_DEFAULT = "ses"
ZERO = 1e-9


@dataclass
class Inputs:
    """A demand panel and what the policy needs per item (periods are the panel's buckets)."""

    y: np.ndarray  # (n, T) demand, NaN before the history starts
    lead: np.ndarray  # lead time in periods (n,)
    lead_sd: np.ndarray  # lead-time standard deviation in periods (n,)
    period: str = "week"
    review: int = 1

    @classmethod
    def of(cls, y, lead=None, lead_sd=None, period="week", review=1) -> "Inputs":
        y = np.asarray(y, dtype=float)
        n = y.shape[0]
        lead = np.full(n, 1) if lead is None else np.asarray(lead)
        lead_sd = np.zeros(n) if lead_sd is None else np.asarray(lead_sd, dtype=float)
        return cls(y, np.maximum(np.rint(lead), 0).astype(int), lead_sd, period, review)


def empirical_items(klass: np.ndarray) -> np.ndarray:
    """Items whose lead-time demand is bootstrapped instead of taken as normal."""
    return np.isin(klass, [cl.INTERMITTENT, cl.LUMPY, cl.NO_DEMAND])


def backtest(
    inp: Inputs,
    fit_end: int,
    *,
    horizon: int,
    targets: tuple[float, ...],
    methods: tuple[str, ...] = METHODS,
    klass: np.ndarray | None = None,
    y0=None,
    start=None,
) -> tuple[dict[str, MethodResult], np.ndarray]:
    """Fit every method on [0, fit_end), evaluate it on [fit_end, T). Returns (results, classes)."""
    if y0 is None:
        y0, start = observed(inp.y)
    season = SEASON[inp.period]
    if klass is None:
        klass = cl.classify(y0, start, fit_end)["klass"]
    empirical = empirical_items(klass)
    pad = int(inp.lead.max(initial=0)) + inp.review + horizon + 1
    refresh = REFRESH[inp.period]
    levels = {
        origin: empirical_safety(
            y0,
            start,
            origin,
            lead=inp.lead,
            lead_sd=inp.lead_sd,
            review=inp.review,
            targets=targets,
            rows=np.flatnonzero(empirical),
            recent=INNER_WINDOW[inp.period],
        )
        for origin in refresh_origins(fit_end, y0.shape[1], refresh)
    }
    results = {}
    for name in methods:
        if name in SEASONAL_METHODS and fit_end < 2 * season:
            continue
        fit = FITTERS[name](y0, start, fit_end, season=season, pad=pad)
        res = evaluate_method(
            fit,
            y0,
            start,
            fit_end,
            horizon=horizon,
            lead=inp.lead,
            lead_sd=inp.lead_sd,
            review=inp.review,
            targets=targets,
            empirical=empirical,
            empirical_levels=levels,
            refresh=refresh,
        )
        res.eligible = fit_end - start >= (2 * season if name in SEASONAL_METHODS else 1)
        results[name] = res
    return results, klass


def choose(
    results: dict[str, MethodResult],
    y0: np.ndarray,
    start: np.ndarray,
    fit_end: int,
    klass: np.ndarray,
    *,
    target: float,
    period: str,
) -> np.ndarray:
    """Method name per item (see the module docstring for the rule)."""
    n = y0.shape[0]
    recent = y0[:, max(fit_end - STILL_SELLS[period], 0) : fit_end].sum(axis=1) > 0
    names = list(results)
    b = target / (1.0 - target)
    scores = np.full((len(names), n), np.inf)
    for i, name in enumerate(names):
        r = results[name]
        safety = r.safety[target]
        mean = np.maximum(safety.mean_demand, ZERO)
        fill = r.fill.get(target)
        if fill is None:
            continue
        window_demand = r.metrics["sum_actual"]
        periods = y0.shape[1] - fit_end
        short = np.where(np.isnan(fill), 0.0, (1.0 - fill)) * window_demand / max(periods, 1)
        bias = np.nan_to_num(np.abs(r.metrics["bias"]), nan=0.0)
        rmsse = np.nan_to_num(r.metrics["rmsse"], nan=0.0)
        score = (r.stock[target] + b * short) / mean + np.minimum(bias, 5.0) + 0.5 * rmsse
        zero_trap = recent & (r.last_forecast <= ZERO * np.maximum(mean, 1.0))
        allowed = np.array([name in CANDIDATES[c] for c in klass])
        score = np.where(zero_trap | ~r.eligible | ~allowed, np.inf, score)
        scores[i] = score
    best = scores.argmin(axis=0)
    chosen = np.array(names, dtype=object)[best]
    none_ok = ~np.isfinite(scores.min(axis=0))
    intermittent = np.isin(klass, [cl.INTERMITTENT, cl.LUMPY])
    fallback = np.where(intermittent, INTERMITTENT_DEFAULT, SMOOTH_DEFAULT)
    return np.where(none_ok, fallback, chosen)


@dataclass
class Plan:
    """Per item: status, class, chosen method, forecasts and stock levels (arrays of length n)."""

    status: np.ndarray  # ok, insufficient (too little history), no_demand
    klass: np.ndarray
    adi: np.ndarray
    cv2: np.ndarray
    method: np.ndarray
    backtested: np.ndarray
    forecast: np.ndarray  # (n, horizon)
    safety: np.ndarray
    model: np.ndarray
    sigma: np.ndarray
    k: np.ndarray
    reorder_point: np.ndarray  # demand over the lead time + safety stock
    order_up_to: np.ndarray  # demand over lead time + review + safety stock
    lead_demand: np.ndarray
    mean_demand: np.ndarray
    metrics: dict[str, np.ndarray]  # backtest accuracy of the chosen method
    target: np.ndarray


def choose_methods(inp: Inputs, fit_end: int, *, horizon: int, target: float, y0=None, start=None):
    """Method per item chosen by a backtest inside [0, fit_end); returns (methods, backtested, results)."""
    if y0 is None:
        y0, start = observed(inp.y)
    window = min(INNER_WINDOW[inp.period], max(fit_end // 3, 1))
    inner_end = fit_end - window
    sub = Inputs(inp.y[:, :fit_end], inp.lead, inp.lead_sd, inp.period, inp.review)
    klass = cl.classify(y0, start, inner_end)["klass"]
    results, _ = backtest(
        sub, inner_end, horizon=horizon, targets=(target,), klass=klass, y0=y0[:, :fit_end], start=start
    )
    methods = choose(results, y0[:, :fit_end], start, inner_end, klass, target=target, period=inp.period)
    backtested = inner_end - start >= MIN_HISTORY[inp.period]
    final_klass = cl.classify(y0, start, fit_end)["klass"]
    intermittent = np.isin(final_klass, [cl.INTERMITTENT, cl.LUMPY])
    methods = np.where(backtested, methods, np.where(intermittent, INTERMITTENT_DEFAULT, SMOOTH_DEFAULT))
    return methods, backtested, results


def make_plan(inp: Inputs, *, horizon: int, target=0.95) -> Plan:
    """Choose, fit on the whole history and forecast ``horizon`` periods for every item."""
    y0, start = observed(inp.y)
    n, t_len = y0.shape
    targets = np.broadcast_to(np.asarray(target, dtype=float), (n,))
    primary = float(np.median(targets))
    info = cl.classify(y0, start)
    methods, backtested, inner = choose_methods(inp, t_len, horizon=horizon, target=primary, y0=y0, start=start)
    empirical = empirical_items(info["klass"])
    pad = int(inp.lead.max(initial=0)) + inp.review + horizon + 1
    season = SEASON[inp.period]
    emp_rows = np.flatnonzero(empirical)
    # Each target's bootstrap only for its own items (a high target draws more samples), sizes
    # still pooled across every bootstrapped item.
    pool = size_ratios(y0[emp_rows], start[emp_rows], t_len)
    emp_levels = {}
    for tgt in np.unique(targets):
        mine = targets[emp_rows] == tgt
        emp_levels[float(tgt)] = np.zeros(emp_rows.size)
        emp_levels[float(tgt)][mine] = empirical_safety(
            y0,
            start,
            t_len,
            lead=inp.lead,
            lead_sd=inp.lead_sd,
            review=inp.review,
            targets=(float(tgt),),
            rows=emp_rows[mine],
            recent=INNER_WINDOW[inp.period],
            pool=pool,
        )[float(tgt)]
    forecast = np.zeros((n, horizon))
    out = {key: np.zeros(n) for key in ("safety", "sigma", "k", "lead_demand", "cycle_demand", "mean_demand")}
    model = np.full(n, "", dtype=object)
    for name in np.unique(methods):
        rows = np.flatnonzero(methods == name)
        fit = FITTERS[name](y0[rows], start[rows], t_len, season=season, pad=pad)
        for h in range(horizon):
            forecast[rows, h] = fit.forecast(h + 1)[:, -1]
        lead = inp.lead[rows]
        out["lead_demand"][rows] = fit.cumulative(np.maximum(lead, 0))[:, -1] if lead.max(initial=0) else 0.0
        out["cycle_demand"][rows] = fit.cumulative(lead + inp.review)[:, -1]
        # One safety computation per distinct target among these rows.
        for tgt in np.unique(targets[rows]):
            sel = rows[targets[rows] == tgt]
            part = np.isin(rows, sel)
            sub_fit = _take(fit, part)
            s = safety_stocks(
                sub_fit,
                y0[sel],
                start[sel],
                t_len,
                lead=inp.lead[sel],
                lead_sd=inp.lead_sd[sel],
                review=inp.review,
                targets=(float(tgt),),
                empirical=empirical[sel],
                empirical_levels={float(tgt): emp_levels[float(tgt)][np.isin(emp_rows, sel)]},
            )[float(tgt)]
            out["safety"][sel] = s.safety
            out["sigma"][sel] = s.sigma
            out["k"][sel] = s.k
            out["mean_demand"][sel] = s.mean_demand
            model[sel] = s.model
    status = np.where(
        t_len - start < MIN_HISTORY[inp.period],
        "insufficient",
        np.where(info["klass"] == cl.NO_DEMAND, "no_demand", "ok"),
    ).astype(object)
    metrics = {}
    for key in ("mase", "rmsse", "wape", "bias"):
        metrics[key] = np.full(n, np.nan)
        for name in inner:
            hit = methods == name
            metrics[key][hit] = inner[name].metrics[key][hit]
    hide = status == "insufficient"
    forecast[hide] = np.nan
    safety = np.where(hide, np.nan, out["safety"])
    return Plan(
        status=status,
        klass=info["klass"],
        adi=info["adi"],
        cv2=info["cv2"],
        method=np.where(hide, "", methods).astype(object),
        backtested=backtested & ~hide,
        forecast=forecast,
        safety=safety,
        model=np.where(hide, "", model).astype(object),
        sigma=out["sigma"],
        k=out["k"],
        reorder_point=np.where(hide, np.nan, np.maximum(out["lead_demand"] + out["safety"], 0.0)),
        order_up_to=np.where(hide, np.nan, np.maximum(out["cycle_demand"] + out["safety"], 0.0)),
        lead_demand=out["lead_demand"],
        mean_demand=out["mean_demand"],
        metrics=metrics,
        target=targets.copy(),
    )


def _take(fit, mask):
    return Fit(
        fit.method,
        fit.level[mask],
        trend=None if fit.trend is None else fit.trend[mask],
        phi=None if fit.phi is None else fit.phi[mask],
        season=None if fit.season is None else fit.season[mask],
    )


def holdout_report(
    inp: Inputs, *, holdout: int, horizon: int, targets=(0.90, 0.95, 0.99), primary=0.95, methods=METHODS
):
    """Every method and the selector on the last ``holdout`` periods, fitted and chosen before them.

    Returns (per-method results, selector choice per item, classes at the holdout start, item mask
    of items with enough history).
    """
    y0, start = observed(inp.y)
    _n, t_len = y0.shape
    fit_end = t_len - holdout
    results, klass = backtest(
        inp, fit_end, horizon=horizon, targets=tuple(targets), methods=methods, y0=y0, start=start
    )
    chosen, _backtested, _ = choose_methods(inp, fit_end, horizon=horizon, target=primary, y0=y0, start=start)
    enough = fit_end - start >= MIN_HISTORY[inp.period]
    return results, chosen, klass, enough
