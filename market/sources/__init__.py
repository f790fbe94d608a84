"""Sources of daily bars. Each module returns the same tidy long frame (see :data:`TIDY_COLUMNS`).

The tidy frame has one row per (ticker, date)::

    date          datetime64[ns], no time zone (the exchange trading day)
    ticker        str, normalised symbol ("BRK.B", never "BRK-B")
    open, high, low, close, adj_close   float64, as traded (adj_close: vendor adjusted), NaN if absent
    volume        float64 (shares, NaN if absent; float so NaN fits — cast to int on write)
    dividend      float64, cash dividend with ex-date on that row (0.0 if none)
    split_factor  float64, split coefficient on the ex-date (1.0 if none; 4.0 means 4:1)

A source may add :data:`market.columns.ROW_PROBLEM_COLUMNS`: the row's line in the source and, when
the row could not be read (a date or number that does not parse), the reason code and a detail;
validation rejects those rows with that reason and stores the others.

Sources never touch the database; :mod:`market.ingest` validates and writes.
"""

from __future__ import annotations

import pandas as pd

from market.columns import BAR_VALUE_FIELDS, TIDY_COLUMNS
from swingtrade.errors import DomainError

REQUIRED_COLUMNS: tuple[str, ...] = ("date", "ticker", "close")
NUMERIC_COLUMNS: tuple[str, ...] = BAR_VALUE_FIELDS


class MalformedData(DomainError):
    """The input as a whole cannot be read (wrong columns, unparsable dates, empty, not text)."""

    code = "malformed"


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in TIDY_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    frame["ticker"] = pd.Series(dtype="object")
    return frame


def normalise_symbol(symbol: str) -> str:
    """Upper case, trimmed, Yahoo's class separator '-' turned into the S&P '.' (``brk-b`` → ``BRK.B``)."""
    return symbol.strip().upper().replace("-", ".")


def normalise_symbols(symbols: pd.Series) -> pd.Series:
    """:func:`normalise_symbol` of each string of ``symbols`` (other values left as they are)."""
    # A symbol repeats on every one of its days: normalise each distinct value once, then map.
    distinct = pd.unique(symbols.to_numpy(dtype=object))
    mapping = {s: (normalise_symbol(s) if isinstance(s, str) else s) for s in distinct}
    return pd.Series(symbols.to_numpy(dtype=object), index=symbols.index).map(mapping).astype(object)


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Complete a source's frame to the tidy layout: every column, right dtypes, defaults filled.

    ``frame`` must already hold parsed ``date`` (datetime64) and numeric columns; absent optional
    columns become NaN (prices, volume), 0.0 (dividend) or 1.0 (split_factor).
    """
    out = pd.DataFrame(index=frame.index)
    dates = frame["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates, format="ISO8601")
    out["date"] = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    out["date"] = out["date"].astype("datetime64[ns]")
    out["ticker"] = normalise_symbols(frame["ticker"])
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            out[column] = pd.to_numeric(frame[column]).astype("float64")
        else:
            out[column] = float("nan")
    out["dividend"] = out["dividend"].fillna(0.0)
    out["split_factor"] = out["split_factor"].fillna(1.0)
    return out.reset_index(drop=True)
