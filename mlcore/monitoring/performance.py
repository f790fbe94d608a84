"""Realised quality of stored scores against matured labels: daily IC, rank IC, hit rate, HAC t-stats."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd


def daily_scores(scores: pd.Series, realised: pd.Series, *, min_tickers: int = 5) -> pd.DataFrame:
    """Per-date IC, rank IC and hit rate of scores against realised labels.

    Parameters
    ----------
    scores : Series
        Model scores, MultiIndex ``(date, ticker)``.
    realised : Series
        Realised labels (forward relative return), MultiIndex ``(date, ticker)``; NaN where the label
        has not matured yet.
    min_tickers : int
        Dates with fewer scored-and-realised tickers are skipped (a correlation of 3 points is noise).

    Returns
    -------
    DataFrame
        Indexed by date (ascending), columns ``ic, rank_ic, hit_rate, n``.
    """
    joined = pd.concat({"score": scores, "realised": realised}, axis=1, join="inner").dropna()
    columns = ["ic", "rank_ic", "hit_rate", "n"]
    if joined.empty:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="date"), dtype=float)
    dates = joined.index.get_level_values(0)
    rows: dict[Any, tuple[float, float, float, int]] = {}
    for day, group in joined.groupby(dates, sort=True):
        n = len(group)
        if n < min_tickers:
            continue
        s = group["score"].to_numpy(dtype=float)
        r = group["realised"].to_numpy(dtype=float)
        ic = _pearson(s, r)
        rank_ic = _pearson(_rank(s), _rank(r))
        above_s = s > np.median(s)
        above_r = r > np.median(r)
        hit = float(np.mean(above_s == above_r))
        rows[day] = (ic, rank_ic, hit, n)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame.sort_index()


def _rank(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank(method="average").to_numpy()


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denom if denom > 0 else float("nan")


def newey_west_se(values: np.ndarray, *, lags: int) -> float:
    """Standard error of the mean of a serially correlated series (Bartlett kernel).

    ``lags = h - 1`` covers the correlation that ``h``-day overlapping labels induce.
    Returns NaN for fewer than two finite values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return float("nan")
    e = x - x.mean()
    variance = float(e @ e) / n
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1)
        variance += 2.0 * weight * float(e[lag:] @ e[:-lag]) / n
    # The small-sample factor n/(n-1) makes the lag-0 case equal the usual sample SE.
    variance *= n / (n - 1)
    return math.sqrt(variance / n) if variance > 0 else float("nan")


@dataclass(frozen=True)
class WindowMetrics:
    """Realised quality over the last ``window`` dates with matured predictions."""

    window: int
    n_dates: int
    start: str | None
    end: str | None
    ic: float | None
    rank_ic: float | None
    rank_ic_se: float | None
    rank_ic_t: float | None
    rank_ic_t_vs_validation: float | None
    hit_rate: float | None
    hit_rate_t: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def window_metrics(
    daily: pd.DataFrame,
    *,
    window: int,
    horizon: int,
    validation_rank_ic: float | None = None,
    validation_rank_ic_se: float | None = None,
) -> WindowMetrics:
    """Summarise the last ``window`` rows of :func:`daily_scores` with HAC t-statistics.

    ``rank_ic_t_vs_validation`` tests the realised mean against the validation mean; the validation
    standard error (when known) is added in quadrature since both are estimates.
    """
    tail = daily.dropna(subset=["rank_ic"]).sort_index().tail(window)
    n = len(tail)
    if n == 0:
        return WindowMetrics(window, 0, None, None, None, None, None, None, None, None, None)
    lags = max(horizon - 1, 0)
    rank_ic = float(tail["rank_ic"].mean())
    se = newey_west_se(tail["rank_ic"].to_numpy(), lags=lags)
    t = rank_ic / se if _finite_positive(se) else None
    t_val = None
    if validation_rank_ic is not None and _finite_positive(se):
        total_se = math.sqrt(se**2 + (validation_rank_ic_se or 0.0) ** 2)
        t_val = (rank_ic - validation_rank_ic) / total_se
    hit = float(tail["hit_rate"].mean())
    hit_se = newey_west_se(tail["hit_rate"].to_numpy(), lags=lags)
    hit_t = (hit - 0.5) / hit_se if _finite_positive(hit_se) else None
    return WindowMetrics(
        window=window,
        n_dates=n,
        start=tail.index[0].date().isoformat(),
        end=tail.index[-1].date().isoformat(),
        ic=_clean(tail["ic"].mean()),
        rank_ic=_clean(rank_ic),
        rank_ic_se=_clean(se),
        rank_ic_t=_clean(t),
        rank_ic_t_vs_validation=_clean(t_val),
        hit_rate=_clean(hit),
        hit_rate_t=_clean(hit_t),
    )


def _finite_positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
