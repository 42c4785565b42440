"""Forecasting methods, vectorised across items.

Every method works on a demand panel ``Y`` of shape (items, periods) in float, zeros for periods
without demand and NaN only before an item's history starts (``start`` holds the first observed
period of each item). Parameters are fitted on ``Y[:, :fit_end]`` only; the filter then runs over
the whole panel, so the state at every period is the one a planner would have had at the end of
that period with the parameters fitted up to ``fit_end`` (a rolling-origin backtest without
re-estimating parameters at every origin).

The only Python loops run over periods (the recursions of the smoothing methods) or over a short
grid; each step works on all items at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# Fixed smoothing constants of the intermittent-demand methods: the range the literature recommends
# (Syntetos & Boylan 2005; Teunter, Syntetos & Babai 2011). Optimising them on squared error drifts
# towards the zero-forecast trap.
CROSTON_ALPHA = 0.1
TSB_ALPHA = 0.1
TSB_BETA = 0.05

SES_GRID = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.98])
DAMPED_ALPHA = (0.05, 0.15, 0.35, 0.7)
DAMPED_BETA = (0.02, 0.15)  # as a fraction of alpha: beta = alpha * value
DAMPED_PHI = (0.8, 0.9, 0.98)
MA_WINDOWS = (3, 6, 12)


@dataclass
class Fit:
    """The states of one method over all periods, and how to forecast from them.

    The forecast of period ``t + k`` made at the end of period ``t`` is
    ``(level[t] + trend[t] * (phi + ... + phi**k)) * season[t + k]``.
    """

    method: str
    level: np.ndarray
    trend: np.ndarray | None = None
    phi: np.ndarray | None = None
    season: np.ndarray | None = None
    params: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.level.shape

    def forecast(self, k: int, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """(items, periods): column t is the forecast of period t + k made at the end of period t.

        ``lo``/``hi`` restrict it to the origins lo .. hi - 1.
        """
        t_len = self.level.shape[1]
        hi = t_len if hi is None else hi
        f = self.level[:, lo:hi]
        if self.trend is not None:
            phik = np.zeros_like(self.phi)
            power = np.ones_like(self.phi)
            for _ in range(k):
                power = power * self.phi
                phik = phik + power
            f = f + self.trend[:, lo:hi] * phik[:, None]
        if self.season is not None:
            f = f * self.season[:, lo + k : hi + k]
        return np.maximum(f, 0.0)

    def cumulative(self, k_items: np.ndarray) -> np.ndarray:
        """(items, periods): forecast of the demand over the next ``k_items[i]`` periods from each origin.

        Closed forms: level × k; the damped trend adds trend × sum over j <= k of (phi + ... + phi**j);
        a seasonal factor sums over the target periods. Negative totals are cut at zero.
        """
        k_items = np.asarray(k_items, dtype=int)
        n, t_len = self.shape
        if self.season is not None:
            csum = np.concatenate([np.zeros((n, 1)), np.cumsum(self.season, axis=1)], axis=1)
            t = np.arange(t_len)[None, :]
            rows = np.arange(n)[:, None]
            factor = csum[rows, np.minimum(t + 1 + k_items[:, None], csum.shape[1] - 1)] - csum[:, 1 : t_len + 1]
            return np.maximum(self.level * factor, 0.0)
        total = self.level * k_items[:, None]
        if self.trend is not None:
            coef = np.zeros(n)
            phik = np.zeros(n)
            power = np.ones(n)
            for j in range(1, int(k_items.max(initial=0)) + 1):
                power = power * self.phi
                phik = phik + power
                coef = coef + np.where(j <= k_items, phik, 0.0)
            total = total + self.trend * coef[:, None]
        return np.maximum(total, 0.0)


def observed(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The panel with NaN replaced by 0, and each item's first observed period (T if none)."""
    seen = ~np.isnan(y)
    start = np.where(seen.any(axis=1), seen.argmax(axis=1), y.shape[1])
    return np.nan_to_num(y, nan=0.0), start


def _initial_level(y0: np.ndarray, start: np.ndarray, fit_end: int, count: int = 4) -> np.ndarray:
    """Mean of the first ``count`` observed periods (fewer when fewer are observed before fit_end)."""
    n, t = y0.shape
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(y0, axis=1)], axis=1)
    first = np.minimum(start, t)
    last = np.minimum(first + count, max(fit_end, 1))
    last = np.maximum(last, np.minimum(first + 1, t))
    rows = np.arange(n)
    width = np.maximum(last - first, 1)
    return (csum[rows, last] - csum[rows, first]) / width


# ---------------------------------------------------------------------------------------------
# Simple exponential smoothing (also the engine of the seasonal-index method)


def _prestart(y0: np.ndarray, start: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """Time-major copy (T, n) with the periods before each item's start set to ``fill``.

    A smoothing state fed its own value stays where it is with a zero error, so the recursions
    below need no per-period masks: the state at an item's first observation is its initial value.
    """
    yt = np.ascontiguousarray(y0.T, dtype=float)
    before = np.arange(y0.shape[1])[:, None] < start[None, :]
    if before.any():
        yt = np.where(before, fill[None, :], yt)
    return yt


def ses_filter(y0: np.ndarray, start: np.ndarray, alpha: np.ndarray, l0: np.ndarray, stop: int | None = None):
    """Run SES; alpha (n,) or (n, A). Returns (levels (n, T), or None for a grid; SSE up to ``stop``).

    The state before the first observation is ``l0`` (statsmodels' "known" initialisation); the
    one-step error of every observed period before ``stop`` enters the SSE.
    """
    n, t_len = y0.shape
    stop = t_len if stop is None else stop
    grid = alpha.ndim == 2
    a = alpha.T.copy() if grid else alpha[None, :]  # (A, n)
    yt = _prestart(y0, start, l0)
    level = np.broadcast_to(l0, a.shape).copy()
    sse = np.zeros(a.shape)
    if grid:
        for t in range(stop):
            err = yt[t] - level
            sse += err * err
            level += a * err
        return None, sse.T
    keep = np.empty((t_len, n))
    lv = level[0]
    a1 = a[0]
    s1 = sse[0]
    for t in range(t_len):
        err = yt[t] - lv
        if t < stop:
            s1 += err * err
        lv = lv + a1 * err
        keep[t] = lv
    return np.ascontiguousarray(keep.T), s1


def _golden(objective: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray, iters: int = 14):
    """Per-item golden-section search of a unimodal objective on [lo, hi]; objective takes (n, 2)."""
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(iters):
        x1 = hi - ratio * (hi - lo)
        x2 = lo + ratio * (hi - lo)
        f = objective(np.stack([x1, x2], axis=1))
        left = f[:, 0] <= f[:, 1]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
    return 0.5 * (lo + hi)


def optimise_ses_alpha(y0: np.ndarray, start: np.ndarray, l0: np.ndarray, fit_end: int) -> np.ndarray:
    """Smoothing constant minimising the one-step SSE on the fit window: grid, then golden section."""
    n = y0.shape[0]
    _, sse = ses_filter(y0, start, np.broadcast_to(SES_GRID, (n, SES_GRID.size)), l0, stop=fit_end)
    best = sse.argmin(axis=1)
    lo = SES_GRID[np.maximum(best - 1, 0)]
    lo = np.where(best == 0, 0.0, lo)
    hi = SES_GRID[np.minimum(best + 1, SES_GRID.size - 1)]
    hi = np.where(best == SES_GRID.size - 1, 1.0, hi)
    alpha = _golden(lambda a: ses_filter(y0, start, a, l0, stop=fit_end)[1], lo, hi)
    return np.clip(alpha, 1e-4, 1.0)


def fit_ses(y0, start, fit_end, **_) -> Fit:
    l0 = _initial_level(y0, start, fit_end)
    alpha = optimise_ses_alpha(y0, start, l0, fit_end)
    level, _ = ses_filter(y0, start, alpha, l0)
    return Fit("ses", level, params={"alpha": alpha})


# ---------------------------------------------------------------------------------------------
# Damped additive trend (Gardner & McKenzie), as in statsmodels' Holt(damped_trend=True)


def damped_filter(y0, start, alpha, beta, phi, l0, stop=None, keep_states=True):
    """Damped-trend recursion from level ``l0`` and trend 0; parameters (n,) or (n, G).

    Returns (level, trend, SSE up to ``stop``); level and trend (n, T) only when ``keep_states``.
    """
    n, t_len = y0.shape
    stop = t_len if stop is None else stop
    grid = np.ndim(alpha) == 2
    a, b, p = (np.asarray(alpha).T, np.asarray(beta).T, np.asarray(phi).T) if grid else (alpha, beta, phi)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(p))
    yt = _prestart(y0, start, l0)
    level = np.broadcast_to(l0, shape).copy()
    trend = np.zeros(shape)
    sse = np.zeros(shape)
    keep_l = np.empty((t_len, n)) if keep_states else None
    keep_b = np.empty((t_len, n)) if keep_states else None
    one_b = 1.0 - b
    for t in range(t_len if keep_states else stop):
        damped = p * trend
        pred = level + damped
        err = yt[t] - pred
        if t < stop:
            sse += err * err
        new_level = pred + a * err
        trend = b * (new_level - level) + one_b * damped
        level = new_level
        if keep_states:
            keep_l[t] = level
            keep_b[t] = trend
    if keep_states:
        return np.ascontiguousarray(keep_l.T), np.ascontiguousarray(keep_b.T), sse
    return None, None, sse.T if grid else sse


def fit_damped(y0, start, fit_end, **_) -> Fit:
    n = y0.shape[0]
    l0 = _initial_level(y0, start, fit_end)
    combos = np.array([(a, a * bf, p) for a in DAMPED_ALPHA for bf in DAMPED_BETA for p in DAMPED_PHI])
    ga, gb, gp = (np.broadcast_to(combos[:, i], (n, len(combos))) for i in range(3))
    _, _, sse = damped_filter(y0, start, ga, gb, gp, l0, stop=fit_end, keep_states=False)
    best = combos[sse.argmin(axis=1)]
    beta_frac = best[:, 1] / best[:, 0]
    phi = best[:, 2]

    def objective(a):
        return damped_filter(
            y0,
            start,
            a,
            a * beta_frac[:, None],
            np.repeat(phi[:, None], 2, axis=1),
            l0,
            stop=fit_end,
            keep_states=False,
        )[2]

    alpha = _golden(objective, np.maximum(best[:, 0] * 0.5, 0.01), np.minimum(best[:, 0] * 1.6, 1.0), iters=10)
    beta = alpha * beta_frac
    level, trend, _ = damped_filter(y0, start, alpha, beta, phi, l0)
    return Fit("damped", level, trend=trend, phi=phi, params={"alpha": alpha, "beta": beta, "phi": phi})


# ---------------------------------------------------------------------------------------------
# Seasonal index × SES


def seasonal_index(y0: np.ndarray, start: np.ndarray, fit_end: int, season: int) -> np.ndarray:
    """Multiplicative index per season position (n, season) from the full seasons observed before fit_end.

    Weekly indices are smoothed over five neighbouring weeks (two years give two values per week)
    and every index is shrunk half-way towards 1; items without demand keep 1.
    """
    n, _ = y0.shape
    pos = np.arange(fit_end) % season
    obs = (np.arange(fit_end)[None, :] >= start[:, None]).astype(float)
    sums = np.zeros((n, season))
    counts = np.zeros((n, season))
    for j in range(season):  # loop over season positions, not periods
        cols = pos == j
        sums[:, j] = (y0[:, :fit_end][:, cols] * obs[:, cols]).sum(axis=1)
        counts[:, j] = obs[:, cols].sum(axis=1)
    means = sums / np.maximum(counts, 1)
    overall = means.mean(axis=1, keepdims=True)
    raw = np.divide(means, overall, out=np.ones_like(means), where=overall > 0)
    if season >= 26:
        raw = sum(np.roll(raw, s, axis=1) for s in (-2, -1, 0, 1, 2)) / 5.0
    index = 1.0 + 0.5 * (raw - 1.0)
    index = np.clip(index, 0.1, 5.0)
    return index / index.mean(axis=1, keepdims=True)


def fit_seasonal(y0, start, fit_end, *, season: int, pad: int, **_) -> Fit:
    _n, t_len = y0.shape
    index = seasonal_index(y0, start, fit_end, season)
    factor = index[:, np.arange(t_len + pad) % season]
    adjusted = y0 / factor[:, :t_len]
    l0 = _initial_level(adjusted, start, fit_end)
    alpha = optimise_ses_alpha(adjusted, start, l0, fit_end)
    level, _ = ses_filter(adjusted, start, alpha, l0)
    return Fit("seasonal", level, season=factor, params={"alpha": alpha, "index": index})


def fit_seasonal_naive(y0, start, fit_end, *, season: int, pad: int, **_) -> Fit:
    n, t_len = y0.shape
    factor = np.zeros((n, t_len + pad))
    hi = min(t_len + season, t_len + pad)
    factor[:, season:hi] = y0[:, : hi - season]
    for p in range(t_len + season, t_len + pad):  # beyond one season ahead: repeat the forecast
        factor[:, p] = factor[:, p - season]
    return Fit("seasonal_naive", np.ones((n, t_len)), season=factor)


# ---------------------------------------------------------------------------------------------
# Naive and moving average


def fit_naive(y0, start, fit_end, **_) -> Fit:
    return Fit("naive", y0.copy())


def moving_average(y0: np.ndarray, start: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Mean of the last ``window`` observed periods at every period (fewer at the start of history)."""
    n, t_len = y0.shape
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(y0, axis=1)], axis=1)
    t = np.arange(t_len)[None, :]
    first = np.maximum(t + 1 - window[:, None], start[:, None])
    first = np.minimum(first, t + 1)
    rows = np.arange(n)[:, None]
    width = np.maximum(t + 1 - first, 1)
    return (csum[rows, t + 1] - csum[rows, first]) / width


def fit_moving_average(y0, start, fit_end, **_) -> Fit:
    n, t_len = y0.shape
    best_sse = np.full(n, np.inf)
    best_w = np.full(n, MA_WINDOWS[0])
    valid = np.arange(t_len)[None, :] > start[:, None]
    valid[:, fit_end:] = False
    for w in MA_WINDOWS:
        level = moving_average(y0, start, np.full(n, w))
        err = y0[:, 1:] - level[:, :-1]
        sse = np.where(valid[:, 1:], err * err, 0.0).sum(axis=1)
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        best_w = np.where(better, w, best_w)
    return Fit("moving_average", moving_average(y0, start, best_w), params={"window": best_w.astype(float)})


# ---------------------------------------------------------------------------------------------
# Intermittent demand: Croston, SBA, TSB


def croston_filter(y0: np.ndarray, start: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Croston's demand size z and inter-demand interval p after every period (0 before the first demand).

    Initialisation: at the first demand z = that demand and p = the periods since the history
    started, counting the demand period (the "naive" initialisation of tsintermittent). At every
    later demand z += alpha (y - z) and p += alpha (q - p), q the periods since the last demand.
    """
    n, t_len = y0.shape
    z = np.zeros(n)
    p = np.zeros(n)
    q = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    zs = np.zeros((n, t_len))
    ps = np.ones((n, t_len))
    for t in range(t_len):
        y = y0[:, t]
        on = start <= t
        q = np.where(on, q + 1, q)
        demand = on & (y > 0)
        first = demand & ~seen
        later = demand & seen
        z = np.where(first, y, np.where(later, z + alpha * (y - z), z))
        p = np.where(first, q, np.where(later, p + alpha * (q - p), p))
        q = np.where(demand, 0, q)
        seen |= demand
        zs[:, t] = z
        ps[:, t] = np.where(seen, p, 1.0)
    return zs, ps


def fit_croston(y0, start, fit_end, **_) -> Fit:
    z, p = croston_filter(y0, start, CROSTON_ALPHA)
    return Fit("croston", z / p, params={"alpha": np.full(y0.shape[0], CROSTON_ALPHA)})


def fit_sba(y0, start, fit_end, **_) -> Fit:
    z, p = croston_filter(y0, start, CROSTON_ALPHA)
    return Fit("sba", (1.0 - CROSTON_ALPHA / 2.0) * z / p, params={"alpha": np.full(y0.shape[0], CROSTON_ALPHA)})


def tsb_filter(y0: np.ndarray, start: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Teunter-Syntetos-Babai: demand probability updated every period, size at demands; returns p × z.

    Initialisation at the first demand: z = that demand, p = 1 / periods since the history started.
    """
    n, t_len = y0.shape
    z = np.zeros(n)
    prob = np.zeros(n)
    count = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    out = np.zeros((n, t_len))
    for t in range(t_len):
        y = y0[:, t]
        on = start <= t
        count = np.where(on, count + 1, count)
        demand = on & (y > 0)
        first = demand & ~seen
        later = on & seen
        z = np.where(first, y, np.where(later & demand, z + alpha * (y - z), z))
        prob = np.where(first, 1.0 / np.maximum(count, 1), np.where(later, prob + beta * (demand - prob), prob))
        seen |= demand
        out[:, t] = prob * z
    return out


def fit_tsb(y0, start, fit_end, **_) -> Fit:
    n = y0.shape[0]
    return Fit(
        "tsb",
        tsb_filter(y0, start, TSB_ALPHA, TSB_BETA),
        params={"alpha": np.full(n, TSB_ALPHA), "beta": np.full(n, TSB_BETA)},
    )


FITTERS: dict[str, Callable[..., Fit]] = {
    "naive": fit_naive,
    "seasonal_naive": fit_seasonal_naive,
    "moving_average": fit_moving_average,
    "ses": fit_ses,
    "damped": fit_damped,
    "seasonal": fit_seasonal,
    "croston": fit_croston,
    "sba": fit_sba,
    "tsb": fit_tsb,
}
METHODS = tuple(FITTERS)
SEASONAL_METHODS = frozenset({"seasonal_naive", "seasonal"})
