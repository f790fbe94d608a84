"""The model's view of market data: wide adjusted panels, from the database or from a tidy frame.

``panels_from_frame`` is pure (bench and pure tests read the CSV with pandas); ``load_panels`` reads the
database through ``market.selectors`` only, so mlcore never queries market's tables itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd


@dataclass
class Panels:
    """Wide frames (DatetimeIndex ``date`` × ticker columns) the features and labels are built from.

    ``prices`` holds ``close`` (split- and dividend-adjusted), and when the source has them ``open``,
    ``high``, ``low`` adjusted by the same factor and ``dollar_volume`` (raw close × raw volume).
    """

    prices: dict[str, pd.DataFrame]
    sectors: dict[str, str] = field(default_factory=dict)

    @property
    def close(self) -> pd.DataFrame:
        return self.prices["close"]

    @property
    def tickers(self) -> list[str]:
        return [str(t) for t in self.close.columns]

    def fingerprint(self) -> dict:
        """What identifies the data a model saw: tickers, date range and sha256 of the bars."""
        digest = hashlib.sha256()
        for key in sorted(self.prices):
            frame = self.prices[key]
            digest.update(key.encode())
            digest.update("|".join(map(str, frame.columns)).encode())
            digest.update(frame.index.asi8.tobytes())
            digest.update(np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).tobytes())
        index = self.close.index
        return {
            "tickers": self.tickers,
            "n_tickers": len(self.tickers),
            "start": index.min().date().isoformat() if len(index) else None,
            "end": index.max().date().isoformat() if len(index) else None,
            "n_dates": len(index),
            "bars_sha256": digest.hexdigest(),
        }


def panels_from_frame(frame: pd.DataFrame, sectors: dict[str, str] | None = None) -> Panels:
    """Wide panels from a tidy long frame (date, ticker, open, high, low, close, adj_close, volume)."""
    frame = frame.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    wide = frame.pivot_table(index="date", columns="ticker", values=None, aggfunc="last", sort=True)
    adj = wide["adj_close"].astype(np.float64)
    prices: dict[str, pd.DataFrame] = {"close": adj}
    if {"open", "high", "low", "close"} <= set(frame.columns) and frame[
        ["open", "high", "low"]
    ].notna().any().all():
        factor = adj / wide["close"]
        for key in ("open", "high", "low"):
            prices[key] = wide[key] * factor
    if "volume" in frame.columns and frame["volume"].notna().any():
        prices["dollar_volume"] = wide["close"] * wide["volume"]
    for key in prices:
        prices[key].index.name = "date"
        prices[key].columns.name = "ticker"
    return Panels(prices=prices, sectors=dict(sectors or {}))


def read_csv_frame(path: str) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["date"])


def load_panels(
    *, tickers: list[str] | None = None, start: date | None = None, end: date | None = None
) -> Panels:
    """Panels from the database (adjusted OHLC and dollar volume when stored) and the sector map."""
    from market import selectors

    wide = selectors.adjusted_ohlcv(tickers=tickers, start=start, end=end)
    prices = {k: v for k, v in wide.items() if k in ("open", "high", "low", "close", "dollar_volume")}
    return Panels(prices=prices, sectors=selectors.ticker_sectors())


def history_start(*, end: date, trading_days: int) -> date | None:
    """First day of the ``trading_days``-session window ending at ``end`` (inclusive), from the calendar
    of every exchange the universe lists on (the earliest of their starts: a Paris holiday must not cut
    a New York ticker's window short). None when a window reaches the calendar's first session: the
    query then reads all history up to ``end``.
    """
    from market import calendar, selectors

    codes = set(selectors.tickers_queryset().values_list("exchange", flat=True)) or {""}
    starts = []
    for code in codes:
        exchange = calendar.exchange_for(code)
        if end < calendar.bounds(exchange)[0]:
            return None
        window = calendar.sessions_window(exchange, end, trading_days)
        if len(window) < trading_days:
            return None
        starts.append(window[0])
    return min(starts)


def load_history(*, trading_days: int, end: date) -> Panels:
    """Panels reaching ``trading_days`` sessions back from ``end`` (inclusive), by the exchange calendar."""
    from market import selectors

    panels = load_panels(start=history_start(end=end, trading_days=trading_days), end=end)
    # Not scored: tickers with an unconfirmed price break on ``end`` (market.selectors.held_out_tickers).
    held_out = list(selectors.held_out_tickers(end))
    return Panels(
        {k: v.drop(columns=held_out, errors="ignore") for k, v in panels.prices.items()}, panels.sectors
    )
