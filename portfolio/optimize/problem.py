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
quad_form, which keeps compile time low when N is large.

Maximum Sharpe with costs: the ratio (μ'w − cost(w)) / σ(w) is homogenised with y = κ w. Every cost term is
positively homogeneous in (y, κ) (``cost(y − κ w0) = κ cost(w − w0)``), so fixing the net numerator to 1
and minimising ||F y||² + d'y² is an *exact* convex reformulation of maximising the net-of-cost Sharpe ratio
over the same constraint set (each constraint multiplied by κ). It needs a portfolio with a positive net
expected excess return; when none exists the problem is infeasible and the error says so.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.optimize.inputs import OBJECTIVES, CostRates, OptimizationProfile
from portfolio.risk import RiskModel
from swingtrade.errors import DomainError, Unprocessable

SOLVER = cp.CLARABEL


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


@dataclass
class _Arrays:
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
class _Built:
    problem: cp.Problem
    weights: cp.Expression
    kappa: cp.Variable | None
    groups: dict[str, list[cp.Constraint]]
    risk_aversion: cp.Parameter | None
    paid: cp.Variable


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

    Raises
    ------
    DomainError (400) for malformed input; Unprocessable (422) when the solver does not report an
    optimal solution, with the constraint groups that make the problem infeasible in the message.
    """
    profile = profile or OptimizationProfile()
    costs = costs or CostRates()
    if objective not in OBJECTIVES:
        raise DomainError(f"Unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}.")
    full = _arrays(expected_returns, risk, current_weights, profile, costs, sectors)
    arrays = full
    if max_factors is not None and isinstance(risk, RiskModel):
        model = risk.subset(full.tickers).compressed(max_factors).reduced()
        arrays = _Arrays(**{**full.__dict__, "factor": model.factor, "diagonal": model.diagonal})
    effective = arrays if objective != "min_variance" else _replace_mu(arrays, np.zeros_like(arrays.mu))

    if objective == "max_sharpe":
        excess = _replace_mu(arrays, arrays.mu - profile.risk_free_rate)
        built = _build_max_sharpe(excess, profile)
    else:
        built = _build_utility(effective, profile)
        built.risk_aversion.value = profile.risk_aversion  # type: ignore[union-attr]
    started = time.perf_counter()
    built.problem.solve(solver=SOLVER)
    wall = time.perf_counter() - started
    if built.problem.status != cp.OPTIMAL:
        raise _infeasible_error(built, objective, arrays, profile)
    compile_time = float(built.problem.compilation_time or 0.0)
    solve_time = float(built.problem.solver_stats.solve_time or max(wall - compile_time, 0.0))

    w = np.asarray(built.weights.value, dtype=float).ravel()
    paid = float(built.paid.value)  # read now: the frontier below re-solves this same problem
    if built.kappa is not None:
        w = w / float(built.kappa.value)
        paid = paid / float(built.kappa.value)
    w[np.abs(w) < 1e-10] = 0.0  # solver noise, so "no position" reads as exactly zero

    frontier: list[FrontierPoint] = []
    if frontier_points:
        frontier_built = built if objective == "mean_variance" else _build_utility(arrays, profile)
        frontier = _frontier(frontier_built, arrays, profile, frontier_points)

    mu = arrays.mu
    trade = w - arrays.w0
    tc = float(arrays.buy @ np.clip(trade, 0, None) + arrays.sell @ np.clip(-trade, 0, None))
    if paid > tc + 1e-6:
        # The solver bought and sold the same shares: inflating the fees shrinks every "(1 − C)" limit,
        # which only helps when the real problem has no solution. Report it as the infeasibility it is.
        raise _infeasible_error(built, objective, arrays, profile, wash=True)
    borrow = float(arrays.borrow @ np.clip(-w, 0, None))
    after = w / (1.0 - tc)  # weights of the equity left after paying the fees (what the limits bound)
    sigma = _variance(full, after)
    if objective == "max_sharpe":
        net_excess = float((mu - profile.risk_free_rate) @ w) - tc - borrow
        variance = _variance(arrays, w)
        implied = net_excess / (2 * variance) if variance > 0 else profile.risk_aversion
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
        current_volatility=float(np.sqrt(max(_variance(full, full.w0), 0.0))),
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
    arrays = _arrays(expected_returns, risk, current_weights, profile, costs or CostRates(), sectors)
    return _frontier(_build_utility(arrays, profile), arrays, profile, points)


def portfolio_variance(risk: RiskModel, weights: pd.Series) -> float:
    """w'Σw for weights aligned by ticker (missing → 0), via the factor form."""
    w = weights.reindex(risk.tickers).fillna(0.0).to_numpy(dtype=float)
    return float(np.sum((risk.factor @ w) ** 2) + risk.diagonal @ w**2)


# -- building ------------------------------------------------------------------------------------------


def _arrays(
    expected_returns: pd.Series,
    risk: RiskModel | pd.DataFrame,
    current_weights: pd.Series | None,
    profile: OptimizationProfile,
    costs: CostRates,
    sectors: Mapping[str, str] | None,
) -> _Arrays:
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
    return _Arrays(tickers, mu, w0, model.factor, model.diagonal, buy, sell, borrow, sector_rows, scale)


def _replace_mu(arrays: _Arrays, mu: np.ndarray) -> _Arrays:
    return _Arrays(**{**arrays.__dict__, "mu": mu})


def _variance(arrays: _Arrays, w: np.ndarray) -> float:
    return float(np.sum((arrays.factor @ w) ** 2) + arrays.diagonal @ w**2)


def _risk_expr(arrays: _Arrays, w: cp.Expression) -> cp.Expression:
    expr = cp.sum_squares(arrays.factor @ w)
    if np.any(arrays.diagonal > 0):
        expr = expr + cp.sum_squares(cp.multiply(np.sqrt(arrays.diagonal), w))
    return expr


def _constraint_groups(
    arrays: _Arrays, profile: OptimizationProfile, kappa: cp.Expression | float
) -> tuple[cp.Expression, cp.Expression, cp.Expression, dict[str, list[cp.Constraint]]]:
    """Variables and named constraint groups; ``kappa`` homogenises every bound (1 outside max-Sharpe)."""
    n = len(arrays.tickers)
    long = cp.Variable(n, nonneg=True)
    short = None if profile.long_only else cp.Variable(n, nonneg=True)
    w = long if short is None else long - short
    bought, sold = cp.Variable(n, nonneg=True), cp.Variable(n, nonneg=True)
    paid = cp.Variable(name="paid")  # trade costs as a fraction of equity before the trade
    costs = paid
    borrow = 0.0 if short is None else arrays.borrow @ short
    gross = cp.sum(long) if short is None else cp.sum(long) + cp.sum(short)
    # Limits apply to the portfolio *after* paying the fees: |w| / (1 − paid) ≤ m  ⇔  |w| ≤ m (1 − paid),
    # still linear. Otherwise executing the answer would push positions at their limit over it.
    after = kappa - paid
    groups: dict[str, list[cp.Constraint]] = {
        "trade definition": [
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


def _build_utility(arrays: _Arrays, profile: OptimizationProfile) -> _Built:
    w, costs, borrow, groups = _constraint_groups(arrays, profile, 1.0)
    lam = cp.Parameter(nonneg=True, name="risk_aversion")
    utility = arrays.mu @ w - lam * _risk_expr(arrays, w) - costs - borrow
    problem = cp.Problem(cp.Maximize(utility / arrays.scale), _flatten(groups))
    return _Built(problem, w, None, groups, lam, costs)


def _build_max_sharpe(arrays: _Arrays, profile: OptimizationProfile) -> _Built:
    kappa = cp.Variable(nonneg=True, name="kappa")
    y, costs, borrow, groups = _constraint_groups(arrays, profile, kappa)
    groups["positive net expected return"] = [arrays.mu @ y - costs - borrow == 1.0]
    problem = cp.Problem(cp.Minimize(_risk_expr(arrays, y) / arrays.scale), _flatten(groups))
    return _Built(problem, y, kappa, groups, None, costs)


def _flatten(groups: dict[str, list[cp.Constraint]]) -> list[cp.Constraint]:
    return [c for group in groups.values() for c in group]


def _frontier(
    built: _Built, arrays: _Arrays, profile: OptimizationProfile, points: int
) -> list[FrontierPoint]:
    """Mean-variance optima over a log grid of λ around the profile's, re-solving the compiled problem."""
    centre = max(profile.risk_aversion, 1e-3)
    grid = np.geomspace(centre / 100, centre * 100, max(points, 2))
    out: list[FrontierPoint] = []
    for lam in grid:
        built.risk_aversion.value = float(lam)  # type: ignore[union-attr]
        built.problem.solve(solver=SOLVER)
        if built.problem.status != cp.OPTIMAL:
            continue  # a point the solver cannot certify is left out, never plotted wrong
        w = np.asarray(built.weights.value, dtype=float).ravel()
        out.append(
            FrontierPoint(float(lam), float(arrays.mu @ w), float(np.sqrt(max(_variance(arrays, w), 0))))
        )
    built.risk_aversion.value = profile.risk_aversion  # type: ignore[union-attr]
    return sorted(out, key=lambda p: p.volatility)


# -- diagnosis -----------------------------------------------------------------------------------------


def _infeasible_error(
    built: _Built, objective: str, arrays: _Arrays, profile: OptimizationProfile, *, wash: bool = False
) -> Unprocessable:
    status = "infeasible" if wash else built.problem.status
    label = objective.replace("_", " ")
    names = [g for g in built.groups if g != "trade definition"]
    details: dict = {"status": status, "binding": [], "groups": names}
    if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        # Probe the constraint set with the fees set to zero: with fees, buying and selling the same shares
        # inflates C and relaxes the "(1 − C)" limits, so every probe would look feasible.
        free = _Arrays(**{**arrays.__dict__, "buy": 0 * arrays.buy, "sell": 0 * arrays.sell})
        _, _, _, groups = _constraint_groups(free, profile, 1.0)
        if _feasible(_flatten(groups)):
            if built.kappa is not None:
                details["binding"] = ["positive net expected return"]
                return Unprocessable(
                    "The max sharpe problem has no solution: no portfolio allowed by the constraints has a "
                    "positive expected return above the risk-free rate after costs and borrow.",
                    details=details,
                )
            details["binding"] = ["cash"]
            return Unprocessable(
                f"The {label} problem is infeasible only because of the trading fees: reaching the exposure "
                "bounds costs more than the cash allows; lower net_min or add cash.",
                details=details,
            )
        culprits = _diagnose(groups)
        details["binding"] = culprits
        if culprits:
            message = (
                f"The {label} problem is infeasible; it becomes feasible when relaxing "
                f"{' or '.join(culprits)}."
            )
        else:
            message = (
                f"The {label} problem is infeasible; no single constraint group explains it "
                f"(the combination of {', '.join(names)} conflicts)."
            )
        return Unprocessable(message, details=details)
    if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
        return Unprocessable(
            f"The {label} problem is unbounded; add position or gross exposure limits.", details=details
        )
    return Unprocessable(
        f"The solver stopped with status {status!r} instead of an optimal solution; "
        "check the inputs (scale of expected returns and covariance) and constraints.",
        details=details,
    )


def _feasible(constraints: list[cp.Constraint]) -> bool:
    probe = cp.Problem(cp.Minimize(0), constraints)
    try:
        probe.solve(solver=SOLVER)
    except cp.SolverError:
        return False
    return probe.status == cp.OPTIMAL


def _diagnose(groups: dict[str, list[cp.Constraint]]) -> list[str]:
    """Constraint groups whose removal alone makes the feasibility problem solvable."""
    return [
        name
        for name in groups
        if name != "trade definition" and _feasible([c for g, cs in groups.items() if g != name for c in cs])
    ]
