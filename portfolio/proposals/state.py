"""What the proposal engine knows of each ticker on the day: close, volatility, overnight share, exchange."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from market import calendar, clock
from portfolio.orders import fill
from swingtrade.errors import DomainError

VOL_WINDOW = 20
# Sessions searched for the VOL_WINDOW sessions of prices the volatility needs (a few bars may be missing).
HISTORY_LOOKBACK_SESSIONS = 2 * VOL_WINDOW
# About 18 months of sessions: a year of closed order windows to measure the volatility estimate's error.
VOLATILITY_ERROR_SESSIONS = 378
LAST_CLOSE_SESSIONS = 7  # how far back a ticker's last close may be (a stale one is flagged by its date)


@dataclass
class Market:
    """What the engine knows of one ticker on ``as_of``."""

    price: float  # raw traded close
    sigma: float
    overnight: float
    exchange: str | None
    vol_log_mean: float = 0.0
    vol_log_sd: float = 0.0
    price_date: dt.date | None = None  # day of the close: a stale one cannot price an order on as_of


def proposal_day(as_of: dt.date | None) -> tuple[dt.date, list[str]]:
    """The session whose prices and predictions a proposal run uses, and what to tell the user about it.

    ``None`` means the latest day with prices. A day that is not a session (weekend, holiday) uses the
    last session on or before it, and says so. Refused with :class:`~swingtrade.errors.DomainError`
    (400): a day in the future, outside the exchange calendar, without prices on its session, or with
    fewer than ``VOL_WINDOW`` sessions of prices before it (the volatility needs them).
    """
    from market.selectors import latest_bar_date, price_panel

    latest = latest_bar_date()
    if latest is None:
        raise DomainError("No prices are loaded yet.")
    if as_of is None:
        as_of = latest
    exchange = calendar.DEFAULT_EXCHANGE  # one day for a whole portfolio: the default exchange's
    if clock.is_future(as_of, exchange):
        raise DomainError(f"as_of {as_of} is in the future; the latest prices are of {latest}.")
    try:
        session = calendar.session_on_or_before(exchange, as_of)
    except ValueError as exc:
        raise DomainError(f"as_of {exc}.") from exc
    start = calendar.window_start(exchange, session, HISTORY_LOOKBACK_SESSIONS)
    closes = price_panel(field="close", start=start, end=session)
    days = closes.index.date if len(closes.index) else []
    if session not in set(days):
        day = f"{session}" + (f" (the session of {as_of})" if session != as_of else "")
        if latest < session:
            raise DomainError(f"No prices for {day}: the latest prices are of {latest}.")
        raise DomainError(f"No prices for {day}: no bar was loaded for that session.")
    if len(days) < VOL_WINDOW:
        raise DomainError(
            f"Not enough history on {session}: {len(days)} sessions of prices in the "
            f"{HISTORY_LOOKBACK_SESSIONS} {exchange} sessions up to it, the volatility estimate needs "
            f"{VOL_WINDOW}."
        )
    notes = []
    if session != as_of:
        notes.append(
            f"{as_of} is not a session of the {exchange} calendar: prices and predictions "
            f"are of {session}, the last session before it."
        )
    return session, notes


def market_state(tickers: list[str], as_of: dt.date, validity: int) -> dict[str, Market]:
    """Traded close, daily volatility (and its forecast error), overnight share and exchange per ticker.

    Tickers without a recent close or a positive finite volatility are left out.
    """
    from market.models import Ticker
    from market.selectors import adjusted_ohlcv, bars_frame

    exchange = calendar.DEFAULT_EXCHANGE  # one history window for all tickers of the run
    start = calendar.window_start(exchange, as_of, VOLATILITY_ERROR_SESSIONS)
    prices = adjusted_ohlcv(tickers=tickers, start=start, end=as_of)
    if prices["close"].empty:
        return {}
    sigma_frame = fill.daily_volatility(prices, VOL_WINDOW)
    sigma = sigma_frame.iloc[-1]
    error = fill.volatility_forecast_error(prices, sigma_frame, validity).iloc[-1].fillna(0.0)
    if {"open", "high", "low"} <= prices.keys():
        gap = fill.overnight_variance_fraction(prices["open"], prices["high"], prices["low"], prices["close"])
        overnight = gap.iloc[-1]
    else:
        overnight = pd.Series(0.0, index=sigma.index)
    recent = calendar.window_start(exchange, as_of, LAST_CLOSE_SESSIONS)
    raw = bars_frame(tickers=tickers, start=recent, end=as_of)
    last_bar = raw.sort_values("date").groupby("ticker")[["date", "close"]].last()
    last_close, last_date = last_bar["close"], last_bar["date"]
    exchanges = dict(Ticker.objects.filter(symbol__in=tickers).values_list("symbol", "exchange"))
    out = {}
    for t in tickers:
        s, p = sigma.get(t), last_close.get(t)
        if p is None or s is None or not (math.isfinite(s) and s > 0):
            continue
        o = overnight.get(t)
        out[t] = Market(
            float(p),
            float(s),
            float(o) if o is not None and math.isfinite(o) else 0.2,
            exchanges.get(t) or None,
            float(error["vol_log_mean"]),
            float(error["vol_log_sd"]),
            pd.Timestamp(last_date[t]).date(),
        )
    return out
