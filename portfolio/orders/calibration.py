"""Replay history to measure whether predicted fill probabilities come true.

Pure and vectorised: wide adjusted OHLC frames in, arrays and tables out; no ORM, no look-ahead (the
volatility used on day ``t`` comes from bars up to ``t``; fills are judged on bars ``t+1 .. t+T``).

On each day ``t`` and for each ticker the engine's candidate ladder of limit orders is placed at the close:
buy limits below and sell limits above the close, at distances ``k * sigma * sqrt(T)`` for each ``k`` of the
ladder, valid ``T`` sessions. An order counts as filled when a later bar within its validity trades at or
through the limit (``low <= limit`` for buys, ``high >= limit`` for sells). Each order's predicted probability
is :func:`portfolio.orders.fill.touch_probability`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio import costs
from portfolio.orders.fill import (
    daily_volatility,
    overnight_variance_fraction,
    session_touch_probability,
    touch_probability,
    volatility_forecast_error,
)
from portfolio.orders.pricing import LADDER_SIGMA_MULTIPLES

logger = logging.getLogger("swingtrade.portfolio")
CHUNK = 50_000


def read_ohlc_csv(path: str | Path) -> dict[str, pd.DataFrame]:
    """Wide adjusted OHLC frames (DatetimeIndex x ticker) from a tidy CSV like the shipped data.

    Open/high/low/close are multiplied by ``adj_close / close`` so splits and dividends do not look like
    moves; the ratios inside one bar, which drive the range estimators, are unchanged by that.
    """
    frame = pd.read_csv(path, parse_dates=["date"])
    return tidy_to_adjusted_ohlc(frame)


def tidy_to_adjusted_ohlc(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    required = {"date", "ticker", "close"}
    missing = required - set(frame.columns)
    if missing:
        raise ValueError(f"price frame lacks columns {sorted(missing)}")
    frame = frame.sort_values(["ticker", "date"])
    factor = frame["adj_close"] / frame["close"] if "adj_close" in frame else 1.0
    out: dict[str, pd.DataFrame] = {}
    for column in ("open", "high", "low", "close"):
        if column in frame:
            adjusted = frame.assign(value=frame[column] * factor)
            out[column] = adjusted.pivot(index="date", columns="ticker", values="value").astype(float)
    return out


@dataclass(frozen=True)
class ReplayResult:
    """One row per placed order (flat arrays of equal length)."""

    predicted: np.ndarray  # model fill probability
    filled: np.ndarray  # bool: the limit was reached within validity
    naive: np.ndarray  # bool: the naive rule's prediction (see naive_touch_rule)
    side: np.ndarray  # "buy" / "sell"
    multiple: np.ndarray  # ladder distance in sigma * sqrt(T)
    placed_on: np.ndarray  # datetime64: the close the order was placed at
    n_days: int
    n_tickers: int


def _forward_extreme(frame: pd.DataFrame, days: int, how: str) -> pd.DataFrame:
    """Min (or max) over the next ``days`` rows, excluding the current one; NaN without a full window."""
    rolled = frame.rolling(days, min_periods=days)
    extreme = rolled.min() if how == "min" else rolled.max()
    return extreme.shift(-days)


def _backward_extreme(frame: pd.DataFrame, days: int, how: str) -> pd.DataFrame:
    rolled = frame.rolling(days, min_periods=days)
    return rolled.min() if how == "min" else rolled.max()


def replay_limit_orders(
    prices: dict[str, pd.DataFrame],
    *,
    validity_days: int = 5,
    multiples: Iterable[float] = LADDER_SIGMA_MULTIPLES,
    vol_window: int = 20,
    monitoring: str = "session",
    drift: float = 0.0,
    start: str | None = None,
    progress: bool = False,
    mixing: bool = True,
) -> ReplayResult:
    """Place the ladder of limit orders every day and record predicted and realised fills.

    Parameters
    ----------
    prices : dict of DataFrame
        Wide adjusted ``open/high/low/close`` (DatetimeIndex x tickers).
    validity_days : int
        Sessions each order rests (``T``).
    multiples : iterable of float
        Limit distances in units of ``sigma * sqrt(T)``.
    mixing : bool
        Average over the measured error of the volatility estimate (``volatility_forecast_error``).
    drift : float
        Arithmetic drift per day used for every order. The replay has no model, so 0 (a martingale
        price): the log drift is then ``-sigma**2 / 2``.
    """
    from tqdm import tqdm

    close, high, low = prices["close"], prices.get("high"), prices.get("low")
    if high is None or low is None:
        raise ValueError("the replay needs high and low prices to judge fills")
    sigma = daily_volatility(prices, vol_window)
    gap_share = overnight_variance_fraction(prices["open"], high, low, close) if "open" in prices else None
    error = volatility_forecast_error(prices, sigma, validity_days)
    future_low = _forward_extreme(low, validity_days, "min")
    future_high = _forward_extreme(high, validity_days, "max")
    past_low = _backward_extreme(low, validity_days, "min")
    past_high = _backward_extreme(high, validity_days, "max")
    rows = close.index >= pd.Timestamp(start) if start else np.ones(len(close), dtype=bool)

    c = close.to_numpy()[rows]
    s = sigma.to_numpy()[rows]
    valid = np.isfinite(c) & np.isfinite(s) & (s > 0)
    valid &= np.isfinite(future_low.to_numpy()[rows]) & np.isfinite(future_high.to_numpy()[rows])
    valid &= np.isfinite(past_low.to_numpy()[rows]) & np.isfinite(past_high.to_numpy()[rows])
    c, s = c[valid], s[valid]
    omega = gap_share.to_numpy()[rows][valid] if gap_share is not None else np.zeros_like(s)
    omega = np.nan_to_num(omega, nan=0.0)
    # One (mean, sd) per date, broadcast to the tickers of that date; no estimate yet -> no mixing.
    vol_mean = np.broadcast_to(error["vol_log_mean"].to_numpy()[rows][:, None], valid.shape)
    vol_sd = np.broadcast_to(error["vol_log_sd"].to_numpy()[rows][:, None], valid.shape)
    vol_mean = np.nan_to_num(vol_mean[valid], nan=0.0) if mixing else np.zeros_like(s)
    vol_sd = np.nan_to_num(vol_sd[valid], nan=0.0) if mixing else np.zeros_like(s)
    f_low, f_high = future_low.to_numpy()[rows][valid], future_high.to_numpy()[rows][valid]
    p_low, p_high = past_low.to_numpy()[rows][valid], past_high.to_numpy()[rows][valid]
    log_drift = drift - 0.5 * s**2
    days = np.broadcast_to(close.index.to_numpy()[rows][:, None], valid.shape)[valid]

    predicted, filled, naive, sides, mults, placed = [], [], [], [], [], []
    for k in tqdm(list(multiples), desc="replaying limit ladder", disable=not progress):
        distance = k * s * np.sqrt(validity_days)
        for side, sign in ((costs.BUY, -1.0), (costs.SELL, 1.0)):
            limit = c * np.exp(sign * distance)
            p = np.empty(c.shape, dtype=np.float32)
            # Chunks keep the quadrature's temporaries (rows x nodes) small enough to stay fast.
            for lo in range(0, len(c), CHUNK):
                part = slice(lo, lo + CHUNK)
                if monitoring == "session":
                    p[part] = session_touch_probability(
                        sign * distance[part],
                        s[part],
                        validity_days,
                        log_drift[part],
                        omega[part],
                        vol_mean[part],
                        vol_sd[part],
                    )
                else:
                    p[part] = touch_probability(
                        sign * distance[part], s[part], validity_days, log_drift[part], monitoring
                    )
            predicted.append(p)
            if side == costs.BUY:
                filled.append(f_low <= limit)
                naive.append(p_low <= limit)
            else:
                filled.append(f_high >= limit)
                naive.append(p_high >= limit)
            sides.append(np.full(c.shape, side))
            mults.append(np.full(c.shape, k))
            placed.append(days)
    result = ReplayResult(
        predicted=np.concatenate(predicted),
        filled=np.concatenate(filled),
        naive=np.concatenate(naive),
        side=np.concatenate(sides),
        multiple=np.concatenate(mults),
        placed_on=np.concatenate(placed),
        n_days=int(rows.sum()),
        n_tickers=close.shape[1],
    )
    logger.info(
        "fill replay done",
        extra={"orders": len(result.predicted), "days": result.n_days, "tickers": result.n_tickers},
    )
    return result


# --- Scores -------------------------------------------------------------------------------------------


def brier_score(predicted: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared gap between predicted probability and outcome (scikit-learn's ``brier_score_loss``)."""
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(np.asarray(outcome, dtype=int), np.asarray(predicted, dtype=float)))


def calibration_table(predicted: np.ndarray, outcome: np.ndarray, n_buckets: int = 10) -> pd.DataFrame:
    """Equal-width probability buckets: count, mean prediction and realised frequency in each."""
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(outcome, dtype=float)
    edges = np.linspace(0.0, 1.0, n_buckets + 1)
    bucket = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_buckets - 1)
    counts = np.bincount(bucket, minlength=n_buckets)
    sum_p = np.bincount(bucket, weights=p, minlength=n_buckets)
    sum_y = np.bincount(bucket, weights=y, minlength=n_buckets)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "bucket": [f"{lo:.1f}-{hi:.1f}" for lo, hi in itertools.pairwise(edges)],
                "orders": counts,
                "mean_predicted": sum_p / counts,
                "realised_rate": sum_y / counts,
            }
        )
    table["gap"] = table["realised_rate"] - table["mean_predicted"]
    return table


def expected_calibration_error(predicted: np.ndarray, outcome: np.ndarray, n_buckets: int = 10) -> float:
    """Order-weighted mean absolute gap between prediction and frequency over the buckets."""
    table = calibration_table(predicted, outcome, n_buckets).dropna()
    weights = table["orders"] / table["orders"].sum()
    return float((weights * table["gap"].abs()).sum())


def summary(result: ReplayResult) -> dict[str, dict[str, float]]:
    """Brier score, ECE and mean prediction of the model and of the naive rule, against realised fills."""
    y = result.filled
    out = {}
    for name, p in (("model", result.predicted), ("naive", result.naive.astype(float))):
        out[name] = {
            "brier": brier_score(p, y),
            "ece": expected_calibration_error(p, y),
            "mean_predicted": float(np.mean(p)),
            "realised_rate": float(np.mean(y)),
        }
    return out
