from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.orders import fill


@pytest.mark.parametrize("monitoring", ["continuous", "discrete"])
def test_touch_probability_falls_with_distance_and_rises_with_horizon(monitoring):
    distances = np.linspace(0.001, 0.2, 40)
    by_distance = fill.touch_probability(-distances, 0.02, 5, 0.0, monitoring)
    assert np.all(np.diff(by_distance) < 0)
    by_horizon = fill.touch_probability(-0.03, 0.02, np.arange(1, 40), 0.0, monitoring)
    assert np.all(np.diff(by_horizon) > 0)
    upper = fill.touch_probability(distances, 0.02, 5, 0.0, monitoring)
    assert np.all(np.diff(upper) < 0)


def test_drift_toward_the_barrier_raises_the_probability():
    down = fill.touch_probability(-0.03, 0.02, 10, drift=-0.002)
    up = fill.touch_probability(-0.03, 0.02, 10, drift=0.002)
    assert down > fill.touch_probability(-0.03, 0.02, 10) > up


@pytest.mark.parametrize(
    ("barrier", "sigma", "days", "drift"),
    [(-0.03, 0.02, 10, 0.0), (-0.05, 0.02, 20, 0.0005), (0.04, 0.015, 15, -0.001), (0.06, 0.025, 20, 0.002)],
)
def test_discrete_formula_matches_a_monte_carlo_of_daily_steps(barrier, sigma, days, drift):
    formula = float(fill.touch_probability(barrier, sigma, days, drift, "discrete"))
    simulated = fill.simulate_touch_probability(barrier, sigma, days, drift, n_paths=100_000)
    assert formula == pytest.approx(simulated, abs=0.01)


def _simulate_session_model(barrier, sigma, days, overnight, n_paths=100_000, seed=3, drift=0.0):
    """Gap at each open, then a continuously watched session (Brownian-bridge crossing per session).

    ``drift`` per day is split like the variance: ``overnight`` of it in the gap, the rest in the session.
    Given both ends of a session, a drifted Brownian path is the same bridge as a driftless one, so the
    crossing probability inside the session does not depend on the drift.
    """
    rng = np.random.default_rng(seed)
    gap_sd, session_sd = sigma * np.sqrt(overnight), sigma * np.sqrt(1 - overnight)
    x = np.zeros(n_paths)
    hit = np.zeros(n_paths, dtype=bool)
    for _ in range(days):
        x = x + rng.normal(drift * overnight, gap_sd, n_paths)
        hit |= x <= barrier
        y = x + rng.normal(drift * (1 - overnight), session_sd, n_paths)
        crossing = np.where(
            (x > barrier) & (y > barrier), np.exp(-2 * (x - barrier) * (y - barrier) / session_sd**2), 1
        )
        hit |= rng.random(n_paths) < crossing
        x = y
    return hit.mean()


@pytest.mark.parametrize(("multiple", "days"), [(0.1, 1), (0.5, 1), (1.0, 1), (0.25, 5), (1.0, 5), (1.5, 5)])
def test_session_model_matches_its_monte_carlo(multiple, days):
    sigma, overnight = 0.02, 0.2
    barrier = -multiple * sigma * np.sqrt(days)
    formula = float(fill.session_touch_probability(barrier, sigma, days, 0.0, overnight))
    assert formula == pytest.approx(_simulate_session_model(barrier, sigma, days, overnight), abs=0.01)
    # The gap makes a limit next to the close less likely to fill than continuous trading suggests.
    assert formula <= float(fill.touch_probability(barrier, sigma, days)) + 1e-9


@pytest.mark.parametrize(
    ("multiple", "days", "drift"),
    [(0.25, 1, -0.004), (0.5, 5, 0.002), (1.0, 5, -0.002), (1.0, 10, 0.001), (1.5, 10, -0.002)],
)
def test_session_model_with_a_drift_matches_its_monte_carlo(multiple, days, drift):
    sigma, overnight = 0.02, 0.2
    barrier = -multiple * sigma * np.sqrt(days)
    formula = float(fill.session_touch_probability(barrier, sigma, days, drift, overnight))
    simulated = _simulate_session_model(barrier, sigma, days, overnight, drift=drift)
    assert formula == pytest.approx(simulated, abs=0.01)
    # The drift matters at this size: the driftless probability is off by more than the tolerance.
    assert abs(formula - float(fill.session_touch_probability(barrier, sigma, days, 0.0, overnight))) > 0.01
    # An upper barrier (a sell limit, a short's stop) is the mirror image: touching +b with drift nu.
    mirrored = float(fill.session_touch_probability(-barrier, sigma, days, -drift, overnight))
    assert mirrored == pytest.approx(simulated, abs=0.01)


def test_expected_fill_day_lies_inside_the_window():
    day = fill.expected_fill_day(-0.02, 0.02, 5)
    assert 0.5 <= day <= 4.5
    assert fill.expected_fill_day(-0.04, 0.02, 5) > day


def test_volatility_estimators_see_a_known_volatility():
    rng = np.random.default_rng(0)
    n = 4000
    log_close = np.cumsum(rng.normal(0, 0.01, n))
    close = pd.DataFrame({"X": np.exp(log_close)}, index=pd.bdate_range("2000-01-03", periods=n))
    estimate = fill.close_to_close_volatility(close, window=250).iloc[-1, 0]
    assert estimate == pytest.approx(0.01, rel=0.15)
    prices = {"close": close}
    assert fill.daily_volatility(prices, 250).iloc[-1, 0] == pytest.approx(estimate)


def test_volatility_mixing_matches_a_monte_carlo_over_random_volatility():
    """Quadrature over the volatility's error agrees with averaging over many drawn volatilities."""
    rng = np.random.default_rng(5)
    days, sigma, mean, sd = 5, 0.02, -0.05, 0.4
    drawn = sigma * np.exp(mean + sd * rng.standard_normal(20_000))
    for multiple in (0.25, 1.0, 2.0):
        barrier = -multiple * sigma * np.sqrt(days)
        simulated = fill.session_touch_probability(barrier, drawn, days, 0.0, 0.2).mean()
        formula = float(fill.session_touch_probability(barrier, sigma, days, 0.0, 0.2, mean, sd))
        assert formula == pytest.approx(simulated, abs=0.01)


def test_volatility_uncertainty_lowers_near_and_raises_far_fill_chances():
    sigma, days = 0.02, 5
    near, far = -0.3 * sigma, -3.0 * sigma * np.sqrt(days)
    fixed_near = fill.session_touch_probability(near, sigma, days, 0.0, 0.2)
    fixed_far = fill.session_touch_probability(far, sigma, days, 0.0, 0.2)
    assert fill.session_touch_probability(near, sigma, days, 0.0, 0.2, 0.0, 0.4) < fixed_near
    assert fill.session_touch_probability(far, sigma, days, 0.0, 0.2, 0.0, 0.4) > fixed_far


def test_session_model_is_monotone_in_distance_and_horizon():
    distances = np.linspace(0.001, 0.2, 40)
    by_distance = fill.session_touch_probability(-distances, 0.02, 5, 0.0, 0.25, -0.05, 0.35)
    assert np.all(np.diff(by_distance) < 0)
    by_horizon = fill.session_touch_probability(0.03, 0.02, np.arange(1, 30), 0.0, 0.25, -0.05, 0.35)
    assert np.all(np.diff(by_horizon) > 0)
