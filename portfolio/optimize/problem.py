"""Target weights from expected returns, a risk model and current weights (maths: ``formulation``)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.optimize.diagnose import infeasible_error
from portfolio.optimize.formulation import (
    Arrays,
    Built,
    build_max_sharpe,
    build_utility,
    problem_arrays,
    replace_mu,
    solve,
    variance,
)
from portfolio.optimize.inputs import OBJECTIVES, CostRates, OptimizationProfile
from portfolio.risk import RiskModel
from swingtrade.errors import DomainError


@dataclass(frozen=True)
class FrontierPoint:
    risk_aversion: float
    expected_return: float
    volatility: float


@dataclass
class OptimizationResult:
    """Target weights and what they are expected to do, over the horizon of the inputs.

    ``weights`` are fractions of the equity left after paying the trade costs (what the profile bounds);
    ``expected_return`` and ``volatility`` are those of that portfolio. ``net_expected_return`` is measured
    on the equity before the trade: μ'w − costs − borrow, ``w = weights × (1 − transaction_costs)``.
    ``effective_mu`` / ``effective_risk_aversion`` define the utility μ'w − λ w'Σw the whole-share rounding
    uses to decide whether a trade is worth its cost (for max-Sharpe, λ is the one implied at the optimum).
    """

    weights: pd.Series
    current_weights: pd.Series
    objective: str
    status: str
    expected_return: float
    net_expected_return: float
    volatility: float
    current_expected_return: float
    current_volatility: float
    turnover: float
    transaction_costs: float
    borrow_cost: float
    solve_time: float
    compile_time: float
    effective_mu: pd.Series
    effective_risk_aversion: float
    frontier: list[FrontierPoint] = field(default_factory=list)

    @property
    def sharpe(self) -> float:
        """Net expected return over volatility, both on the equity before the trade."""
        risk = self.volatility * (1.0 - self.transaction_costs)
        return self.net_expected_return / risk if risk > 0 else 0.0


def optimize_weights(
    expected_returns: pd.Series,
    risk: RiskModel | pd.DataFrame,
    current_weights: pd.Series | None = None,
    profile: OptimizationProfile | None = None,
    costs: CostRates | None = None,
    sectors: Mapping[str, str] | None = None,
    objective: str = "mean_variance",
    frontier_points: int = 0,
    max_factors: int | None = None,
    frontier_factors: int | None = None,
) -> OptimizationResult:
    """Optimal target weights for one objective, with the efficient frontier on request.

    Parameters
    ----------
    expected_returns : Series, index ticker
        Expected return of each asset over the horizon, already shrunk by reliability
        (:func:`portfolio.optimize.shrink_expected_returns`). Defines the universe and its order.
    risk : RiskModel or DataFrame (N×N)
        Covariance over the same horizon; must cover every ticker of ``expected_returns``.
    current_weights : Series, index ticker, optional
        Current weights of equity (missing tickers are 0). Tickers outside the universe are an error:
        the caller decides what to do with unmodelled holdings.
    profile : OptimizationProfile
    costs : CostRates
    sectors : mapping ticker → sector, needed when the profile has sector limits (unknown → "Unknown").
    objective : {"mean_variance", "min_variance", "max_sharpe"}
    frontier_points : int
        Number of efficient-frontier points (mean-variance over a log grid of λ), 0 for none. They reuse
        one compiled problem where λ is a cvxpy Parameter (DPP), so each extra point costs a solve only.
    max_factors : int, optional
        Solve with :meth:`RiskModel.compressed` (top principal factors + exact per-asset variance) — much
        faster for hundreds of assets; reported volatility is still computed with the full risk model.
    frontier_factors : int, optional
        Trace the frontier (an illustration for the chart, ``frontier_points`` solves) on that many factors
        when the optimum itself is exact: each point then costs a fraction of an exact solve. Its
        volatilities are still computed with the full risk model.

    Raises
    ------
    DomainError (400) for malformed input; Unprocessable (422) when the solver does not report an
    optimal solution, with the constraint groups that make the problem infeasible in the message.
    """
    profile = profile or OptimizationProfile()
    costs = costs or CostRates()
    if objective not in OBJECTIVES:
        raise DomainError(f"Unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}.")
    full = problem_arrays(expected_returns, risk, current_weights, profile, costs, sectors)
    arrays = full
    if max_factors is not None and isinstance(risk, RiskModel):
        arrays = _compressed(full, risk, max_factors)
    effective = arrays if objective != "min_variance" else replace_mu(arrays, np.zeros_like(arrays.mu))

    if objective == "max_sharpe":
        excess = replace_mu(arrays, arrays.mu - profile.risk_free_rate)
        built = build_max_sharpe(excess, profile)
    else:
        built = build_utility(effective, profile)
        built.risk_aversion.value = profile.risk_aversion  # type: ignore[union-attr]
    started = time.perf_counter()
    solve(built.problem)
    wall = time.perf_counter() - started
    if built.problem.status != cp.OPTIMAL:
        raise infeasible_error(built, objective, arrays, profile)
    compile_time = float(built.problem.compilation_time or 0.0)
    solve_time = float(built.problem.solver_stats.solve_time or max(wall - compile_time, 0.0))

    w = np.asarray(built.weights.value, dtype=float).ravel()
    paid = _solved(built.paid)  # read now: the frontier below re-solves this same problem
    if built.kappa is not None:
        kappa = _solved(built.kappa)
        w, paid = w / kappa, paid / kappa
    w[np.abs(w) < 1e-10] = 0.0  # solver noise, so "no position" reads as exactly zero

    frontier: list[FrontierPoint] = []
    if frontier_points:
        if (
            arrays is full
            and isinstance(risk, RiskModel)
            and frontier_factors is not None
            and 0 < frontier_factors < len(full.tickers)
        ):
            traced = _compressed(full, risk, frontier_factors)
            frontier = _frontier(
                build_utility(traced, profile), traced, profile, frontier_points, report=full
            )
        else:
            frontier_built = built if objective == "mean_variance" else build_utility(arrays, profile)
            frontier = _frontier(frontier_built, arrays, profile, frontier_points)

    mu = arrays.mu
    trade = w - arrays.w0
    tc = float(arrays.buy @ np.clip(trade, 0, None) + arrays.sell @ np.clip(-trade, 0, None))
    if paid > tc + 1e-6:
        # The solver bought and sold the same shares: inflating the fees shrinks every "(1 − C)" limit,
        # which only helps when the real problem has no solution. Report it as the infeasibility it is.
        raise infeasible_error(built, objective, arrays, profile, wash=True)
    borrow = float(arrays.borrow @ np.clip(-w, 0, None))
    after = w / (1.0 - tc)  # weights of the equity left after paying the fees (what the limits bound)
    sigma = variance(full, after)
    if objective == "max_sharpe":
        net_excess = float((mu - profile.risk_free_rate) @ w) - tc - borrow
        raw_variance = variance(arrays, w)
        implied = net_excess / (2 * raw_variance) if raw_variance > 0 else profile.risk_aversion
    else:
        implied = profile.risk_aversion
    index = pd.Index(arrays.tickers, name="ticker")
    return OptimizationResult(
        weights=pd.Series(after, index=index, name="weight"),
        current_weights=pd.Series(arrays.w0, index=index, name="weight"),
        objective=objective,
        status=str(built.problem.status),
        expected_return=float(mu @ after),
        net_expected_return=float(mu @ w) - tc - borrow,
        volatility=float(np.sqrt(max(sigma, 0.0))),
        current_expected_return=float(mu @ arrays.w0),
        current_volatility=float(np.sqrt(max(variance(full, full.w0), 0.0))),
        turnover=float(np.abs(trade).sum()),
        transaction_costs=tc,
        borrow_cost=borrow,
        solve_time=solve_time,
        compile_time=compile_time,
        effective_mu=pd.Series(effective.mu, index=index),
        effective_risk_aversion=float(implied),
        frontier=frontier,
    )


def efficient_frontier(
    expected_returns: pd.Series,
    risk: RiskModel | pd.DataFrame,
    current_weights: pd.Series | None = None,
    profile: OptimizationProfile | None = None,
    costs: CostRates | None = None,
    sectors: Mapping[str, str] | None = None,
    points: int = 20,
) -> list[FrontierPoint]:
    """Risk/return points of mean-variance optima for ``points`` risk aversions (one compiled problem)."""
    profile = profile or OptimizationProfile()
    arrays = problem_arrays(expected_returns, risk, current_weights, profile, costs or CostRates(), sectors)
    return _frontier(build_utility(arrays, profile), arrays, profile, points)


def portfolio_variance(risk: RiskModel, weights: pd.Series) -> float:
    """w'Σw for weights aligned by ticker (missing → 0), via the factor form."""
    w = weights.reindex(risk.tickers).fillna(0.0).to_numpy(dtype=float)
    return float(np.sum((risk.factor @ w) ** 2) + risk.diagonal @ w**2)


def _solved(variable: cp.Variable) -> float:
    """A scalar variable's value after an optimal solve (cvxpy types every value as optional)."""
    if variable.value is None:
        raise RuntimeError(f"{variable.name()} has no value: the problem was not solved")
    return float(variable.value)


def _compressed(full: Arrays, risk: RiskModel, factors: int) -> Arrays:
    """The same problem with the risk model cut to its top ``factors`` principal factors."""
    model = risk.subset(full.tickers).compressed(factors).reduced()
    return Arrays(**{**full.__dict__, "factor": model.factor, "diagonal": model.diagonal})


def _frontier(
    built: Built, arrays: Arrays, profile: OptimizationProfile, points: int, report: Arrays | None = None
) -> list[FrontierPoint]:
    """Mean-variance optima over a log grid of λ around the profile's, re-solving the compiled problem.

    Volatilities are measured with ``report``'s risk model when given (the exact one), else ``arrays``'.
    """
    centre = max(profile.risk_aversion, 1e-3)
    grid = np.geomspace(centre / 100, centre * 100, max(points, 2))
    out: list[FrontierPoint] = []
    for lam in grid:
        built.risk_aversion.value = float(lam)  # type: ignore[union-attr]
        solve(built.problem)
        if built.problem.status != cp.OPTIMAL:
            continue  # a point the solver cannot certify is left out, never plotted wrong
        w = np.asarray(built.weights.value, dtype=float).ravel()
        out.append(
            FrontierPoint(
                float(lam), float(arrays.mu @ w), float(np.sqrt(max(variance(report or arrays, w), 0)))
            )
        )
    built.risk_aversion.value = profile.risk_aversion  # type: ignore[union-attr]
    return sorted(out, key=lambda p: p.volatility)
