"""Frames of the exact shape ``yf.download(..., auto_adjust=False, actions=True, group_by="column")``
returns in yfinance 1.x, built the way yfinance builds them (per-ticker history frames, failed
tickers as ``yfinance.utils.empty_df()``, aligned on the union of dates, concatenated with
``names=["Ticker", "Price"]``, levels swapped to ``(Price, Ticker)`` and sorted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from yfinance import utils as yf_utils

from market.sources import sample


def yahoo_history(symbol: str, start: str, end: str) -> pd.DataFrame:
    """One ticker's ``Ticker.history(auto_adjust=False, actions=True)`` from the embedded sample (raw
    prices), converted to Yahoo's convention: Close/OHLC divided and Volume multiplied by the product
    of later split factors in the window; ``Stock Splits`` 0 on days without a split."""
    frame = sample.read_sample_frame()
    rows = frame[(frame["ticker"] == symbol.replace("-", ".")) & frame["date"].between(start, end)]
    rows = rows.set_index("date").sort_index()
    later = rows["split_factor"][::-1].cumprod()[::-1] / rows["split_factor"]
    history = pd.DataFrame(
        {
            "Open": rows["open"] / later,
            "High": rows["high"] / later,
            "Low": rows["low"] / later,
            "Close": rows["close"] / later,
            "Adj Close": rows["adj_close"],
            "Volume": (rows["volume"] * later).round().astype("int64"),
            "Dividends": rows["dividend"],
            "Stock Splits": rows["split_factor"].where(rows["split_factor"] != 1.0, 0.0),
        }
    )
    history.index = pd.DatetimeIndex(history.index, name="Date")
    return history


def yf_download_frame(histories: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """What ``yf.download`` returns for these per-ticker histories (``None`` = a failed ticker)."""
    dfs = {t: (h if h is not None else yf_utils.empty_df()) for t, h in histories.items()}
    index = None
    for df in dfs.values():
        if not df.empty:
            index = df.index if index is None else index.union(df.index)
    index = index if index is not None else pd.DatetimeIndex([], name="Date")
    dfs = {t: df.reindex(index) for t, df in dfs.items()}
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    data = data.sort_index(level=0, axis=1)
    return data


def nan_frame_like(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(np.nan, index=data.index, columns=data.columns)


def yahoo_fx_history(start: str, end: str, *, holidays: dict[str, float] | None = None) -> pd.DataFrame:
    """A currency pair's ``Ticker.history(auto_adjust=False, actions=True)`` the way Yahoo shapes it: OHLC and
    Adj Close all the day's close, Volume 0, Dividends and Stock Splits 0.

    The closes are the shipped ECB EURUSD fixings of those days (real values; Yahoo's own closes differ by a
    few pips, and Yahoo is unreachable from the tests). ``holidays`` adds the days FX trades and the ECB
    does not fix (Good Friday, Easter Monday) with a stated close, as Yahoo's series has them.
    """
    from market.fx import read_ecb_eurusd

    ecb = read_ecb_eurusd()
    rows = ecb[ecb["date"].between(start, end)].set_index("date")["rate"]
    extra = pd.Series({pd.Timestamp(d): r for d, r in (holidays or {}).items()}, dtype=float)
    close = pd.concat([rows, extra]).sort_index()
    history = pd.DataFrame(
        {
            "Open": close,
            "High": close,
            "Low": close,
            "Close": close,
            "Adj Close": close,
            "Volume": 0,
            "Dividends": 0.0,
            "Stock Splits": 0.0,
        }
    )
    history.index = pd.DatetimeIndex(history.index, name="Date")
    return history
