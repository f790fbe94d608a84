"""Portfolio optimisation: pure cvxpy target weights (CLARABEL) and their whole-share trades.

Public interface (see docs/team-contracts.md): :func:`optimize_weights`, :func:`efficient_frontier`,
:func:`weights_to_trades`, :func:`shrink_expected_returns`, and the input/result dataclasses.
"""

from __future__ import annotations

from portfolio.optimize.formulation import SOLVER
from portfolio.optimize.inputs import (
    OBJECTIVES,
    CostRates,
    OptimizationProfile,
    horizon_expected_returns,
    shrink_expected_returns,
)
from portfolio.optimize.problem import (
    FrontierPoint,
    OptimizationResult,
    efficient_frontier,
    optimize_weights,
    portfolio_variance,
)
from portfolio.optimize.rounding import TradePlan, weights_to_trades

__all__ = [
    "OBJECTIVES",
    "SOLVER",
    "CostRates",
    "FrontierPoint",
    "OptimizationProfile",
    "OptimizationResult",
    "TradePlan",
    "efficient_frontier",
    "horizon_expected_returns",
    "optimize_weights",
    "portfolio_variance",
    "shrink_expected_returns",
    "weights_to_trades",
]
