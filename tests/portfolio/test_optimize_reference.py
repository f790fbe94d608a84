"""The cost-aware minimum variance next to the cost-free one, and the reason a step raises risk (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.optimize import CostRates, OptimizationProfile, optimize_weights
from portfolio.optimize.reference import (
    OBJECTIVE_NAMES,
    OBJECTIVE_SOLVES,
    reference_minimum_variance,
    risk_change_reason,
)

TICKERS = ["CALM", "MID", "WILD"]
# Daily volatilities 1 %, 2 % and 4 %, uncorrelated: the cost-free minimum holds mostly CALM.
COVARIANCE = pd.DataFrame(np.diag([0.01, 0.02, 0.04]) ** 2, index=TICKERS, columns=TICKERS)
FULLY_INVESTED = OptimizationProfile(max_weight=1.0, net_min=1.0, net_max=1.0)


def _volatility(weights: pd.Series) -> float:
    return float(np.sqrt(weights @ COVARIANCE @ weights))


def test_the_cost_free_minimum_is_the_textbook_one():
    reference = reference_minimum_variance(COVARIANCE, TICKERS, FULLY_INVESTED)
    inverse = 1 / np.diag(COVARIANCE)
    expected = pd.Series(inverse / inverse.sum(), index=TICKERS)  # uncorrelated: weights ∝ 1 / variance
    assert (reference.weights - expected).abs().max() < 1e-6
    assert reference.volatility == pytest.approx(_volatility(expected), rel=1e-6)


def test_costs_of_moving_keep_the_cost_aware_minimum_above_the_cost_free_one():
    held = pd.Series([0.0, 0.0, 1.0], index=TICKERS)  # all in the wildest stock
    costly = CostRates(buy=0.05, sell=0.05)
    cost_aware = optimize_weights(
        pd.Series(0.0, index=TICKERS), COVARIANCE, held, FULLY_INVESTED, costly, objective="min_variance"
    )
    reference = reference_minimum_variance(COVARIANCE, TICKERS, FULLY_INVESTED)
    assert cost_aware.volatility > reference.volatility + 1e-4  # it stops short of the true minimum
    assert cost_aware.volatility < cost_aware.current_volatility  # and still lowers the risk held
    assert (
        risk_change_reason(
            objective="min_variance",
            volatility_before=cost_aware.current_volatility,
            volatility_after=cost_aware.volatility,
            net_before=1.0,
            net_after=1.0,
        )
        is None
    )  # risk fell: nothing to explain


def test_investing_the_cash_is_named_when_minimum_variance_raises_risk():
    from_cash = optimize_weights(
        pd.Series(0.0, index=TICKERS), COVARIANCE, None, FULLY_INVESTED, objective="min_variance"
    )
    reason = risk_change_reason(
        objective="min_variance",
        volatility_before=from_cash.current_volatility,
        volatility_after=from_cash.volatility,
        net_before=0.0,
        net_after=float(from_cash.weights.sum()),
    )
    assert from_cash.current_volatility == 0.0 and from_cash.volatility > 0
    assert reason is not None and "cash is invested" in reason and "0.00% to" in reason


def test_a_riskier_step_without_new_exposure_is_put_down_to_the_costs_of_moving():
    reason = risk_change_reason(
        objective="min_variance",
        volatility_before=0.010,
        volatility_after=0.012,
        net_before=1.0,
        net_after=1.0,
    )
    assert reason is not None and "costs of moving" in reason and "1.00% to 1.20%" in reason


def test_other_objectives_may_raise_risk_for_return_and_every_one_says_what_it_solves():
    reason = risk_change_reason(
        objective="mean_variance",
        volatility_before=0.01,
        volatility_after=0.02,
        net_before=0.5,
        net_after=1.0,
    )
    assert reason is None
    assert set(OBJECTIVE_SOLVES) == set(OBJECTIVE_NAMES) == {"mean_variance", "min_variance", "max_sharpe"}
    assert "cost-aware" in OBJECTIVE_SOLVES["min_variance"]
