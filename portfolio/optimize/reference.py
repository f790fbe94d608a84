"""What each objective solves, the cost-free minimum variance it is compared with, and why risk moved.

The optimiser's "minimum variance" is cost-aware: it starts from the current holdings and minimises
variance plus the costs of moving, over fully invested portfolios. It is therefore not the minimum-variance
portfolio of a textbook; :func:`reference_minimum_variance` gives that one (same limits, no costs, from
cash) so the two are reported side by side, and :func:`risk_change_reason` says why a "minimum variance"
step can raise risk. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from portfolio.optimize.inputs import CostRates, OptimizationProfile
from portfolio.optimize.problem import OptimizationResult, optimize_weights
from portfolio.risk import RiskModel

# What each objective solves, in words a user can check against the numbers.
OBJECTIVE_SOLVES = {
    "mean_variance": (
        "Maximises expected return − λ × variance − trading costs − borrow, starting from the current "
        "holdings (λ: the risk aversion)."
    ),
    "min_variance": (
        "Minimises variance + trading costs over fully invested portfolios, starting from the current "
        "holdings: the cost-aware minimum variance, not the cost-free minimum reported beside it."
    ),
    "max_sharpe": (
        "Maximises (expected return − trading costs − borrow − risk-free rate) / volatility, starting "
        "from the current holdings."
    ),
}
# Short names that say the same, for the reasons of each order.
OBJECTIVE_NAMES = {
    "mean_variance": "Mean-variance (return − risk − costs)",
    "min_variance": "Cost-aware minimum variance",
    "max_sharpe": "Maximum Sharpe net of costs",
}
TOLERANCE = 1e-6  # below this, a change of volatility or exposure is solver noise


def reference_minimum_variance(
    risk: RiskModel | pd.DataFrame,
    tickers: list[str],
    profile: OptimizationProfile,
    sectors: Mapping[str, str] | None = None,
) -> OptimizationResult:
    """The cost-free minimum-variance portfolio from cash: the same limits, no costs, no holdings."""
    return optimize_weights(
        pd.Series(0.0, index=pd.Index(tickers, name="ticker")),
        risk,
        None,
        profile,
        CostRates(),
        sectors,
        objective="min_variance",
    )


def risk_change_reason(
    *,
    objective: str,
    volatility_before: float,
    volatility_after: float,
    net_before: float,
    net_after: float,
) -> str | None:
    """Why a minimum-variance step raises risk, or ``None`` when it does not (or another objective).

    Two causes: investing the cash (minimum variance is taken over fully invested portfolios, and any
    invested portfolio is riskier than cash), or moving the holdings inside the risk profile's limits at
    the least cost (with whole-share rounding).
    """
    if objective != "min_variance" or volatility_after <= volatility_before + TOLERANCE:
        return None
    change = f"Volatility rises from {volatility_before:.2%} to {volatility_after:.2%}"
    if net_after > net_before + TOLERANCE:
        return (
            f"{change} because the cash is invested: minimum variance is taken over fully invested "
            f"portfolios (net exposure {net_before:.0%} → {net_after:.0%})."
        )
    return (
        f"{change} from the costs of moving: the holdings are brought within the risk profile's limits "
        "at the least trading cost and rounded to whole shares, which is not the lowest-risk mix."
    )
