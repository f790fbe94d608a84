"""IC statistics, in one place: per-date IC and rank IC, their HAC mean, and the paired test (pure).

Walk-forward evaluation, monitoring, promotion and ``ModelVersion.reliability`` all read their numbers
from this module, so a model is judged by the same arithmetic when it is trained, while it serves and
when a challenger is compared with it.

- A date counts only with at least :data:`MIN_CROSS_SECTION` names scored and realised: a correlation
  of three points is noise, and keeping such dates would move the means by chance.
- Labels over ``h`` days overlap, so consecutive daily ICs are correlated: every standard error is
  Newey-West (Bartlett kernel, ``h - 1`` lags), never the naive ``sd / sqrt(n)`` that overstates
  significance about ``sqrt(h)``-fold.
- Rank IC is Spearman's: the Pearson correlation of average ranks (tied values share their rank).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# Fewest names with both a score and a realised label for a date's IC to count.
MIN_CROSS_SECTION = 5

DAILY_COLUMNS = ["ic", "rank_ic", "hit_rate", "n"]


def aligned_wide(scores: pd.Series, labels: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and labels (long, ``(date, ticker)``) as wide frames on their common non-missing cells."""
    joined = pd.concat({"s": scores, "y": labels}, axis=1, join="inner").dropna()
    if joined.empty:
        # e.g. a last walk-forward fold made only of days whose labels have not matured yet
        empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=float)
        return empty, empty.copy()
    wide = joined.unstack("ticker")
    return wide["s"], wide["y"]


def _row_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation per row over the cells where both are present (vectorised)."""
    mask = ~(np.isnan(a) | np.isnan(b))
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        am = np.where(mask, a, 0.0).sum(axis=1) / n
        bm = np.where(mask, b, 0.0).sum(axis=1) / n
        da = np.where(mask, a - am[:, None], 0.0)
        db = np.where(mask, b - bm[:, None], 0.0)
        return (da * db).sum(axis=1) / np.sqrt((da**2).sum(axis=1) * (db**2).sum(axis=1))


def daily_ic_wide(s: pd.DataFrame, y: pd.DataFrame, *, min_names: int = MIN_CROSS_SECTION) -> pd.DataFrame:
    """:func:`daily_ic` on wide frames already aligned by :func:`aligned_wide` (dates × tickers)."""
    if s.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS, index=pd.DatetimeIndex([], name="date"), dtype=float)
    sv, yv = s.to_numpy(np.float64), y.to_numpy(np.float64)
    both = ~(np.isnan(sv) | np.isnan(yv))
    sv, yv = np.where(both, sv, np.nan), np.where(both, yv, np.nan)
    n = both.sum(axis=1)
    ranks_s = pd.DataFrame(sv).rank(axis=1, method="average").to_numpy(np.float64)
    ranks_y = pd.DataFrame(yv).rank(axis=1, method="average").to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        above_s = sv > np.nanmedian(sv, axis=1, keepdims=True)
        above_y = yv > np.nanmedian(yv, axis=1, keepdims=True)
    hits = np.where(both, above_s == above_y, False).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        hit_rate = hits / n
    frame = pd.DataFrame(
        {"ic": _row_corr(sv, yv), "rank_ic": _row_corr(ranks_s, ranks_y), "hit_rate": hit_rate, "n": n},
        index=pd.DatetimeIndex(s.index, name="date"),
    )
    return frame[frame["n"] >= min_names].sort_index()


def daily_ic(scores: pd.Series, labels: pd.Series, *, min_names: int = MIN_CROSS_SECTION) -> pd.DataFrame:
    """Per-date Pearson IC, Spearman rank IC and direction hit rate of scores against labels.

    Parameters
    ----------
    scores, labels : Series
        MultiIndex ``(date, ticker)``; a NaN label (not matured yet) drops the cell.
    min_names : int
        Dates with fewer names scored and realised are left out.

    Returns
    -------
    DataFrame
        Index ``date`` (ascending); columns ``ic``, ``rank_ic``, ``hit_rate`` (share of names on the
        same side of the date's median as their score; 0.5 under no skill) and ``n``.
    """
    s, y = aligned_wide(scores, labels)
    return daily_ic_wide(s, y, min_names=min_names)


def newey_west_se(values: np.ndarray, *, lags: int) -> float:
    """Standard error of the mean of a serially correlated series (Bartlett kernel).

    ``lags = h - 1`` covers the correlation that ``h``-day overlapping labels induce. The small-sample
    factor ``n / (n - 1)`` makes the lag-0 case equal the usual sample SE. NaN for fewer than two
    finite values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return math.nan
    e = x - x.mean()
    variance = float(e @ e) / n
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1)
        variance += 2.0 * weight * float(e[lag:] @ e[:-lag]) / n
    variance *= n / (n - 1)
    return math.sqrt(variance / n) if variance > 0 else math.nan


def hac_mean(values: pd.Series | np.ndarray, *, horizon: int) -> dict[str, Any]:
    """Mean of a daily statistic with its Newey-West SE (``horizon - 1`` lags), t-stat and IR.

    Returns ``mean``, ``std``, ``se``, ``t_stat``, ``ir`` (mean / std, per date) and ``n``; NaN (and
    ``n`` 0) for fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return {"mean": math.nan, "std": math.nan, "se": math.nan, "t_stat": math.nan, "ir": math.nan, "n": 0}
    mean, std = float(x.mean()), float(x.std(ddof=1))
    se = newey_west_se(x, lags=max(horizon - 1, 0))
    return {
        "mean": mean,
        "std": std,
        "se": se,
        "t_stat": mean / se if se > 0 else math.nan,
        "ir": mean / std if std > 0 else math.nan,
        "n": len(x),
    }


def paired_difference(challenger: pd.Series, champion: pd.Series, *, horizon: int) -> dict[str, Any]:
    """The challenger's per-date statistic minus the champion's, on the dates both have, with HAC t.

    Pairing on the same dates removes the market's common day-to-day variation from the comparison:
    what is left is the difference between the models, tested against zero.
    Returns :func:`hac_mean` of the differences plus the compared window (``start``, ``end``).
    """
    both = pd.concat({"a": challenger, "b": champion}, axis=1, join="inner").dropna()
    result = hac_mean((both["a"] - both["b"]).to_numpy(), horizon=horizon)
    result["start"] = both.index.min().date().isoformat() if len(both) else None
    result["end"] = both.index.max().date().isoformat() if len(both) else None
    return result
