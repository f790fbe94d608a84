"""The optimiser against skfolio on real returns of the embedded sample: every objective it offers.

Both sides get the same inputs — the daily returns of the last 252 sessions of the 50-ticker sample, their
Ledoit-Wolf covariance and their mean — and no costs. skfolio's solver is tightened so the comparison
measures the formulations, not CLARABEL's default stopping tolerance.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from portfolio.optimize import OptimizationProfile, optimize_weights
from portfolio.risk import daily_returns, estimate_risk_model

DATA = Path(__file__).resolve().parents[2] / "market" / "data"
TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
RISK_AVERSION = 50.0  # daily units: large enough that the answer is a diversified mix, not one stock
BOUNDS = {"long-only": 1.0, "bounded at 8 %": 0.08}


@pytest.fixture(scope="module")
def returns_and_risk():
    sample = pd.read_csv(DATA / "sp500_sample50_daily_2016_2021.csv.gz", parse_dates=["date"])
    prices = sample.pivot(index="date", columns="ticker", values="adj_close")
    returns = daily_returns(prices).iloc[1:].tail(252)
    return returns, estimate_risk_model(prices, window=252, horizon_days=1)


def _skfolio(objective: str, returns: pd.DataFrame, max_weight: float) -> pd.Series:
    from skfolio import RiskMeasure
    from skfolio.moments import EmpiricalMu
    from skfolio.moments import LedoitWolf as SkLedoitWolf
    from skfolio.optimization import MeanRisk, ObjectiveFunction
    from skfolio.prior import EmpiricalPrior

    settings = {
        "min_variance": {"objective_function": ObjectiveFunction.MINIMIZE_RISK},
        "mean_variance": {
            "objective_function": ObjectiveFunction.MAXIMIZE_UTILITY,
            "risk_aversion": RISK_AVERSION,
        },
        "max_sharpe": {
            "objective_function": ObjectiveFunction.MAXIMIZE_RATIO,
            "risk_measure": RiskMeasure.STANDARD_DEVIATION,
        },
    }[objective]
    model = MeanRisk(
        risk_measure=settings.pop("risk_measure", RiskMeasure.VARIANCE),
        prior_estimator=EmpiricalPrior(mu_estimator=EmpiricalMu(), covariance_estimator=SkLedoitWolf()),
        max_weights=max_weight,
        solver_params=TIGHT,
        **settings,
    ).fit(returns)
    return pd.Series(model.weights_, index=returns.columns)


@pytest.mark.parametrize("bound", BOUNDS)
@pytest.mark.parametrize("objective", ["min_variance", "mean_variance", "max_sharpe"])
def test_every_objective_matches_skfolio_on_real_returns(objective, bound, returns_and_risk):
    returns, risk = returns_and_risk
    max_weight = BOUNDS[bound]
    mu = returns.mean().reindex(risk.tickers)
    profile = OptimizationProfile(
        max_weight=max_weight, net_min=1.0, net_max=1.0, risk_aversion=RISK_AVERSION
    )
    ours = optimize_weights(mu, risk, profile=profile, objective=objective).weights
    theirs = _skfolio(objective, returns[risk.tickers], max_weight).reindex(ours.index)
    assert (ours - theirs).abs().max() < 1e-4
    assert ours.max() <= max_weight + 1e-7 and ours.min() >= -1e-9
    assert abs(ours.sum() - 1.0) < 1e-6
    assert (ours > 1e-4).sum() >= 3  # a real mix, not a corner either library could hit by chance
