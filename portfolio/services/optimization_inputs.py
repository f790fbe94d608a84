"""The optimiser's inputs from the database: the risk profile as constraints, and one day's data.

Step 1 of :func:`portfolio.services.optimization.portfolio_optimize`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext_noop

from portfolio import selectors
from portfolio.models import Portfolio
from portfolio.optimize import OptimizationProfile, horizon_expected_returns
from portfolio.proposals import Market
from portfolio.risk import RiskModel, estimate_risk_model
from swingtrade.errors import DomainError, Unprocessable

if TYPE_CHECKING:
    from mlcore.models import ModelVersion


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


@dataclass(frozen=True)
class OptimisationInputs:
    """Everything the optimiser needs on ``as_of``, read from the database once."""

    as_of: dt.date
    model_version: ModelVersion
    reliability: float
    mu: pd.Series  # expected arithmetic return over the horizon, shrunk by the reliability
    valuation: selectors.Valuation  # in the portfolio's currency, every rate found
    held: dict[str, selectors.PositionValue]
    prices: pd.DataFrame
    risk: RiskModel
    markets: dict[str, Market]  # prices in each stock's own currency: what orders are priced in
    tickers: list[str]
    close: pd.Series  # the day's close in the portfolio's currency (stored rate of ``as_of``): sizes shares
    shares: pd.Series  # held shares per ticker (0 when not held)
    w0: pd.Series  # current weights, in the portfolio's currency
    equity: float  # in the portfolio's currency


def optimisation_inputs(portfolio: Portfolio, as_of: dt.date) -> OptimisationInputs:
    """Step 1: predictions, holdings, prices, risk model and market state on ``as_of``.

    The covariance window is counted in sessions of the default exchange (``market.calendar``), the
    expected returns are the champion's shrunk by its reliability (no demonstrated edge: none). Cash,
    equity, weights and the closes that turn weights into shares are in the portfolio's currency, at the
    stored rate of ``as_of``; a currency without one is a 422 rather than dollars added to euros.
    """
    from market import calendar
    from market.selectors import held_out_tickers, price_panel
    from mlcore.serving.predict import predictions_frame
    from portfolio.proposals import market_state

    horizon = portfolio.horizon_days
    frame, model_version = predictions_frame(as_of=as_of)
    # No view on a ticker with an unconfirmed price break (held positions stay, risk only).
    frame = frame.drop(index=list(held_out_tickers(as_of)), errors="ignore")
    reliability = model_version.reliability
    mu_all = horizon_expected_returns(
        frame["expected_return"],
        reliability=reliability,
        model_horizon=model_version.horizon,
        horizon=horizon,
    )
    valuation = selectors.portfolio_valuation(portfolio, today=as_of).require_rates()
    if not valuation.equity or valuation.equity <= 0:
        raise Unprocessable(gettext_noop("The portfolio has no positive equity to allocate."))
    held = {p.ticker: p for p in valuation.positions}
    universe = sorted(set(mu_all.index.astype(str)) | set(held))

    window = settings.OPTIMIZE_COVARIANCE_WINDOW
    # One session more than the window: ``window`` returns need ``window + 1`` closes.
    start = calendar.window_start(calendar.DEFAULT_EXCHANGE, as_of, window + 1)
    prices = price_panel(tickers=universe, start=start, end=as_of)
    risk = estimate_risk_model(
        prices, window=window, horizon_days=horizon, estimator=settings.OPTIMIZE_COVARIANCE_ESTIMATOR
    )
    markets = market_state(list(risk.tickers), as_of, portfolio.order_validity_sessions)
    unmodelled = sorted(t for t in held if t not in markets or t not in risk.tickers)
    if unmodelled:
        raise Unprocessable(
            gettext_noop(
                "Held tickers without enough recent prices for the risk model: %(tickers)s. "
                "Close them or wait for more history."
            ),
            params={"tickers": ", ".join(unmodelled)},
            details={"tickers": unmodelled},
        )
    tickers = [t for t in risk.tickers if t in markets]
    if not tickers:
        raise DomainError(
            gettext_noop("No ticker has both predictions and enough price history to optimise.")
        )
    to_base = selectors.ticker_rates_to_base(portfolio.base_currency, tickers, as_of)
    close = pd.Series({t: markets[t].price * to_base[t] for t in tickers})
    shares = pd.Series({t: float(p.quantity) for t, p in held.items()}, dtype=float)
    shares = shares.reindex(tickers).fillna(0.0)
    equity = float(valuation.cash + float(shares @ close))
    return OptimisationInputs(
        as_of=as_of,
        model_version=model_version,
        reliability=reliability,
        mu=mu_all.reindex(tickers).fillna(0.0),  # held without a prediction: no view, risk only
        valuation=valuation,
        held=held,
        prices=prices,
        risk=risk,
        markets=markets,
        tickers=tickers,
        close=close,
        shares=shares,
        w0=(shares * close / equity).astype(float),
        equity=equity,
    )
