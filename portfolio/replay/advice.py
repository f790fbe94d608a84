"""Target holdings from the optimiser, for the replay's strategies: the product's advice, composed the way
``portfolio.optimization.portfolio_optimize`` composes it, from data cut at the replay's day.

``default_advice_targets`` is the one place the replay decides what "SwingTrade's default advice" is:
it calls the product's own pure advice (``portfolio.advice.core.advise``), so every replay follows the
product's advice as it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings

from portfolio import costs
from portfolio.models import OptimizationRun, Portfolio
from portfolio.optimize import CostRates, OptimizationProfile, optimize_weights, weights_to_trades
from portfolio.risk import estimate_risk_model
from swingtrade.errors import DomainError


def _default(field: str):
    return Portfolio._meta.get_field(field).default


@dataclass(frozen=True)
class AdviceProfile:
    """A new portfolio's risk profile and cost profile: the defaults a user starts from."""

    cost_model: costs.CostModel
    max_weight: float = _default("max_position_weight")
    horizon_days: int = _default("horizon_days")
    validity_sessions: int = _default("order_validity_sessions")
    cost_aversion: float | None = None  # κ of the default advice; None: the product's COST_AVERSION

    def optimisation_profile(self, objective: str) -> OptimizationProfile:
        profile = OptimizationProfile(
            max_weight=self.max_weight,
            gross_max=1.0,
            net_min=0.0,
            net_max=1.0,
            long_only=True,
            risk_aversion=settings.OPTIMIZE_RISK_AVERSION,
        )
        if objective == OptimizationRun.Objective.MIN_VARIANCE:
            # As portfolio_optimize: minimum variance over fully invested portfolios.
            profile = profile.with_overrides({"net_min": profile.net_max})
        return profile


def sigma_today(data, day: pd.Timestamp) -> pd.Series:
    """Daily volatility per ticker known at ``day``'s close (``portfolio.orders.fill.daily_volatility``)."""
    return data.volatility.loc[:day].iloc[-1]


def optimiser_targets(decision, *, objective: str, expected_returns: pd.Series | None) -> pd.Series | None:
    """Whole-share target holdings from ``optimize_weights`` and ``weights_to_trades``; None if unsolvable."""
    data, profile_in = decision.data, decision.profile
    window = settings.OPTIMIZE_COVARIANCE_WINDOW
    close_adj = data.panels.close.iloc[-(window + 1) :]
    if len(close_adj) <= window:
        return None  # not a year of history yet: the optimiser would refuse
    try:
        risk = estimate_risk_model(
            close_adj,
            window=window,
            horizon_days=profile_in.horizon_days,
            estimator=settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
        )
    except DomainError:
        return None
    raw_close = data.raw["close"].iloc[-1]
    sigma = sigma_today(data, decision.day)
    tickers = [t for t in risk.tickers if np.isfinite(raw_close.get(t, np.nan)) and sigma.get(t, 0) > 0]
    if not tickers:
        return None
    held = decision.weights.reindex(tickers).fillna(0.0)
    mu = (expected_returns if expected_returns is not None else pd.Series(0.0, index=tickers)).reindex(
        tickers
    )
    profile = profile_in.optimisation_profile(objective)
    rates = CostRates.from_cost_model(
        profile_in.cost_model,
        sigma_daily=sigma.reindex(tickers),
        trade_notional=decision.equity * profile.max_weight,
        horizon_days=profile_in.horizon_days,
    )
    try:
        result = optimize_weights(
            mu.fillna(0.0), risk.subset(tickers), held, profile, rates, data.sectors, objective=objective
        )
    except DomainError:  # also Unprocessable: no optimal solution today, so no new advice
        return None
    prices = raw_close.reindex(tickers)
    shares = decision.shares.reindex(tickers).fillna(0.0)
    plan = weights_to_trades(
        result.weights,
        current_shares=shares,
        prices=prices,
        cash=decision.cash,
        profile=profile,
        costs=rates,
        risk=risk.subset(tickers),
        mu=result.effective_mu,
        risk_aversion=result.effective_risk_aversion,
        sectors=data.sectors,
        min_net_benefit=settings.OPTIMIZE_MIN_NET_BENEFIT,
        target_cost=result.transaction_costs,
    )
    return plan.trades["target_shares"].astype(float)


def default_advice_targets(decision) -> pd.Series | None:
    """SwingTrade's default advice on the day: :func:`portfolio.advice.core.advise`, the function the
    product's ``default_advice`` calls, with the replay's holdings, tax state, risk model and model tilt.

    As in the product, a missing champion or a closed gate removes the model's tilt (minimum variance)
    rather than the advice. None (hold) when the day has no risk model or no solution.
    """
    from portfolio.advice.core import AdviceProfile as RiskProfile
    from portfolio.advice.core import Holdings, advise

    data = decision.data
    window = settings.OPTIMIZE_COVARIANCE_WINDOW
    adjusted = data.panels.close.iloc[-(window + 1) :]
    if len(adjusted) <= window:
        return None
    try:
        risk = estimate_risk_model(
            adjusted,
            window=window,
            horizon_days=settings.ADVICE_RISK_HORIZON_DAYS,
            estimator=settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
        )
    except DomainError:
        return None
    expected, reliability = (None, 0.0)
    if decision.lifecycle is not None:
        expected, reliability = decision.lifecycle.tilt(data.panels, decision.day)
    kappa = decision.profile.cost_aversion
    profile = RiskProfile(
        max_weight=decision.profile.max_weight,
        max_sector_weight=_default("max_sector_weight"),
        invested=1.0,
        risk_aversion=settings.ADVICE_RISK_AVERSION,
        sectors=data.sectors,
        **({} if kappa is None else {"cost_aversion": kappa}),
    )
    try:
        advice = advise(
            Holdings(shares=decision.shares, pmp=decision.pmp, cash=decision.cash),
            data.raw["close"].iloc[-1].dropna(),
            risk,
            decision.tax_state,
            decision.profile.cost_model,
            profile,
            expected,
            reliability,
            as_of=decision.day.date(),
        )
    except DomainError:  # also Unprocessable: caps that cannot be met, a holding without a risk estimate
        return None
    targets = decision.shares.astype(float).copy()
    for order in advice.orders:
        signed = order.quantity if order.side in costs.BUYING_SIDES else -order.quantity
        targets[order.ticker] = targets.get(order.ticker, 0.0) + signed
    return targets
