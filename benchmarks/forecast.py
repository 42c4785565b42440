"""Forecasting engine benchmark (``make bench-forecast``): no database needed.

1. 10,000 products × 104 weekly periods: the whole plan (classification, rolling-origin backtest
   of every method, the inventory replay used by the method choice, the choice, the final fit,
   forecasts and safety stocks), wall time and CPU time, best of BENCH_FORECAST_RUNS (default 3).
2. statsmodels' ExponentialSmoothing (simple exponential smoothing, optimised, as the reference
   implementation) on the same series, one fit per series: timed on BENCH_STATSMODELS_SERIES
   series (default 500) and extrapolated to 10,000; the ratio is reported. statsmodels fits one
   method per series without a backtest or a choice, so the ratio flatters it.

The series are the weekly demand of the shared manufacturing data set (../shared/datasets), its
last 104 weeks, repeated to 10,000 rows with a random scale per copy; without the file a synthetic
mix of smooth, seasonal and intermittent series is used. Writes benchmarks/results/forecast.json.
"""

import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.planning.engine.plan import Inputs, make_plan  # noqa: E402 - after the path is set

ITEMS, PERIODS = 10_000, 104
RUNS = int(os.environ.get("BENCH_FORECAST_RUNS", "3"))
SM_SERIES = int(os.environ.get("BENCH_STATSMODELS_SERIES", "500"))
DATASET = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "datasets").exists()),
        ROOT.parent / "shared",
    )
    / "datasets"
    / "manufacturing_weekly_demand.xlsx"
)


def series() -> tuple[np.ndarray, np.ndarray, str]:
    rng = np.random.default_rng(7)
    if DATASET.exists():
        from apps.planning.engine.demandfile import read_demand_file

        data = read_demand_file(DATASET)
        base = np.nan_to_num(data.y[:, -PERIODS:])
        lead = np.nan_to_num(data.lead, nan=7.0)
        pick = rng.integers(0, base.shape[0], ITEMS)
        scale = rng.uniform(0.5, 2.0, ITEMS)[:, None]
        return np.round(base[pick] * scale), lead[pick], f"{DATASET.name}, last {PERIODS} weeks, resampled"
    t = np.arange(PERIODS)
    level = rng.uniform(5, 200, ITEMS)[:, None]
    season = 1 + rng.uniform(0, 0.4, ITEMS)[:, None] * np.sin(2 * np.pi * t / 52)[None, :]
    smooth = rng.poisson(level * season).astype(float)
    sparse = smooth * (rng.random((ITEMS, PERIODS)) < rng.uniform(0.1, 1.0, ITEMS)[:, None])
    return sparse, rng.choice([2, 4, 8], ITEMS), "synthetic"


def bench_engine(y, lead) -> dict:
    best_wall, best_cpu = np.inf, np.inf
    for _ in range(RUNS):
        w0, c0 = time.perf_counter(), time.process_time()
        plan = make_plan(Inputs.of(y, lead=lead, period="week"), horizon=13, target=0.95)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    methods = dict(zip(*np.unique(plan.method.astype(str), return_counts=True), strict=True))
    return {
        "wall_seconds": round(best_wall, 2),
        "cpu_seconds": round(best_cpu, 2),
        "methods": {k: int(v) for k, v in methods.items()},
    }


def bench_statsmodels(y) -> dict:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    sample = y[:SM_SERIES]
    w0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in sample:
            ExponentialSmoothing(row, trend=None, seasonal=None, initialization_method="estimated").fit().forecast(13)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    factor = ITEMS / len(sample)
    return {
        "series_timed": len(sample),
        "wall_seconds_10k": round(wall * factor, 1),
        "cpu_seconds_10k": round(cpu * factor, 1),
    }


def main() -> None:
    y, lead, source = series()
    engine = bench_engine(y, lead)
    sm = bench_statsmodels(y)
    result = {
        "items": ITEMS,
        "periods": PERIODS,
        "series": source,
        "engine": engine,
        "statsmodels_ses": sm,
        "ratio_cpu": round(sm["cpu_seconds_10k"] / engine["cpu_seconds"], 1),
        "ratio_wall": round(sm["wall_seconds_10k"] / engine["wall_seconds"], 1),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "forecast.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
