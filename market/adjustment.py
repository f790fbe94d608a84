"""Adjusted closes from a source's own corporate actions: pure, vectorised, no database.

A file of raw (as traded) prices without an ``adj_close`` column, but with ``dividend`` and
``split_factor`` columns, still says everything needed to make returns continuous across its ex-dates.
The adjustment is backward (as Yahoo and CRSP do): the last row of each ticker keeps its traded close
and every earlier close is multiplied by the factors of the actions after it::

    factor(e) = (1 - dividend_e * split_e / close_{e-1}) / split_e      for each ex-date e
    adj_close_t = close_t * prod(factor(e) for e > t)

``dividend_e`` is per share after a split on the same day, hence ``* split_e`` against the pre-split
close. A day without action has factor 1, so a file without the columns gets ``adj_close == close``.
"""

from __future__ import annotations

import pandas as pd


def action_factors(frame: pd.DataFrame) -> pd.Series:
    """Per row, the factor its own ex-date applies to every earlier close (1.0 when no action).

    Parameters
    ----------
    frame
        Tidy rows (``ticker``, ``date``, ``close``, ``dividend``, ``split_factor``), unique per
        (ticker, date), positive closes (validated rows).

    Returns
    -------
    Series aligned on ``frame.index``. A dividend on a ticker's first row (no previous close) or one
    at least as large as the previous close (bad data, left to the large-move flag) gives 1.0.
    """
    ordered = frame.sort_values(["ticker", "date"])
    previous_close = ordered.groupby("ticker", sort=False)["close"].shift(1)
    split = ordered["split_factor"]
    dividend_ratio = 1.0 - ordered["dividend"] * split / previous_close
    usable = (ordered["dividend"] > 0) & (dividend_ratio > 0)
    factors = dividend_ratio.where(usable, 1.0) / split
    return factors.reindex(frame.index)


def back_adjusted_close(frame: pd.DataFrame) -> pd.Series:
    """``close`` back-adjusted for the splits and cash dividends recorded in ``frame`` itself.

    Parameters
    ----------
    frame
        As for :func:`action_factors`.

    Returns
    -------
    float64 Series aligned on ``frame.index``; each ticker's last row equals its close exactly.
    Actions before the frame's first row or after its last are unknown here and not applied.
    """
    if frame.empty:
        return pd.Series(dtype="float64", index=frame.index)
    ordered = frame.sort_values(["ticker", "date"])
    tickers = ordered["ticker"]
    factors = action_factors(ordered)
    # The factors of the rows strictly after t: shift each ticker's factors one row up, then take the
    # product from the end (the last row's product is empty: exactly 1.0).
    later = factors.groupby(tickers, sort=False).shift(-1).fillna(1.0)
    reversed_order = later.iloc[::-1]
    cumulative = reversed_order.groupby(tickers.iloc[::-1], sort=False).cumprod().iloc[::-1]
    adjusted = ordered["close"].to_numpy(dtype="float64") * cumulative.to_numpy(dtype="float64")
    return pd.Series(adjusted, index=ordered.index, dtype="float64").reindex(frame.index)


def one_day_total_returns(frame: pd.DataFrame, previous_close: pd.Series) -> pd.Series:
    """``(close_t + dividend_t) * split_t / previous_close - 1``: the move a holder saw, actions included.

    A drop explained by the day's split or dividend is no move; what remains large is a real move or
    an action the source does not record.
    """
    gross = (frame["close"] + frame["dividend"]) * frame["split_factor"]
    return gross / previous_close - 1.0
