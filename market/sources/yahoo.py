"""Yahoo Finance through yfinance — the only module of the project that imports yfinance.

``yf.download(..., auto_adjust=False, actions=True, group_by="column")`` (yfinance 1.x) returns a
wide frame: a ``DatetimeIndex`` named ``Date`` (tz-naive for daily bars) and ``MultiIndex`` columns
``(Price, Ticker)`` with Price in ``Adj Close, Close, Dividends, High, Low, Open, Stock Splits,
Volume``. A ticker Yahoo could not serve does not raise: yfinance logs the error and leaves that
ticker's columns all NaN. This module maps the frame to the tidy long frame and names those tickers.

Yahoo's ``Close`` and ``Volume`` are split-adjusted back in time, while the database holds prices as
traded; splits inside the downloaded window are undone here, which is exact when the window runs up
to today (the daily update). ``Stock Splits`` is 0 on days without a split; the tidy frame uses 1.

Exchange rates come through the same download: Yahoo names a currency pair ``EURUSD=X`` (dollars per
euro) and returns it in the same frame shape, with ``Volume`` 0 and no actions. :func:`download_fx`
maps its ``Close`` to the rate frame :func:`market.fx.fx_rates_store` writes (``date, base, quote, rate``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import yfinance as yf

from market.columns import PRICE_COLUMNS
from market.sources import empty_frame, finish_frame, normalise_symbol

logger = logging.getLogger("swingtrade.market.yahoo")

#: yfinance price level → tidy column.
COLUMN_MAP = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
    "Dividends": "dividend",
    "Stock Splits": "split_factor",
}


def to_yahoo(symbol: str) -> str:
    """Our symbol → Yahoo's: share classes use '-' (``BRK.B`` → ``BRK-B``)."""
    return symbol.strip().upper().replace(".", "-")


def from_yahoo(symbol: str) -> str:
    """Yahoo's symbol → ours (``BRK-B`` → ``BRK.B``)."""
    return normalise_symbol(symbol)


@dataclass(frozen=True)
class YahooResult:
    frame: pd.DataFrame  # tidy long frame
    failed: list[str] = field(default_factory=list)  # our symbols Yahoo returned no data for


def _undo_split_adjustment(tidy: pd.DataFrame) -> pd.DataFrame:
    """Turn Yahoo's split-adjusted Close/OHLC/Volume back into values as traded.

    A price on day d is divided by Yahoo by the product of the split factors after d (within the
    window); multiply it back. Volume was multiplied, so divide it.
    """
    tidy = tidy.sort_values(["ticker", "date"]).reset_index(drop=True)
    log_split = np.log(tidy["split_factor"].to_numpy())
    # Sum of log split factors strictly after each row, per ticker.
    after = pd.Series(log_split[::-1]).groupby(tidy["ticker"].to_numpy()[::-1]).cumsum().to_numpy()[::-1]
    factor = np.exp(after - log_split)
    for column in ("open", "high", "low", "close"):
        tidy[column] = tidy[column] * factor
    tidy["volume"] = (tidy["volume"] / factor).round()
    return tidy


def frame_from_download(raw: pd.DataFrame, symbols: Iterable[str]) -> YahooResult:
    """Map a ``yf.download`` result to the tidy frame.

    Parameters
    ----------
    raw
        yfinance 1.x frame, columns ``MultiIndex(Price, Ticker)``, index ``DatetimeIndex`` named ``Date``.
    symbols
        The symbols asked for, in our spelling; those absent or all-NaN in ``raw`` are reported failed.
    """
    wanted = sorted({from_yahoo(s) for s in symbols})
    if raw is None or raw.empty or not isinstance(raw.columns, pd.MultiIndex):
        return YahooResult(frame=empty_frame(), failed=wanted)
    levels = list(raw.columns.names)
    price_level = levels.index("Price") if "Price" in levels else 0
    data = raw.copy()
    if price_level != 0:
        data.columns = data.columns.swaplevel(0, 1)
    data = data.loc[:, data.columns.get_level_values(0).isin(list(COLUMN_MAP))]
    data.index = pd.DatetimeIndex(data.index).tz_localize(None).normalize()
    data.index.name = "date"
    long = data.stack(level=1, future_stack=True).reset_index()
    long.columns = ["date", "ticker", *long.columns[2:]]
    long = long.rename(columns=COLUMN_MAP)
    long["ticker"] = long["ticker"].map(from_yahoo)

    present = [c for c in PRICE_COLUMNS if c in long.columns]
    # The union index gives every ticker every date; a row with no price at all is no bar.
    long = long.dropna(subset=present, how="all")
    got = set(long["ticker"].unique())
    failed = [s for s in wanted if s not in got]
    long = long[long["ticker"].isin(wanted)]
    if "split_factor" in long.columns:
        long["split_factor"] = long["split_factor"].where(long["split_factor"] > 0, 1.0)
    tidy = finish_frame(long)
    if not tidy.empty:
        tidy = _undo_split_adjustment(tidy)
    return YahooResult(frame=tidy, failed=failed)


def _yf_download(
    yahoo_symbols: list[str], *, start: date, end: date | None, threads: int | bool
) -> pd.DataFrame:
    """The one call to yfinance, for shares and currency pairs alike."""
    # yfinance's end is exclusive.
    end_exclusive = (end + timedelta(days=1)).isoformat() if end else None
    return yf.download(
        yahoo_symbols,
        start=start.isoformat(),
        end=end_exclusive,
        auto_adjust=False,
        actions=True,
        group_by="column",
        progress=False,
        threads=threads,
    )


def download(
    symbols: Iterable[str], *, start: date, end: date | None = None, threads: int | bool = True
) -> YahooResult:
    """Daily bars of ``symbols`` from ``start`` to ``end`` inclusive (today when ``None``).

    Network trouble for single tickers is reported in ``failed``; it never raises for them.
    """
    ours = sorted({from_yahoo(s) for s in symbols})
    raw = _yf_download([to_yahoo(s) for s in ours], start=start, end=end, threads=threads)
    result = frame_from_download(raw, ours)
    if result.failed:
        logger.warning("yahoo returned no data", extra={"tickers": result.failed})
    return result


# --- exchange rates -------------------------------------------------------------------------------------

FX_SUFFIX = "=X"


def fx_symbol(base: str, quote: str) -> str:
    """Yahoo's symbol of a currency pair: ``EURUSD=X`` is dollars per euro."""
    pair = f"{base}{quote}".upper()
    if len(pair) != 6 or not pair.isalpha():
        raise ValueError(f"not a currency pair: {base!r}/{quote!r} (two ISO codes of three letters)")
    return pair + FX_SUFFIX


def fx_pair(symbol: str) -> tuple[str, str]:
    """``EURUSD=X`` → ``("EUR", "USD")``; anything else is refused."""
    text = symbol.strip().upper()
    pair = text.removesuffix(FX_SUFFIX)
    if not text.endswith(FX_SUFFIX) or len(pair) != 6 or not pair.isalpha():
        raise ValueError(f"{symbol!r} is not a Yahoo currency pair such as EURUSD=X")
    return pair[:3], pair[3:]


@dataclass(frozen=True)
class YahooFxResult:
    frame: pd.DataFrame  # date (datetime64), base, quote, rate (float, units of quote per base)
    failed: list[str] = field(default_factory=list)  # Yahoo symbols with no usable rate


FX_COLUMNS = ["date", "base", "quote", "rate"]


def fx_frame_from_download(raw: pd.DataFrame, symbols: Iterable[str]) -> YahooFxResult:
    """Map a ``yf.download`` of currency pairs to the rate frame: the daily ``Close`` is the rate.

    Rows without a close, or with a close that is not a positive number, are no rate; a pair with no
    rate at all is reported failed.
    """
    wanted = sorted({s.strip().upper() for s in symbols})
    pairs = {s: fx_pair(s) for s in wanted}
    empty = pd.DataFrame(
        {c: pd.Series(dtype="datetime64[ns]" if c == "date" else "object") for c in FX_COLUMNS}
    )
    if raw is None or raw.empty or not isinstance(raw.columns, pd.MultiIndex):
        return YahooFxResult(frame=empty.astype({"rate": "float64"}), failed=wanted)
    data = raw.copy()
    if "Price" in data.columns.names and data.columns.names.index("Price") != 0:
        data.columns = data.columns.swaplevel(0, 1)
    parts = []
    for symbol, (base, quote) in pairs.items():
        if ("Close", symbol) not in data.columns:
            continue
        close = pd.to_numeric(data[("Close", symbol)], errors="coerce")
        close = close[np.isfinite(close) & (close > 0)]
        if close.empty:
            continue
        dates = pd.DatetimeIndex(close.index).tz_localize(None).normalize()
        parts.append(pd.DataFrame({"date": dates, "base": base, "quote": quote, "rate": close.to_numpy()}))
    frame = (
        pd.concat(parts, ignore_index=True).drop_duplicates(["base", "quote", "date"], keep="last")
        if parts
        else empty.astype({"rate": "float64"})
    )
    got = {fx_symbol(b, q) for b, q in frame[["base", "quote"]].drop_duplicates().itertuples(index=False)}
    frame = frame.sort_values(["base", "quote", "date"]).reset_index(drop=True)
    return YahooFxResult(frame=frame, failed=[s for s in wanted if s not in got])


def download_fx(
    pairs: Iterable[tuple[str, str]], *, start: date, end: date | None = None, threads: int | bool = True
) -> YahooFxResult:
    """Daily rates of currency ``pairs`` (``("EUR", "USD")`` → ``EURUSD=X``) from ``start`` to ``end``."""
    symbols = sorted({fx_symbol(base, quote) for base, quote in pairs})
    raw = _yf_download(symbols, start=start, end=end, threads=threads)
    result = fx_frame_from_download(raw, symbols)
    if result.failed:
        logger.warning("yahoo returned no rate", extra={"pairs": result.failed})
    return result
