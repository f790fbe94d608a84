"""Optimisation service: from a portfolio and the champion's predictions to a stored run and order proposals.

Composition only — every rule lives elsewhere: expected returns and reliability in
:mod:`mlcore.serving.predict`, prices and sectors in :mod:`market.selectors`, sessions in
:mod:`market.calendar`, cost rates in :mod:`portfolio.costs`, the convex problem and whole-share rounding
in :mod:`portfolio.optimize` (this module is its database-facing service), order prices / fill
probability in :mod:`portfolio.orders`, and the path from a share change to stored proposals and the
replacement of open ones in :mod:`portfolio.proposals` (shared with the proposal engine). The steps:
:func:`optimisation_inputs` → :func:`solve` → :func:`store_orders` → :func:`store_run`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.translation import gettext_noop

from market.selectors import ticker_sectors
from portfolio.models import OptimizationRun, OrderProposal, Portfolio
from portfolio.optimize import (
    OBJECTIVES,
    SOLVER,
    CostRates,
    OptimizationProfile,
    OptimizationResult,
    TradePlan,
    optimize_weights,
    portfolio_variance,
    weights_to_trades,
)
from portfolio.optimize.reference import (
    OBJECTIVE_NAMES,
    OBJECTIVE_SOLVES,
    reference_minimum_variance,
    risk_change_reason,
)
from portfolio.proposals import (
    Execution,
    ProposalBatch,
    propose,
    replace_open_proposals,
    share_change_orders,
)
from portfolio.services.optimization_inputs import (
    OptimisationInputs,
    optimisation_inputs,
    portfolio_profile,
)
from swingtrade.errors import DomainError

if TYPE_CHECKING:
    pass

logger = logging.getLogger("swingtrade.portfolio")
A = OrderProposal.Action


def _fingerprint(**arrays: Any) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = arrays[name]
        if isinstance(value, pd.Series | pd.DataFrame):
            digest.update(name.encode())
            digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        else:
            digest.update(json.dumps({name: value}, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def solve(
    portfolio: Portfolio, inputs: OptimisationInputs, profile: OptimizationProfile, objective: str
) -> tuple[OptimizationResult, TradePlan, int | None]:
    """Step 2: the convex problem, then whole shares (the trades worth their costs)."""
    rates = CostRates.from_cost_model(
        portfolio.cost_profile.as_cost_model(),
        sigma_daily=pd.Series({t: inputs.markets[t].sigma for t in inputs.tickers}),
        trade_notional=inputs.equity * profile.max_weight,
        horizon_days=portfolio.horizon_days,
        exchanges={t: inputs.markets[t].exchange for t in inputs.tickers},
    )
    sectors = ticker_sectors()
    factors = settings.OPTIMIZE_MAX_FACTORS  # 0 = the exact covariance (the default)
    max_factors = factors if 0 < factors < len(inputs.tickers) else None
    result = optimize_weights(
        inputs.mu,
        inputs.risk,
        inputs.w0,
        profile,
        rates,
        sectors,
        objective=objective,
        frontier_points=settings.OPTIMIZE_FRONTIER_POINTS,
        max_factors=max_factors,
        frontier_factors=settings.OPTIMIZE_FRONTIER_FACTORS,
    )
    plan = weights_to_trades(
        result.weights,
        current_shares=inputs.shares,
        prices=inputs.close,
        cash=float(inputs.valuation.cash),
        profile=profile,
        costs=rates,
        risk=inputs.risk,
        mu=result.effective_mu,
        risk_aversion=result.effective_risk_aversion,
        sectors=sectors,
        min_net_benefit=settings.OPTIMIZE_MIN_NET_BENEFIT,
        target_cost=result.transaction_costs,
    )
    return result, plan, max_factors


def store_orders(
    portfolio: Portfolio,
    inputs: OptimisationInputs,
    objective: str,
    result: OptimizationResult,
    plan: TradePlan,
) -> list[OrderProposal]:
    """Step 3: each share change as orders, through the path the proposal engine uses.

    The optimiser's trades are steps to the target, valued with the risk they remove: priced on their own
    edge, a risk-cutting sell would rest far away and rarely fill, hence ``Execution.MUST_FILL``.
    """
    batch = ProposalBatch.build(
        portfolio=portfolio,
        as_of=inputs.as_of,
        cost_model=portfolio.cost_profile.as_cost_model(),
        markets={t: inputs.markets[t] for t in plan.orders.index},
        positions=inputs.held,
        model_version=inputs.model_version,
    )
    proposals: list[OrderProposal] = []
    for ticker, row in plan.orders.iterrows():
        reason = _reason(objective, row, result.weights[ticker])
        for side, quantity, action in share_change_orders(int(row["current_shares"]), int(row["delta"])):
            proposals += propose(
                batch,
                ticker,
                action,
                side,
                quantity,
                expected_return=float(inputs.mu[ticker]),
                reasons=[reason],
                execution=Execution.MUST_FILL,
            )
    replace_open_proposals(portfolio=portfolio, new=proposals)
    return proposals


def store_run(
    *,
    portfolio: Portfolio,
    inputs: OptimisationInputs,
    profile: OptimizationProfile,
    objective: str,
    overrides: Mapping[str, Any] | None,
    result: OptimizationResult,
    plan: TradePlan,
    max_factors: int | None,
    proposals: list[OrderProposal],
    user: Any,
) -> OptimizationRun:
    """Step 4: the run, with its inputs' fingerprint, the weights before/target/after and its orders."""
    final = plan.trades["final_weight"]
    risk = inputs.risk
    run = OptimizationRun.objects.create(
        portfolio=portfolio,
        created_by=user if getattr(user, "pk", None) else None,  # anonymous users are not stored
        as_of=inputs.as_of,
        objective=objective,
        parameters={
            "profile": asdict(profile),
            "overrides": dict(overrides or {}),
            "covariance": {
                "estimator": settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
                "window": settings.OPTIMIZE_COVARIANCE_WINDOW,
                "shrinkage": risk.shrinkage,
                "excluded": risk.excluded,
                "max_factors": max_factors,
            },
            "reliability": inputs.reliability,
            "cost_profile": portfolio.cost_profile.name,
            "min_net_benefit": settings.OPTIMIZE_MIN_NET_BENEFIT,
            "execution": _execution(proposals),
            "risk": _risk_report(inputs, profile, objective, result, final),
        },
        inputs_fingerprint=_fingerprint(
            mu=inputs.mu, w0=inputs.w0, prices=inputs.prices, close=inputs.close, profile=asdict(profile)
        ),
        model_version=inputs.model_version,
        horizon_days=portfolio.horizon_days,
        solver=SOLVER,
        solver_status=result.status,
        solve_seconds=result.solve_time,
        compile_seconds=result.compile_time,
        current_weights=_weights(inputs.w0),
        target_weights=_weights(result.weights),
        final_weights=_weights(final),
        expected_return_before=result.current_expected_return,
        expected_return_after=float(inputs.mu.reindex(final.index).fillna(0.0) @ final),
        volatility_before=result.current_volatility,
        volatility_after=float(np.sqrt(max(portfolio_variance(risk, final), 0.0))),
        turnover=result.turnover,
        transaction_costs=result.transaction_costs,
        borrow_cost=result.borrow_cost,
        trade_costs_money=plan.total_cost,
        frontier=[asdict(p) for p in result.frontier],
        skipped=plan.skipped,
    )
    run.proposals.set(proposals)
    return run


@transaction.atomic
def portfolio_optimize(
    *,
    portfolio: Portfolio,
    objective: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
    user: Any = None,
) -> OptimizationRun:
    """Optimise the portfolio, round to whole shares, price each order and store the run.

    Raises ``DomainError`` (400) for bad objective/overrides or no data, ``Unprocessable`` (422) when the
    constraints have no solution (the message names them), ``ServiceUnavailable`` (503) from mlcore when
    no champion may serve predictions. Nothing is written unless a run is stored.
    """
    from market.selectors import latest_bar_date

    objective = objective or OptimizationRun.Objective.MEAN_VARIANCE
    if objective not in OBJECTIVES:
        raise DomainError(
            gettext_noop("Unknown objective %(objective)r; use one of %(objectives)s."),
            params={"objective": objective, "objectives": ", ".join(OBJECTIVES)},
        )
    profile = portfolio_profile(portfolio, overrides)
    if objective == OptimizationRun.Objective.MIN_VARIANCE and "net_min" not in (overrides or {}):
        # Minimum variance over fully invested portfolios (with cash allowed, all cash is the trivial answer).
        profile = profile.with_overrides({"net_min": profile.net_max})
    as_of = as_of or latest_bar_date()
    if as_of is None:
        raise DomainError(gettext_noop("No prices are loaded yet."))

    inputs = optimisation_inputs(portfolio, as_of)
    result, plan, max_factors = solve(portfolio, inputs, profile, objective)
    proposals = store_orders(portfolio, inputs, objective, result, plan)
    run = store_run(
        portfolio=portfolio,
        inputs=inputs,
        profile=profile,
        objective=objective,
        overrides=overrides,
        result=result,
        plan=plan,
        max_factors=max_factors,
        proposals=proposals,
        user=user,
    )
    # Callers show the run with its orders (API body, command, page): one query for all, not one per order.
    prefetch_related_objects([run], "proposals__ticker")
    logger.info(
        "portfolio optimised",
        extra={
            "portfolio": portfolio.pk,
            "run": run.pk,
            "objective": objective,
            "orders": len(proposals),
            "solve_seconds": round(result.solve_time, 4),
        },
    )
    return run


def optimization_runs_of(portfolio: Portfolio) -> QuerySet[OptimizationRun]:
    return portfolio.optimizations.prefetch_related("proposals__ticker")


def _execution(proposals: list[OrderProposal]) -> dict[str, float | None]:
    """How likely the plan is to be carried out: the run's "after" figures hold if every order fills.

    ``all_fill_probability`` treats the orders' fills as independent (a product); ``None`` without orders.
    """
    probabilities = [p.fill_probability for p in proposals if p.fill_probability is not None]
    return {
        "all_fill_probability": float(np.prod(probabilities)) if probabilities else None,
        "min_fill_probability": min(probabilities) if probabilities else None,
    }


def _risk_report(
    inputs: OptimisationInputs,
    profile: OptimizationProfile,
    objective: str,
    result: OptimizationResult,
    final: pd.Series,
) -> dict[str, Any]:
    """What the objective solves, why risk rose (minimum variance), and the cost-free minimum beside it."""
    volatility_after = float(np.sqrt(max(portfolio_variance(inputs.risk, final), 0.0)))
    report: dict[str, Any] = {
        "objective_solves": OBJECTIVE_SOLVES[objective],
        "risk_change_reason": risk_change_reason(
            objective=objective,
            volatility_before=result.current_volatility,
            volatility_after=volatility_after,
            net_before=float(inputs.w0.sum()),
            net_after=float(final.sum()),
        ),
    }
    if objective == OptimizationRun.Objective.MIN_VARIANCE:
        reference = reference_minimum_variance(inputs.risk, inputs.tickers, profile, ticker_sectors())
        report["cost_aware_minimum_volatility"] = result.volatility  # the target, before rounding
        report["cost_free_minimum_variance"] = {
            "volatility": reference.volatility,
            "weights": _weights(reference.weights),
            "what": "the same limits, no trading costs, starting from cash",
        }
    return report


def _weights(series: pd.Series) -> dict[str, float]:
    return {str(t): round(float(v), 8) for t, v in series.items() if abs(v) > 1e-10}


def _reason(objective: str, row: pd.Series, target_weight: float) -> str:
    return (
        f"{OBJECTIVE_NAMES[objective]} optimisation moves this position to {row['final_weight']:.2%} "
        f"of equity (continuous target {target_weight:.2%}); expected value added {row['benefit']:.2f} "
        f"net of {row['cost']:.2f} of estimated costs."
    )
