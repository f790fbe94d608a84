"""Labels: what the model learns to predict, from adjusted closes only (pure, no ORM).

The label at date ``t`` is the log return from the close of ``t`` to the close of ``t + horizon``
(trading days) minus the equal-weight mean of that return across the tickers labelled on ``t``: the
model ranks stocks against each other, it does not time the market. It is NaN when either price is
missing and for the last ``horizon`` dates, whose future is not known yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcore.features.indicators import cross_sectional_rank

DEFAULT_HORIZON = 5


def forward_log_return(adj_close: pd.DataFrame, horizon: int = DEFAULT_HORIZON) -> pd.DataFrame:
    """Wide (T × N) log return from ``t`` to ``t + horizon``; NaN where it is not (yet) known."""
    if horizon < 1:
        raise ValueError("horizon must be at least one trading day")
    log_price = np.log(adj_close.sort_index().where(adj_close > 0).to_numpy(dtype=np.float64))
    future = np.full_like(log_price, np.nan)
    future[:-horizon] = log_price[horizon:]
    return pd.DataFrame(future - log_price, index=adj_close.sort_index().index, columns=adj_close.columns)


def _relative_wide(adj_close: pd.DataFrame, horizon: int) -> pd.DataFrame:
    forward = forward_log_return(adj_close, horizon)
    return forward.sub(forward.mean(axis=1, skipna=True), axis=0)


def _long(wide: pd.DataFrame, name: str) -> pd.Series:
    series = wide.stack(future_stack=True).dropna()
    series.index = series.index.set_names(["date", "ticker"])
    return series.rename(name).astype(np.float64)


def forward_relative_return(adj_close: pd.DataFrame, horizon: int = DEFAULT_HORIZON) -> pd.Series:
    """Forward log return over ``horizon`` minus the universe mean on that date.

    Returns
    -------
    Series
        Index ``(date, ticker)``, only where the label is known; units: log return over the horizon.
    """
    return _long(_relative_wide(adj_close, horizon), f"fwd_rel_ret_{horizon}")


def forward_rank_label(adj_close: pd.DataFrame, horizon: int = DEFAULT_HORIZON) -> pd.Series:
    """Per-date percentile (centred in [-0.5, 0.5]) of the forward return: the ranked training target.

    Ranking the target removes the fat tails (crash days, takeovers) that dominate squared-error fits.
    """
    relative = _relative_wide(adj_close, horizon)
    ranked = pd.DataFrame(
        cross_sectional_rank(relative.to_numpy()), index=relative.index, columns=relative.columns
    )
    return _long(ranked, f"fwd_rank_{horizon}")


def daily_returns(adj_close: pd.DataFrame) -> pd.DataFrame:
    """Wide simple daily returns (close to close); NaN where either close is missing."""
    closes = adj_close.sort_index().where(adj_close > 0)
    return closes / closes.shift(1) - 1.0
