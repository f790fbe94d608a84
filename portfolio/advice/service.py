"""The default advice of a stored portfolio: gathers prices, the risk model and the tax ledger, calls
:func:`portfolio.advice.core.advise`. Reads only; storing the orders is the caller's business."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import numpy as np
import pandas as pd
from django.conf import settings

from portfolio.advice.core import Advice, AdviceProfile, Holdings, advise
from portfolio.models import Portfolio
from portfolio.risk import estimate_risk_model
from portfolio.tax_reads import tax_position_of
from swingtrade.errors import DomainError, ServiceUnavailable

logger = logging.getLogger("swingtrade.portfolio.advice")
CALENDAR_DAYS_PER_SESSION = 1.6  # calendar days that cover a window of sessions, with holidays


def advice_profile(portfolio: Portfolio) -> AdviceProfile:
    """The portfolio's risk profile as the advice reads it (caps, how much is invested, λ)."""
    from market.selectors import ticker_sectors

    return AdviceProfile(
        max_weight=portfolio.max_position_weight,
        max_sector_weight=portfolio.max_sector_weight,
        invested=min(1.0, portfolio.max_gross_exposure),
        risk_aversion=settings.ADVICE_RISK_AVERSION,
        sectors=ticker_sectors(),
    )


def model_tilt(as_of: dt.date) -> tuple[pd.Series | None, float]:
    """The champion's expected returns (arithmetic, over its horizon) and its measured reliability.

    No champion, a closed gate or no prediction for the day: no tilt (reliability 0) — the advice is
    minimum variance and does not depend on the model being available.
    """
    from mlcore.serving.predict import predictions_frame

    try:
        frame, version = predictions_frame(as_of=as_of)
    except (ServiceUnavailable, DomainError) as exc:
        logger.info("advice without a model tilt", extra={"as_of": str(as_of), "reason": str(exc)})
        return None, 0.0
    from market.selectors import held_out_tickers

    # A ticker held out for an unconfirmed price break gets no view (as in the optimiser).
    frame = frame.drop(index=list(held_out_tickers(as_of)), errors="ignore")
    reliability = float(getattr(version, "reliability", 0.0) or 0.0)
    return np.expm1(frame["expected_return"].astype(float)), min(max(reliability, 0.0), 1.0)


def default_advice(*, portfolio: Portfolio, as_of: dt.date | None = None) -> Advice:
    """The product's default advice for ``portfolio`` on ``as_of`` (default: the latest bar).

    Raises ``DomainError`` (400) without prices or with short positions (the advice is long-only),
    ``Unprocessable`` (422) when the caps cannot be met or a holding has no risk estimate.
    """
    from market.models import Ticker
    from market.selectors import latest_bar_date, price_panel

    as_of = as_of or latest_bar_date()
    if as_of is None:
        raise DomainError("No prices are loaded yet.")
    positions = list(portfolio.positions.select_related("ticker"))
    if any(p.quantity < 0 for p in positions):
        raise DomainError(
            "The default advice is long-only: cover the short positions or choose the signals style."
        )
    window = settings.OPTIMIZE_COVARIANCE_WINDOW
    start = as_of - dt.timedelta(days=int(window * CALENDAR_DAYS_PER_SESSION) + 10)
    adjusted = price_panel(start=start, end=as_of)
    if adjusted.empty:
        raise DomainError(f"No prices on or before {as_of}.")
    risk = estimate_risk_model(
        adjusted,
        window=window,
        horizon_days=settings.ADVICE_RISK_HORIZON_DAYS,
        estimator=settings.OPTIMIZE_COVARIANCE_ESTIMATOR,
    )
    # The last close on or before the day, in the stock's currency, then everything the advice weighs —
    # prices, cash, the PMP the French tax is computed on — in the portfolio's currency.
    closes = price_panel(field="close", tickers=risk.tickers, start=as_of - dt.timedelta(days=10), end=as_of)
    last = closes.ffill().iloc[-1].dropna() if not closes.empty else pd.Series(dtype=float)
    rates = to_base_rates(portfolio, list(last.index) + [p.ticker.symbol for p in positions], as_of)
    holdings = Holdings(
        shares=pd.Series({p.ticker.symbol: float(p.quantity) for p in positions}, dtype=float),
        pmp=pd.Series({p.ticker.symbol: _pmp_in_base(p, rates) for p in positions}, dtype=float),
        cash=float(portfolio.cash),
    )
    expected, reliability = model_tilt(as_of)
    advice = advise(
        holdings,
        last * rates.reindex(last.index),
        risk,
        tax_position_of(portfolio, year=as_of.year),
        portfolio.cost_profile.as_cost_model(),
        advice_profile(portfolio),
        expected,
        reliability,
        as_of=as_of,
        exchanges=dict(Ticker.objects.filter(symbol__in=risk.tickers).values_list("symbol", "exchange")),
    )
    # Orders go to the broker in the stock's currency; their fees and taxes stay in the portfolio's.
    orders = [
        dataclasses.replace(o, price=o.price / float(rates[o.ticker]), fx_rate=float(rates[o.ticker]))
        for o in advice.orders
    ]
    return dataclasses.replace(advice, orders=orders)


def to_base_rates(portfolio: Portfolio, symbols: list[str], as_of: dt.date) -> pd.Series:
    """Units of the portfolio's currency per unit of each stock's trading currency on ``as_of`` (1 when they
    are the same), at the stored rate: :func:`portfolio.selectors.ticker_rates_to_base`, the valuation's and
    the optimiser's rule, which refuses (422) when a needed rate is not stored."""
    from portfolio.selectors import ticker_rates_to_base

    return pd.Series(ticker_rates_to_base(portfolio.base_currency, symbols, as_of), dtype=float)


def _pmp_in_base(position, rates: pd.Series) -> float:
    """The French PMP in the portfolio's currency: stored at each purchase's rate when the currencies
    differ (``average_cost_base``); a position booked before that existed falls back to today's rate."""
    if position.average_cost_base is not None:
        return float(position.average_cost_base)
    return float(position.average_cost) * float(rates.get(position.ticker.symbol, 1.0))
