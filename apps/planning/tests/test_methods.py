"""Each forecasting method on known series; the smoothing methods against statsmodels."""

import warnings

import numpy as np
import pytest

from apps.planning.engine import methods as m

holtwinters = pytest.importorskip("statsmodels.tsa.holtwinters")


def _series(length=60, seed=1):
    rng = np.random.default_rng(seed)
    return 50 + np.cumsum(rng.normal(0, 2, length)) + rng.normal(0, 5, length)


def _one(y):
    return np.asarray(y, dtype=float)[None, :], np.array([0])


@pytest.fixture(autouse=True)
def _quiet_statsmodels():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_naive_forecasts_the_last_value_for_every_step():
    y, start = _one([3, 5, 2, 8])

    fit = m.fit_naive(y, start, 4)

    assert fit.forecast(1)[0].tolist() == [3, 5, 2, 8]
    assert fit.forecast(3)[0, -1] == 8
    assert fit.cumulative(np.array([3]))[0, -1] == 24


def test_seasonal_naive_repeats_last_season():
    y, start = _one([1, 2, 3, 4, 10, 20, 30, 40])

    fit = m.fit_seasonal_naive(y, start, 8, season=4, pad=8)

    assert [fit.forecast(k)[0, -1] for k in range(1, 7)] == [10, 20, 30, 40, 10, 20]
    assert fit.cumulative(np.array([3]))[0, -1] == 60


def test_moving_average_uses_the_window_with_the_least_error_and_fewer_periods_at_the_start():
    level = m.moving_average(np.array([[2.0, 4, 6, 8, 10]]), np.array([0]), np.array([3]))

    assert level[0].tolist() == [2, 3, 4, 6, 8]


def test_history_starting_late_is_not_read_as_zeros():
    y = np.array([[np.nan, np.nan, 4.0, 6.0, 8.0]])
    y0, start = m.observed(y)

    assert start.tolist() == [2]
    level = m.moving_average(y0, start, np.array([3]))
    assert level[0, 2:].tolist() == [4, 5, 6]


def test_ses_with_a_fixed_constant_matches_statsmodels():
    y = _series()
    ref = holtwinters.SimpleExpSmoothing(y, initialization_method="known", initial_level=y[0]).fit(
        smoothing_level=0.3, optimized=False
    )

    level, sse = m.ses_filter(*_one(y), np.array([0.3]), np.array([y[0]]))

    np.testing.assert_allclose(level[0, :-1], ref.fittedvalues[1:], rtol=1e-10)
    np.testing.assert_allclose(level[0, -1], ref.forecast(1)[0], rtol=1e-10)
    np.testing.assert_allclose(sse[0], ref.sse, rtol=1e-10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ses_optimised_constant_matches_statsmodels(seed):
    y = _series(seed=seed)
    ref = holtwinters.SimpleExpSmoothing(y, initialization_method="known", initial_level=y[0]).fit()

    yy, start = _one(y)
    alpha = m.optimise_ses_alpha(yy, start, np.array([y[0]]), len(y))

    assert alpha[0] == pytest.approx(ref.params["smoothing_level"], abs=0.005)
    _, sse = m.ses_filter(yy, start, alpha, np.array([y[0]]))
    assert sse[0] <= ref.sse * 1.0001


def test_damped_trend_with_fixed_parameters_matches_statsmodels():
    y = _series()
    ref = holtwinters.Holt(
        y, damped_trend=True, initialization_method="known", initial_level=y[0], initial_trend=0.0
    ).fit(smoothing_level=0.4, smoothing_trend=0.1, damping_trend=0.9, optimized=False)

    level, trend, sse = m.damped_filter(*_one(y), np.array([0.4]), np.array([0.1]), np.array([0.9]), np.array([y[0]]))
    fit = m.Fit("damped", level, trend=trend, phi=np.array([0.9]))

    np.testing.assert_allclose(fit.forecast(1)[0, :-1], ref.fittedvalues[1:], rtol=1e-10)
    np.testing.assert_allclose([fit.forecast(k)[0, -1] for k in range(1, 6)], ref.forecast(5), rtol=1e-10)
    np.testing.assert_allclose(sse, ref.sse, rtol=1e-10)


@pytest.mark.parametrize("seed", [1, 4])
def test_damped_trend_optimised_fit_is_within_two_percent_of_statsmodels(seed):
    y = _series(80, seed) + np.linspace(0, 40, 80)
    yy, start = _one(y)
    l0 = m._initial_level(yy, start, len(y))[0]
    ref = holtwinters.Holt(
        y, damped_trend=True, initialization_method="known", initial_level=l0, initial_trend=0.0
    ).fit()

    fit = m.fit_damped(yy, start, len(y))
    sse = ((y[1:] - fit.forecast(1)[0, :-1]) ** 2).sum() + (y[0] - l0) ** 2

    assert sse <= ref.sse * 1.02


def test_seasonal_index_smoothing_matches_holt_winters_with_fixed_indices():
    rng = np.random.default_rng(5)
    t = np.arange(48)
    y = (100 + t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 3, 48)
    yy, start = _one(y)
    index = m.seasonal_index(yy, start, 48, 12)[0]
    adjusted = yy / index[t % 12]
    level, _ = m.ses_filter(adjusted, start, np.array([0.4]), np.array([adjusted[0, 0]]))
    ref = holtwinters.ExponentialSmoothing(
        y,
        seasonal="mul",
        seasonal_periods=12,
        initialization_method="known",
        initial_level=adjusted[0, 0],
        initial_seasonal=index,
    ).fit(smoothing_level=0.4, smoothing_seasonal=0.0, optimized=False)

    ours = level[0, :-1] * index[(t[1:]) % 12]
    np.testing.assert_allclose(ours, ref.fittedvalues[1:], rtol=1e-9)
    fit = m.fit_seasonal(yy, start, 48, season=12, pad=12)
    assert fit.forecast(1).shape == (1, 48)
    assert fit.cumulative(np.array([3]))[0, -1] == pytest.approx(sum(fit.forecast(k)[0, -1] for k in (1, 2, 3)))


def test_seasonal_index_is_one_for_an_item_without_demand():
    index = m.seasonal_index(np.zeros((1, 24)), np.array([0]), 24, 12)

    np.testing.assert_allclose(index, 1.0)


# Worked example (Croston 1972; Syntetos & Boylan 2005; Teunter, Syntetos & Babai 2011), alpha 0.1:
# demand 0, 0, 3, 0, 5, 0, 0, 0, 2.
#   period 3: first demand, z = 3, p = 3 (periods since the history began)      -> z/p = 1
#   period 5: z = 3 + 0.1 (5 - 3) = 3.2,  p = 3 + 0.1 (2 - 3) = 2.9              -> 1.103448
#   period 9: z = 3.2 + 0.1 (2 - 3.2) = 3.08, p = 2.9 + 0.1 (4 - 2.9) = 3.01     -> 1.023256
# SBA multiplies by 1 - alpha / 2 = 0.95.
EXAMPLE = [0, 0, 3, 0, 5, 0, 0, 0, 2]


def test_croston_worked_example():
    fit = m.fit_croston(*_one(EXAMPLE), 9)

    np.testing.assert_allclose(
        fit.level[0], [0, 0, 1, 1, 3.2 / 2.9, 3.2 / 2.9, 3.2 / 2.9, 3.2 / 2.9, 3.08 / 3.01], rtol=1e-12
    )


def test_sba_worked_example():
    fit = m.fit_sba(*_one(EXAMPLE), 9)

    assert fit.level[0, -1] == pytest.approx(0.95 * 3.08 / 3.01)
    assert fit.level[0, 4] == pytest.approx(0.95 * 3.2 / 2.9)


# TSB with alpha 0.1, beta 0.05 on the same demand: the probability decays every period without
# demand and rises at a demand; the size moves only at demands.
#   period 3: z = 3, p = 1/3                         -> 1
#   period 4: p = 1/3 - 0.05 × 1/3 = 0.316667        -> 0.95
#   period 5: z = 3.2, p = 0.316667 + 0.05 × 0.683333 = 0.350833 -> 1.122667
#   periods 6-8: p × 0.95 each: 0.333292, 0.316627, 0.300796
#   period 9: z = 3.08, p = 0.300796 + 0.05 × 0.699204 = 0.335756 -> 1.034128
def test_tsb_worked_example():
    fit = m.fit_tsb(*_one(EXAMPLE), 9)

    np.testing.assert_allclose(
        fit.level[0],
        [0, 0, 1, 0.95, 1.1226667, 3.2 * 0.3332917, 3.2 * 0.3166271, 3.2 * 0.3007957, 1.0341285],
        rtol=1e-6,
    )


def test_tsb_decays_towards_zero_when_an_item_stops_selling_and_croston_does_not():
    y = [5, 0, 5, 0, 5, 0] + [0] * 30
    croston = m.fit_croston(*_one(y), len(y))
    tsb = m.fit_tsb(*_one(y), len(y))

    assert croston.level[0, -1] == croston.level[0, 5]
    assert tsb.level[0, -1] < 0.5 * tsb.level[0, 5]


def test_methods_run_on_many_items_at_once_like_on_one():
    rng = np.random.default_rng(2)
    y = rng.poisson(2, (5, 40)).astype(float)
    start = np.array([0, 3, 0, 10, 0])
    for name, fitter in m.FITTERS.items():
        together = fitter(y, start, 40, season=12, pad=6).forecast(1)
        alone = fitter(y[3:4], start[3:4], 40, season=12, pad=6).forecast(1)
        np.testing.assert_allclose(together[3], alone[0], rtol=1e-9, err_msg=name)


def test_cumulative_closed_form_equals_the_sum_of_step_forecasts():
    rng = np.random.default_rng(3)
    y = 20 + np.cumsum(rng.normal(0.5, 1, (4, 30)), axis=1)
    start = np.zeros(4, dtype=int)
    k = np.array([1, 3, 5, 8])
    for name in ("ses", "damped", "moving_average"):
        fit = m.FITTERS[name](y, start, 30, season=12, pad=10)
        expected = np.array([sum(fit.forecast(j)[i] for j in range(1, k[i] + 1)) for i in range(4)])
        np.testing.assert_allclose(fit.cumulative(k), expected, rtol=1e-9, err_msg=name)
