"""What the proposal engine knows of each ticker on the day: close, volatility, overnight share, exchange."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from portfolio.orders import fill

VOL_WINDOW = 20


@dataclass
class Market:
    """What the engine knows of one ticker on ``as_of``."""

    price: float  # raw traded close
    sigma: float
    overnight: float
    exchange: str | None
    vol_log_mean: float = 0.0
    vol_log_sd: float = 0.0


def market_state(tickers: list[str], as_of: dt.date, validity: int) -> dict[str, Market]:
    """Traded close, daily volatility (and its forecast error), overnight share and exchange per ticker.

    Tickers without a recent close or a positive finite volatility are left out.
    """
    from market.models import Ticker
    from market.selectors import adjusted_ohlcv, bars_frame

    # About 18 months: a year of closed order windows to measure the volatility estimate's error.
    start = as_of - dt.timedelta(days=550)
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
    raw = bars_frame(tickers=tickers, start=as_of - dt.timedelta(days=10), end=as_of)
    last_close = raw.sort_values("date").groupby("ticker")["close"].last()
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
        )
    return out
