"""The convex programme: from expected returns, a risk model and current weights to target weights.

Formulation (weights of equity; ``w0`` current, ``w = w⁺ − w⁻`` target, ``w − w0 = b − s`` the trade)::

    mean_variance:  max  μ'w − λ (||F w||² + d'w²) − c_b'b − c_s's − c_β'w⁻
    min_variance:   the same with μ = 0 (costs still count, so a portfolio does not churn for nothing)
    max_sharpe:     max  (μ − r_f)'w − costs − borrow  /  sqrt(w'Σw)  via y = κ w, κ > 0 (see below)

    s.t.  C = c_b'b + c_s's               (trade costs, fraction of equity before the trade)
          0 ≤ w⁺, w⁻ ≤ max_weight (1 − C)  (w⁻ = 0 when long-only)
          Σ(w⁺ + w⁻) ≤ gross_max (1 − C)
          net_min (1 − C) ≤ Σw ≤ net_max (1 − C)
          |Σ_{i∈s} w_i| ≤ sector_limit_s (1 − C)
          Σ(b + s) ≤ turnover_max
          Σw + C ≤ 1                       (cash ≥ 0 after paying the trade costs)

The ``(1 − C)`` factors put the limits on the portfolio after the fees are paid, w / (1 − C), while keeping
every constraint linear; the returned weights are w / (1 − C).

Splitting w and the trade into non-negative parts keeps gross exposure, borrow and costs linear, so the
problem is a QP (SOCP for max-Sharpe) that CLARABEL solves to high accuracy. The variance is written in the
factor form of :class:`portfolio.risk.RiskModel` (``||F w||²`` with F of shape K×N) instead of a dense
quad_form. For Ledoit-Wolf with fewer return days than assets this is Σ itself, exactly:
F = sqrt(h (1 − δ) / T) X and d = h δ μ, so the solver sees T·N nonzeros instead of the N² of a dense
factor. F multiplies one explicit variable w (``w == w⁺ − w⁻``), not ``w⁺ − w⁻``, which would put F into
the KKT matrix twice; and the KKT system is factored with QDLDL, which on this shape (a dense T×N block)
is 2-3× faster than CLARABEL's default faer (measured at 500 and 2,000 assets, bench/optimize.py).

Maximum Sharpe with costs: the ratio (μ'w − cost(w)) / σ(w) is homogenised with y = κ w. Every cost term is
positively homogeneous in (y, κ) (``cost(y − κ w0) = κ cost(w − w0)``), so fixing the net numerator to 1
and minimising ||F y||² + d'y² is an *exact* convex reformulation of maximising the net-of-cost Sharpe ratio
over the same constraint set (each constraint multiplied by κ). It needs a portfolio with a positive net
expected excess return; when none exists the problem is infeasible and the error says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.optimize.inputs import CostRates, OptimizationProfile
from portfolio.risk import RiskModel
from swingtrade.errors import DomainError

SOLVER = cp.CLARABEL
SOLVER_OPTIONS = {"direct_solve_method": "qdldl"}  # see the module docstring


def solve(problem: cp.Problem) -> None:
    """Solve with the optimiser's solver and options (one place, so every caller solves alike)."""
    problem.solve(solver=SOLVER, **SOLVER_OPTIONS)


@dataclass
class Arrays:
    tickers: list[str]
    mu: np.ndarray
    w0: np.ndarray
    factor: np.ndarray
    diagonal: np.ndarray
    buy: np.ndarray
    sell: np.ndarray
    borrow: np.ndarray
    sector_rows: list[tuple[str, np.ndarray, float]]
    scale: float  # objective scaling so CLARABEL's tolerances act on O(1) numbers


@dataclass
class Built:
    problem: cp.Problem
    weights: cp.Expression
    kappa: cp.Variable | None
    groups: dict[str, list[cp.Constraint]]
    risk_aversion: cp.Parameter | None
    paid: cp.Variable


def problem_arrays(
    expected_returns: pd.Series,
    risk: RiskModel | pd.DataFrame,
    current_weights: pd.Series | None,
    profile: OptimizationProfile,
    costs: CostRates,
    sectors: Mapping[str, str] | None,
) -> Arrays:
    if expected_returns.empty:
        raise DomainError("No assets to optimise.")
    tickers = [str(t) for t in expected_returns.index]
    if len(set(tickers)) != len(tickers):
        raise DomainError("Duplicate tickers in the expected returns.")
    mu = expected_returns.to_numpy(dtype=float)
    if not np.all(np.isfinite(mu)):
        raise DomainError("Expected returns must be finite (shrink NaN to 0 first).")
    model = risk if isinstance(risk, RiskModel) else RiskModel.from_covariance(risk)
    missing = sorted(set(tickers) - set(model.tickers))
    if missing:
        raise DomainError(f"No covariance for {', '.join(missing[:10])}.")
    model = model.subset(tickers).reduced()  # exact: at most N factor rows
    w0 = np.zeros(len(tickers))
    if current_weights is not None:
        outside = sorted(set(map(str, current_weights.index)) - set(tickers))
        if outside:
            raise DomainError(f"Current weights outside the optimised universe: {', '.join(outside[:10])}.")
        w0 = current_weights.reindex(tickers).fillna(0.0).to_numpy(dtype=float)
    buy, sell, borrow = costs.vectors(tickers)
    sector_rows: list[tuple[str, np.ndarray, float]] = []
    if profile.sector_limit is not None:
        labels = np.array([(sectors or {}).get(t) or "Unknown" for t in tickers])
        for sector in sorted(set(labels)):
            limit = profile.sector_limit_for(sector)
            if limit is not None:
                sector_rows.append((sector, (labels == sector).astype(float), limit))
    scale = float(np.mean(np.sum(model.factor**2, axis=0) + model.diagonal)) or 1.0
    return Arrays(tickers, mu, w0, model.factor, model.diagonal, buy, sell, borrow, sector_rows, scale)


def replace_mu(arrays: Arrays, mu: np.ndarray) -> Arrays:
    return Arrays(**{**arrays.__dict__, "mu": mu})


def variance(arrays: Arrays, w: np.ndarray) -> float:
    return float(np.sum((arrays.factor @ w) ** 2) + arrays.diagonal @ w**2)


def risk_expr(arrays: Arrays, w: cp.Expression) -> cp.Expression:
    expr = cp.sum_squares(arrays.factor @ w)
    if np.any(arrays.diagonal > 0):
        expr = expr + cp.sum_squares(cp.multiply(np.sqrt(arrays.diagonal), w))
    return expr


def constraint_groups(
    arrays: Arrays, profile: OptimizationProfile, kappa: cp.Expression | float
) -> tuple[cp.Variable, cp.Variable, cp.Expression | float, dict[str, list[cp.Constraint]]]:
    """Weights, trade costs paid, borrow cost and named constraint groups.

    ``kappa`` homogenises every bound (1 outside max-Sharpe).
    """
    n = len(arrays.tickers)
    long = cp.Variable(n, nonneg=True)
    short = None if profile.long_only else cp.Variable(n, nonneg=True)
    # Its own variable, so the risk term's F appears once in the KKT matrix (not for w⁺ and w⁻).
    w = long if short is None else cp.Variable(n, name="weights")
    bought, sold = cp.Variable(n, nonneg=True), cp.Variable(n, nonneg=True)
    paid = cp.Variable(name="paid")  # trade costs as a fraction of equity before the trade
    costs = paid
    borrow = 0.0 if short is None else arrays.borrow @ short
    gross = cp.sum(long) if short is None else cp.sum(long) + cp.sum(short)
    # Limits apply to the portfolio *after* paying the fees: |w| / (1 − paid) ≤ m  ⇔  |w| ≤ m (1 − paid),
    # still linear. Otherwise executing the answer would push positions at their limit over it.
    after = kappa - paid
    groups: dict[str, list[cp.Constraint]] = {
        "trade definition": ([] if short is None else [w == long - short])
        + [
            w - kappa * arrays.w0 == bought - sold,
            paid == arrays.buy @ bought + arrays.sell @ sold,
        ],
        "position bounds": [long <= profile.max_weight * after]
        + ([] if short is None else [short <= profile.max_weight * after]),
        "net exposure": [cp.sum(w) >= profile.net_min * after, cp.sum(w) <= profile.net_max * after],
        "cash": [cp.sum(w) + paid <= kappa * 1.0],
    }
    if short is not None or profile.gross_max < profile.net_max:
        groups["gross exposure"] = [gross <= profile.gross_max * after]
    if arrays.sector_rows:
        exposure = [(row @ w, limit) for _, row, limit in arrays.sector_rows]
        groups["sector limits"] = [e <= lim * after for e, lim in exposure] + [
            e >= -lim * after for e, lim in exposure
        ]
    if profile.turnover_max is not None:
        groups["turnover"] = [cp.sum(bought) + cp.sum(sold) <= kappa * profile.turnover_max]
    return w, costs, borrow, groups


def build_utility(arrays: Arrays, profile: OptimizationProfile) -> Built:
    w, costs, borrow, groups = constraint_groups(arrays, profile, 1.0)
    lam = cp.Parameter(nonneg=True, name="risk_aversion")
    utility = arrays.mu @ w - lam * risk_expr(arrays, w) - costs - borrow
    problem = cp.Problem(cp.Maximize(utility / arrays.scale), flatten(groups))
    return Built(problem, w, None, groups, lam, costs)


def build_max_sharpe(arrays: Arrays, profile: OptimizationProfile) -> Built:
    kappa = cp.Variable(nonneg=True, name="kappa")
    y, costs, borrow, groups = constraint_groups(arrays, profile, kappa)
    groups["positive net expected return"] = [arrays.mu @ y - costs - borrow == 1.0]
    problem = cp.Problem(cp.Minimize(risk_expr(arrays, y) / arrays.scale), flatten(groups))
    return Built(problem, y, kappa, groups, None, costs)


def flatten(groups: dict[str, list[cp.Constraint]]) -> list[cp.Constraint]:
    return [c for group in groups.values() for c in group]
