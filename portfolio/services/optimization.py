"""Optimisation service: from a portfolio and the champion's predictions to a stored run and order proposals.

Composition only — every rule lives elsewhere: expected returns and reliability in :mod:`mlcore.predict`,
prices and sectors in :mod:`market.selectors`, cost rates in :mod:`portfolio.costs`, the convex problem and
whole-share rounding in :mod:`portfolio.optimize`, order prices / validity / fill probability in
:mod:`portfolio.orders` (through the market state, order plan and proposal storage of
:mod:`portfolio.proposals`, shared with the proposal engine).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects

from portfolio import costs, selectors
from portfolio.models import OptimizationRun, OrderProposal, Portfolio
from portfolio.optimize import (
    OBJECTIVES,
    SOLVER,
    CostRates,
    OptimizationProfile,
    horizon_expected_returns,
    optimize_weights,
    portfolio_variance,
    weights_to_trades,
)
from portfolio.risk import estimate_risk_model
from swingtrade.errors import DomainError, Unprocessable

logger = logging.getLogger("swingtrade.portfolio")
A = OrderProposal.Action
CALENDAR_DAYS_PER_SESSION = 1.6  # enough calendar days to cover the covariance window of sessions


def portfolio_profile(
    portfolio: Portfolio, overrides: Mapping[str, Any] | None = None
) -> OptimizationProfile:
    """The optimiser's constraints from the portfolio's risk profile, tightened by the request's overrides.

    Cash stays ≥ 0 (the optimiser does not borrow cash even when ``cash_margin`` allows the order engine to).
    Overrides that would loosen the profile (shorts on a long-only portfolio, a higher position, gross or
    net limit…) are a ``DomainError`` naming the field and the profile's limit
    (:meth:`OptimizationProfile.tightened`, the one place for that rule).
    """
    long_only = not portfolio.allow_short
    base = OptimizationProfile(
        max_weight=portfolio.max_position_weight,
        gross_max=portfolio.max_gross_exposure,
        net_min=0.0,
        net_max=min(1.0, portfolio.max_gross_exposure),
        long_only=long_only,
        risk_aversion=settings.OPTIMIZE_RISK_AVERSION,
    )
    return base.tightened(overrides)


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


def _expected_returns(frame: pd.DataFrame, model_version: Any, horizon: int) -> tuple[pd.Series, float]:
    """Arithmetic expected returns over the portfolio's horizon, shrunk by the champion's reliability."""
    reliability = float(getattr(model_version, "reliability", 1.0) or 0.0)
    mu = horizon_expected_returns(
        frame["expected_return"],
        reliability=reliability,
        model_horizon=getattr(model_version, "horizon", None),
        horizon=horizon,
    )
    return mu, reliability


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
    from market.selectors import latest_bar_date, price_panel, ticker_sectors
    from mlcore.serving.predict import predictions_frame
    from portfolio.orders import pricing
    from portfolio.proposals import ProposalBatch, entry_levels, market_state, order_plan, proposal_store

    objective = objective or OptimizationRun.Objective.MEAN_VARIANCE
    if objective not in OBJECTIVES:
        raise DomainError(f"Unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}.")
    profile = portfolio_profile(portfolio, overrides)
    if objective == OptimizationRun.Objective.MIN_VARIANCE and "net_min" not in (overrides or {}):
        # Minimum variance over fully invested portfolios (with cash allowed, all cash is the trivial answer).
        profile = profile.with_overrides({"net_min": profile.net_max})
    as_of = as_of or latest_bar_date()
    if as_of is None:
        raise DomainError("No prices are loaded yet.")
    horizon = portfolio.horizon_days
    validity = portfolio.order_validity_sessions

    frame, model_version = predictions_frame(as_of=as_of)
    mu_all, reliability = _expected_returns(frame, model_version, horizon)
    valuation = selectors.portfolio_valuation(portfolio, today=as_of)
    if valuation.equity <= 0:
        raise Unprocessable("The portfolio has no positive equity to allocate.")
    held = {p.ticker: p for p in valuation.positions}
    universe = sorted(set(mu_all.index.astype(str)) | set(held))

    window = settings.OPTIMIZE_COVARIANCE_WINDOW
    start = as_of - dt.timedelta(days=int(window * CALENDAR_DAYS_PER_SESSION) + 10)
    prices = price_panel(tickers=universe, start=start, end=as_of)
    risk = estimate_risk_model(
        prices,
        window=window,
        horizon_days=horizon,
        estimator=settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
    )
    state = market_state(list(risk.tickers), as_of, validity)
    unmodelled = sorted(t for t in held if t not in state or t not in risk.tickers)
    if unmodelled:
        raise Unprocessable(
            "Held tickers without enough recent prices for the risk model: "
            f"{', '.join(unmodelled)}. Close them or wait for more history.",
            details={"tickers": unmodelled},
        )
    tickers = [t for t in risk.tickers if t in state]
    if not tickers:
        raise DomainError("No ticker has both predictions and enough price history to optimise.")
    mu = mu_all.reindex(tickers).fillna(0.0)  # held without a prediction: no view, risk only
    close = pd.Series({t: state[t].price for t in tickers})
    sigma_daily = pd.Series({t: state[t].sigma for t in tickers})
    shares = pd.Series({t: float(p.quantity) for t, p in held.items()}, dtype=float)
    equity = float(valuation.cash + float(shares.reindex(tickers).fillna(0) @ close))
    w0 = (shares.reindex(tickers).fillna(0.0) * close / equity).astype(float)

    model = portfolio.cost_profile.as_cost_model()
    rates = CostRates.from_cost_model(
        model,
        sigma_daily=sigma_daily,
        trade_notional=equity * profile.max_weight,
        horizon_days=horizon,
        exchanges={t: state[t].exchange for t in tickers},
    )
    sectors = ticker_sectors()
    factors = settings.OPTIMIZE_MAX_FACTORS  # 0 = the exact covariance (the default)
    max_factors = factors if 0 < factors < len(tickers) else None
    result = optimize_weights(
        mu,
        risk,
        w0,
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
        current_shares=shares.reindex(tickers).fillna(0.0),
        prices=close,
        cash=float(valuation.cash),
        profile=profile,
        costs=rates,
        risk=risk,
        mu=result.effective_mu,
        risk_aversion=result.effective_risk_aversion,
        sectors=sectors,
        min_net_benefit=settings.OPTIMIZE_MIN_NET_BENEFIT,
        target_cost=result.transaction_costs,
    )

    # A new set of proposals replaces what is still open from earlier runs (as the proposal engine does).
    portfolio.proposals.filter(status=OrderProposal.Status.PROPOSED).update(
        status=OrderProposal.Status.EXPIRED
    )
    batch = ProposalBatch.build(
        portfolio=portfolio,
        as_of=as_of,
        cost_model=model,
        markets={t: state[t] for t in plan.orders.index},
        positions=held,
        model_version=model_version if getattr(model_version, "pk", None) else None,
    )
    proposals = []
    for ticker, row in plan.orders.iterrows():
        reason = _reason(objective, row, result.weights[ticker])
        for side, quantity, action in _orders_for(int(row["current_shares"]), int(row["delta"])):
            is_entry = action in (A.ENTER, A.ADD)
            r = float(mu[ticker])
            # The optimiser's trades are steps to the target, valued with the risk they remove: priced on
            # their own edge, a risk-cutting sell would rest far away and rarely fill.
            order = pricing.must_fill_plan(
                order_plan(batch, ticker, side, quantity, expected_return=r, is_entry=is_entry)
            )
            stop = take = None
            if is_entry:
                _, stop, take = entry_levels(batch, ticker, side, order, expected_return=r)
            proposals.append(
                proposal_store(
                    batch,
                    ticker,
                    action,
                    side,
                    quantity,
                    order,
                    [reason, *order.reasons],
                    stop_loss=stop,
                    take_profit=take,
                )
            )

    final = plan.trades["final_weight"]
    run = OptimizationRun.objects.create(
        portfolio=portfolio,
        created_by=user if getattr(user, "pk", None) else None,
        as_of=as_of,
        objective=objective,
        parameters={
            "profile": asdict(profile),
            "overrides": dict(overrides or {}),
            "covariance": {
                "estimator": settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
                "window": window,
                "shrinkage": risk.shrinkage,
                "excluded": risk.excluded,
                "max_factors": max_factors,
            },
            "reliability": reliability,
            "cost_profile": portfolio.cost_profile.name,
            "min_net_benefit": settings.OPTIMIZE_MIN_NET_BENEFIT,
            "execution": _execution(proposals),
        },
        inputs_fingerprint=_fingerprint(mu=mu, w0=w0, prices=prices, close=close, profile=asdict(profile)),
        model_version=batch.model_version,
        horizon_days=horizon,
        solver=SOLVER,
        solver_status=result.status,
        solve_seconds=result.solve_time,
        compile_seconds=result.compile_time,
        current_weights=_weights(w0),
        target_weights=_weights(result.weights),
        final_weights=_weights(final),
        expected_return_before=result.current_expected_return,
        expected_return_after=float(mu.reindex(final.index).fillna(0.0) @ final),
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


def _weights(series: pd.Series) -> dict[str, float]:
    return {str(t): round(float(v), 8) for t, v in series.items() if abs(v) > 1e-10}


def _orders_for(current: int, delta: int) -> list[tuple[str, int, str]]:
    """(side, quantity, action) of a signed share change; crossing zero is a close then an open."""
    target = current + delta
    if delta > 0:
        if current < 0:
            cover = min(delta, -current)
            out = [(costs.COVER, cover, A.COVER if target >= 0 else A.TRIM)]
            if target > 0:
                out.append((costs.BUY, target, A.ENTER))
            return out
        return [(costs.BUY, delta, A.ENTER if current == 0 else A.ADD)]
    if current > 0:
        sell = min(-delta, current)
        out = [(costs.SELL, sell, A.EXIT if target <= 0 else A.TRIM)]
        if target < 0:
            out.append((costs.SHORT, -target, A.ENTER))
        return out
    return [(costs.SHORT, -delta, A.ENTER if current == 0 else A.ADD)]


def _reason(objective: str, row: pd.Series, target_weight: float) -> str:
    label = dict(OptimizationRun.Objective.choices)[objective]
    return (
        f"{label} optimisation moves this position to {row['final_weight']:.2%} of equity "
        f"(continuous target {target_weight:.2%}); expected value added {row['benefit']:.2f} "
        f"net of {row['cost']:.2f} of estimated costs."
    )
