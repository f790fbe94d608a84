"""Price features without look-ahead: pure, vectorised functions on wide frames (no ORM).

Every input is a *wide* frame: a ``DatetimeIndex`` named ``date`` (trading days, ascending) and one
column per ticker, NaN where the ticker has no bar. Every feature at date ``t`` uses only rows ``<= t``
(rolling windows, shifts to the past and causal EWMs), so the value at ``t`` is identical whether or not
later rows exist (``tests/mlcore/test_features.py`` proves it). Features are blanked wherever the price
itself is missing, because pandas keeps producing rolling values after a ticker stops trading.

The output is a long frame indexed by ``(date, ticker)`` with one float32 column per feature: the raw
value and, for model inputs, its cross-sectional percentile on that date (suffix ``_rank``, centred in
``[-0.5, 0.5]``), which makes features comparable across regimes and robust to outliers.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.ndimage import maximum_filter1d

RETURN_HORIZONS: tuple[int, ...] = (1, 5, 10, 20, 60, 120)
MA_WINDOWS: tuple[int, ...] = (10, 50, 200)
# Longest look-back any feature needs (rolling high / 12-1 momentum); prediction loads this much history
# plus a margin so the causal EWMs (RSI, MACD) have converged to their full-history values.
MAX_LOOKBACK = 252
HISTORY_FOR_PREDICTION = 420

PRICE_FEATURES: tuple[str, ...] = (
    *(f"ret_{h}" for h in RETURN_HORIZONS),
    "mom_12_1",
    "vol_20",
    "vol_60",
    *(f"ma_dist_{w}" for w in MA_WINDOWS),
    "rsi_14",
    "macd",
    "macd_hist",
    "drawdown_252",
    "rel_mkt_20",
)
SECTOR_FEATURES: tuple[str, ...] = ("rel_sector_5", "rel_sector_20")
OHLC_FEATURES: tuple[str, ...] = ("hl_range_20", "close_loc_20", "gap_1")
VOLUME_FEATURES: tuple[str, ...] = ("dollar_volume_20", "dollar_volume_ratio_5_60", "amihud_20")


def rank_name(feature: str) -> str:
    return f"{feature}_rank"


def _frame(values: np.ndarray, like: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(values, index=like.index, columns=like.columns)


class _Trailing:
    """Cumulative sums of a T × N array: every trailing-window sum in O(1) per cell, all tickers at once.

    pandas rolling loops over columns; cumulative sums along time do every ticker in one pass and are
    shared by all windows of the same input. Row ``t`` only ever uses rows ``<= t``.
    """

    def __init__(self, values: np.ndarray | pd.DataFrame) -> None:
        values = np.asarray(values, dtype=np.float64)
        valid = ~np.isnan(values)
        self._filled = np.where(valid, values, 0.0)
        zeros = np.zeros((1, values.shape[1]))
        self._csum = np.concatenate([zeros, np.cumsum(self._filled, axis=0)])
        self._ccount = np.concatenate([zeros, np.cumsum(valid, axis=0, dtype=np.float64)])
        self._csquares: np.ndarray | None = None

    def _window(self, cumulative: np.ndarray, window: int) -> np.ndarray:
        # Row t sums rows (t - window, t]; the first rows sum what exists (a partial window).
        start = np.maximum(np.arange(1, len(cumulative)) - window, 0)
        return cumulative[1:] - cumulative[start]

    def count(self, window: int) -> np.ndarray:
        return self._window(self._ccount, window)

    def mean(self, window: int, min_periods: int | None = None) -> np.ndarray:
        """Trailing mean; NaN unless at least ``min_periods`` (default: all) values are present."""
        counts = self.count(window)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                counts >= (min_periods or window), self._window(self._csum, window) / counts, np.nan
            )

    def std(self, window: int) -> np.ndarray:
        """Trailing sample standard deviation (ddof=1) over a full window (values near zero mean)."""
        if self._csquares is None:
            zeros = np.zeros((1, self._filled.shape[1]))
            self._csquares = np.concatenate([zeros, np.cumsum(self._filled**2, axis=0)])
        counts, sums = self.count(window), self._window(self._csum, window)
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = (self._window(self._csquares, window) - sums**2 / counts) / (counts - 1)
        return np.where(counts >= window, np.sqrt(np.maximum(variance, 0.0)), np.nan)


def _rolling_mean(
    values: np.ndarray | pd.DataFrame, window: int, min_periods: int | None = None
) -> np.ndarray:
    return _Trailing(values).mean(window, min_periods)


def _rolling_std(values: np.ndarray, window: int) -> np.ndarray:
    return _Trailing(values).std(window)


def _rolling_max(values: np.ndarray, window: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Trailing maximum over a full window (NaN otherwise), vectorised over tickers."""
    filled = np.where(np.isnan(values), -np.inf, values)
    # origin shifts scipy's centred window to the trailing one [t - window + 1, t].
    peak = maximum_filter1d(
        filled, size=window, axis=0, mode="constant", cval=-np.inf, origin=(window - 1) // 2
    )
    counts = _Trailing(values).count(window) if counts is None else counts
    return np.where(counts >= window, peak, np.nan)


def _shift(values: np.ndarray, periods: int) -> np.ndarray:
    """Rows moved ``periods`` steps into the future (value at t is the value at t - periods)."""
    out = np.full_like(values, np.nan)
    out[periods:] = values[:-periods]
    return out


def _sector_mean(values: np.ndarray, columns: pd.Index, sectors: Mapping[str, str]) -> np.ndarray:
    """Per date, the mean of ``values`` over the tickers of each ticker's sector (NaN-aware).

    One-hot (N × K) products keep it vectorised: sums and counts per sector, broadcast back to tickers.
    """
    labels = pd.Index([sectors.get(t) or "Unknown" for t in columns])
    codes, uniques = pd.factorize(labels)
    onehot = np.zeros((len(columns), len(uniques)))
    onehot[np.arange(len(columns)), codes] = 1.0
    present = ~np.isnan(values)
    sums = np.where(present, values, 0.0) @ onehot
    counts = present.astype(float) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means @ onehot.T


def cross_sectional_rank(values: np.ndarray) -> np.ndarray:
    """Per-row percentile of ``values`` (T × N) centred in [-0.5, 0.5]; NaN stays NaN.

    Tied values share the average of their ordinal ranks, so a ticker's percentile depends only on the
    values of that row, never on the order of the columns (prices have two decimals: about 4 % of the
    overnight-gap feature ties on a day, and listing a new ticker reorders the columns). One float32
    argsort per row with NaN sent to +inf (sorted last), then a scatter of the averaged positions:
    several times faster than ``DataFrame.rank(axis=1)``.
    """
    data = np.asarray(values, dtype=np.float32)
    if data.size == 0:
        return data.copy()
    missing = np.isnan(data)
    # Default (SIMD introsort) kind: 3x faster than "stable"; the order among ties is then averaged away.
    order = np.argsort(np.where(missing, np.inf, data), axis=1)
    ordered = np.take_along_axis(np.where(missing, np.inf, data), order, axis=1)
    n_rows, n_cols = data.shape
    # A run of equal sorted values is one group; the first column of every row starts a new group, so
    # group ids never straddle two rows.
    starts = np.ones(data.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts.ravel()) - 1
    positions = np.tile(np.arange(n_cols, dtype=np.float64), n_rows)
    average = np.bincount(group, weights=positions) / np.bincount(group)
    ranks = np.empty(data.shape, dtype=np.float32)
    rows = np.arange(n_rows)[:, None]
    ranks[rows, order] = average[group].reshape(data.shape)
    counts = (~missing).sum(axis=1, keepdims=True).astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = (ranks + 0.5) / counts - 0.5
    pct[missing] = np.nan
    return pct


def _price_block(close: pd.DataFrame) -> dict[str, np.ndarray]:
    log_price = np.log(close.to_numpy(dtype=np.float64))
    daily = log_price - _shift(log_price, 1)
    daily_frame = _frame(daily, close)
    out: dict[str, np.ndarray] = {}
    for h in RETURN_HORIZONS:
        out[f"ret_{h}"] = log_price - _shift(log_price, h)
    # 12-1 momentum: the past year's return skipping the latest month (short-term reversal lives there).
    out["mom_12_1"] = _shift(log_price, 21) - _shift(log_price, 252)
    daily_sums = _Trailing(daily)
    for window in (20, 60):
        out[f"vol_{window}"] = daily_sums.std(window)
    close_sums = _Trailing(close)
    for window in MA_WINDOWS:
        out[f"ma_dist_{window}"] = log_price - np.log(close_sums.mean(window))
    gains = daily_frame.clip(lower=0.0)
    losses = (-daily_frame).clip(lower=0.0)
    # Wilder's RSI: EWM with alpha = 1/14, scaled to [0, 1].
    avg_gain = gains.ewm(alpha=1 / 14, adjust=False, min_periods=14).mean().to_numpy()
    avg_loss = losses.ewm(alpha=1 / 14, adjust=False, min_periods=14).mean().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rsi_14"] = avg_gain / (avg_gain + avg_loss)
    ema_fast = close.ewm(span=12, adjust=False, min_periods=26).mean()
    ema_slow = close.ewm(span=26, adjust=False, min_periods=26).mean()
    macd = (ema_fast - ema_slow) / close
    out["macd"] = macd.to_numpy()
    out["macd_hist"] = (macd - macd.ewm(span=9, adjust=False, min_periods=9).mean()).to_numpy()
    rolling_high = _rolling_max(close.to_numpy(dtype=np.float64), 252, close_sums.count(252))
    out["drawdown_252"] = log_price - np.log(rolling_high)
    ret20 = out["ret_20"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN date (warm-up) has no market return
        market = np.nanmean(ret20, axis=1, keepdims=True)
    out["rel_mkt_20"] = ret20 - market
    return out


def _ohlcv_block(prices: Mapping[str, pd.DataFrame], close: pd.DataFrame) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if all(k in prices for k in ("open", "high", "low")):
        high = prices["high"].reindex_like(close).to_numpy(dtype=np.float64)
        low = prices["low"].reindex_like(close).to_numpy(dtype=np.float64)
        open_ = prices["open"].reindex_like(close).to_numpy(dtype=np.float64)
        c = close.to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_range = np.log(high / low)
            location = np.where(high > low, (c - low) / (high - low), np.nan)
            out["gap_1"] = np.log(open_ / _shift(c, 1))
        out["hl_range_20"] = _rolling_mean(log_range, 20)
        # min_periods below the window: flat days (high == low) leave gaps that should not blank a month.
        out["close_loc_20"] = _rolling_mean(location, 20, min_periods=15)
    if "dollar_volume" in prices:
        # Dollar volume, never raw volume: share counts are not split-adjusted in the source data.
        dv = prices["dollar_volume"].reindex_like(close).where(lambda f: f > 0)
        dv_sums = _Trailing(dv)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["dollar_volume_20"] = np.log(dv_sums.mean(20))
            out["dollar_volume_ratio_5_60"] = np.log(dv_sums.mean(5) / dv_sums.mean(60))
            daily_abs = np.abs(np.log(close.to_numpy(dtype=np.float64) / _shift(close.to_numpy(), 1)))
            illiquidity = daily_abs / dv.to_numpy() * 1e9
            out["amihud_20"] = np.log(_rolling_mean(illiquidity, 20))
    return out


def feature_names(*, has_ohlc: bool, has_volume: bool, has_sectors: bool) -> list[str]:
    """Raw feature names produced for the given inputs (rank names add the ``_rank`` suffix)."""
    names = list(PRICE_FEATURES)
    if has_sectors:
        names += SECTOR_FEATURES
    if has_ohlc:
        names += OHLC_FEATURES
    if has_volume:
        names += VOLUME_FEATURES
    return names


def _close_of(prices: Mapping[str, pd.DataFrame] | pd.DataFrame) -> tuple[pd.DataFrame, Mapping]:
    if isinstance(prices, pd.DataFrame):
        return prices, {}
    for key in ("close", "adj_close"):
        if key in prices:
            return prices[key], prices
    raise ValueError("prices needs an adjusted 'close' (or 'adj_close') wide frame")


def compute_features(
    prices: Mapping[str, pd.DataFrame] | pd.DataFrame,
    sectors: Mapping[str, str] | None = None,
    *,
    ranks: bool = True,
    start: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Features per (date, ticker).

    Parameters
    ----------
    prices
        Either the adjusted close (T × N wide frame) or a dict of wide frames with ``close`` (adjusted)
        and optionally ``open``, ``high``, ``low`` (adjusted the same way) and ``dollar_volume``.
        Range features need OHLC and liquidity features need dollar volume; without them those
        features are absent, never fabricated.
    sectors
        ``{ticker: sector}``; adds returns relative to the ticker's sector when given.
    ranks
        Add the per-date percentile of every feature (``<name>_rank``).
    start
        Drop output rows before this date (the history before it still feeds the windows).

    Returns
    -------
    DataFrame
        Index ``(date, ticker)`` for every date and ticker with a price; float32 columns, NaN during
        a feature's warm-up.
    """
    close, parts = _close_of(prices)
    close = close.sort_index().astype(np.float64)
    close = close.where(close > 0)
    blocks = _price_block(close)
    if sectors:
        log_price = np.log(close.to_numpy())
        for h in (5, 20):
            ret = log_price - _shift(log_price, h)
            blocks[f"rel_sector_{h}"] = ret - _sector_mean(ret, close.columns, sectors)
    blocks.update(_ohlcv_block(parts, close))
    names = feature_names(
        has_ohlc="hl_range_20" in blocks, has_volume="dollar_volume_20" in blocks, has_sectors=bool(sectors)
    )
    missing_price = np.isnan(close.to_numpy())
    for name in names:
        # A copy: pandas 3 hands out read-only views (copy-on-write).
        values = np.array(blocks[name], dtype=np.float32)
        values[missing_price | ~np.isfinite(values)] = np.nan
        blocks[name] = values
    if ranks:
        # argsort releases the GIL: two threads halve the wall time on the two cores we have.
        with ThreadPoolExecutor(max_workers=2) as pool:
            ranked = dict(zip(names, pool.map(lambda n: cross_sectional_rank(blocks[n]), names), strict=True))
        columns = [*names, *(rank_name(n) for n in names)]
        arrays = [blocks[n] for n in names] + [ranked[n] for n in names]
    else:
        columns, arrays = names, [blocks[n] for n in names]
    return stack_wide(arrays, columns, close, start=start)


def stack_wide(
    arrays: list[np.ndarray],
    columns: list[str],
    like: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Long (date, ticker) frame from T × N arrays, keeping only cells where ``like`` has a value."""
    valid = ~np.isnan(like.to_numpy())
    if start is not None:
        valid &= (like.index >= pd.Timestamp(start))[:, None]
    flat = valid.ravel()
    n_dates, n_tickers = valid.shape
    date_codes = np.repeat(np.arange(n_dates), n_tickers)[flat]
    ticker_codes = np.tile(np.arange(n_tickers), n_dates)[flat]
    index = pd.MultiIndex(
        levels=[pd.DatetimeIndex(like.index, name="date"), pd.Index(like.columns, name="ticker")],
        codes=[date_codes, ticker_codes],
        names=["date", "ticker"],
    )
    # One preallocated float32 block in column-major order: each column is written contiguously, and it
    # is pandas' own block layout, so the DataFrame wraps it without another copy.
    block = np.empty((int(flat.sum()), len(columns)), dtype=np.float32, order="F")
    for j, values in enumerate(arrays):
        block[:, j] = np.asarray(values, dtype=np.float32).ravel()[flat]
    return pd.DataFrame(block, index=index, columns=list(columns), copy=False)
