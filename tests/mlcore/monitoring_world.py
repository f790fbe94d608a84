"""A synthetic market whose predictable relation switches on known dates (monitoring tests).

Real price-only data has no edge a model can show in 60 days (docs/monitoring.md), so a break in the
relation cannot be demonstrated on it. Here each ticker's daily return depends on its own past five
returns with a coefficient ``beta`` that changes by regime: ``beta < 0`` is short-term reversal (what
a model trained on the first regime learns), ``beta > 0`` is momentum (the same model is then wrong).
"""

from __future__ import annotations

from datetime import date

import exchange_calendars
import numpy as np
import pandas as pd

# Last session of the ``market_sample`` fixture (a Wednesday): monitoring "as of" an up-to-date day.
LAST_BAR = date(2021, 4, 21)


def sessions(start: str, count: int) -> pd.DatetimeIndex:
    calendar = exchange_calendars.get_calendar("XNYS")
    days = calendar.sessions_in_range(start, pd.Timestamp(start) + pd.Timedelta(days=count * 2))
    return pd.DatetimeIndex(days[:count]).tz_localize(None)


def regime_frame(
    *,
    regimes: list[tuple[int, float]],
    n_tickers: int = 24,
    start: str = "2018-01-02",
    daily_sd: float = 0.012,
    seed: int = 0,
) -> pd.DataFrame:
    """Tidy bars (date, ticker, open, high, low, close, adj_close, volume) over ``sum(lengths)`` sessions.

    ``regimes`` lists ``(length in sessions, beta)`` in order.
    """
    rng = np.random.default_rng(seed)
    betas = np.concatenate([np.full(length, beta) for length, beta in regimes])
    n_dates = len(betas)
    returns = np.zeros((n_dates, n_tickers))
    shocks = rng.normal(0.0, daily_sd, size=(n_dates, n_tickers))
    for t in range(n_dates):
        past = returns[max(0, t - 5) : t].sum(axis=0) / 5 if t else 0.0
        returns[t] = betas[t] * past + shocks[t]
    close = 50.0 * np.exp(np.cumsum(returns, axis=0))
    dates = sessions(start, n_dates)
    tickers = [f"SY{i:02d}" for i in range(n_tickers)]
    wide = pd.DataFrame(close, index=dates, columns=tickers)
    long = wide.stack().rename("close").reset_index()
    long.columns = ["date", "ticker", "close"]
    spread = rng.uniform(0.002, 0.01, size=len(long))
    long["open"] = long["close"] * (1 + rng.normal(0, 0.003, size=len(long)))
    long["high"] = long[["open", "close"]].max(axis=1) * (1 + spread)
    long["low"] = long[["open", "close"]].min(axis=1) * (1 - spread)
    long["adj_close"] = long["close"]
    long["volume"] = rng.integers(500_000, 2_000_000, size=len(long)).astype(float)
    return long[["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]]


def session_date(frame: pd.DataFrame, index: int) -> date:
    """The ``index``-th session of the frame (negative counts from the end)."""
    return pd.Timestamp(np.sort(frame["date"].unique())[index]).date()
