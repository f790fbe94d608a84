"""Statistics of a replay: pure functions on daily return series (simple returns, one row per session).

Conventions (those of empyrical, which the tests check against): 252 sessions a year, risk-free
rate 0, sample standard deviation (ddof 1), CAGR from the compounded return over ``len/252`` years,
Sortino's downside deviation the root mean square of the negative returns, drawdowns measured from
the running peak of the compounded curve.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

PERIODS_PER_YEAR = 252
BOOTSTRAP_BLOCK = 21  # sessions: about a month, longer than the returns' autocorrelation
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20211130


def returns_of(equity: pd.Series) -> pd.Series:
    """Daily simple returns of an equity curve (its first value is the start, not a return)."""
    return equity.pct_change().iloc[1:]


def cagr(returns: pd.Series) -> float:
    if len(returns) == 0:
        return float("nan")
    growth = float(np.prod(1.0 + returns.to_numpy()))
    return growth ** (PERIODS_PER_YEAR / len(returns)) - 1.0


def annual_volatility(returns: pd.Series) -> float:
    return float(np.std(returns.to_numpy(), ddof=1) * math.sqrt(PERIODS_PER_YEAR))


def sharpe(returns: pd.Series | np.ndarray) -> float:
    values = np.asarray(returns, dtype=float)
    sd = np.std(values, ddof=1)
    return float(np.mean(values) / sd * math.sqrt(PERIODS_PER_YEAR)) if sd > 0 else float("nan")


def sortino(returns: pd.Series) -> float:
    values = returns.to_numpy(dtype=float)
    downside = math.sqrt(np.mean(np.minimum(values, 0.0) ** 2)) * math.sqrt(PERIODS_PER_YEAR)
    return float(np.mean(values) * PERIODS_PER_YEAR / downside) if downside > 0 else float("nan")


def drawdown(returns: pd.Series) -> pd.Series:
    """Drawdown of the compounded curve from its running peak, ≤ 0, one value per session."""
    curve = np.cumprod(1.0 + returns.to_numpy(dtype=float))
    peak = np.maximum.accumulate(curve)
    return pd.Series(curve / peak - 1.0, index=returns.index)


def max_drawdown(returns: pd.Series) -> float:
    return float(drawdown(returns).min()) if len(returns) else float("nan")


def max_drawdown_duration(returns: pd.Series) -> int:
    """Longest run of sessions spent below a previous peak (recovered or not by the end)."""
    below = drawdown(returns).to_numpy() < 0
    longest = current = 0
    for flag in below:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def calmar(returns: pd.Series) -> float:
    worst = max_drawdown(returns)
    return cagr(returns) / abs(worst) if worst < 0 else float("nan")


def by_year(returns: pd.Series) -> dict[int, float]:
    """Compounded return of each calendar year."""
    grouped = (1.0 + returns).groupby(returns.index.year).prod() - 1.0
    return {int(year): float(value) for year, value in grouped.items()}


def hit_rate(closed_trades: list[float]) -> float | None:
    """Share of closed (position-reducing) trades with a positive realised result."""
    return float(np.mean(np.asarray(closed_trades) > 0)) if closed_trades else None


def sharpe_difference(
    returns: pd.Series,
    benchmark: pd.Series,
    *,
    block: int = BOOTSTRAP_BLOCK,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, float]:
    """Sharpe(returns) − Sharpe(benchmark) with a paired circular block bootstrap 95 % interval and p-value.

    Both series are resampled with the same blocks of ``block`` consecutive sessions (wrapping at the
    end), so their correlation is kept. The p-value is two-sided: twice the smaller share of resampled
    differences on either side of zero.
    """
    joined = pd.concat([returns, benchmark], axis=1, join="inner").dropna()
    a, b = joined.iloc[:, 0].to_numpy(float), joined.iloc[:, 1].to_numpy(float)
    n = len(a)
    observed = sharpe(a) - sharpe(b)
    if n < 2 * block:
        return {"difference": observed, "low": float("nan"), "high": float("nan"), "p_value": float("nan")}
    rng = np.random.default_rng(seed)
    n_blocks = math.ceil(n / block)
    starts = rng.integers(0, n, size=(samples, n_blocks))
    index = ((starts[:, :, None] + np.arange(block)[None, None, :]) % n).reshape(samples, -1)[:, :n]

    def _sharpes(x: np.ndarray) -> np.ndarray:
        drawn = x[index]
        sd = drawn.std(axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sd > 0, drawn.mean(axis=1) / sd * math.sqrt(PERIODS_PER_YEAR), np.nan)

    diffs = _sharpes(a) - _sharpes(b)
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) == 0:
        return {"difference": observed, "low": float("nan"), "high": float("nan"), "p_value": float("nan")}
    low, high = np.percentile(diffs, [2.5, 97.5])
    p_value = min(1.0, 2.0 * min(np.mean(diffs <= 0), np.mean(diffs >= 0)))
    return {"difference": observed, "low": float(low), "high": float(high), "p_value": float(p_value)}


def summary(returns: pd.Series) -> dict[str, Any]:
    """The return statistics of one series (fractions; durations in sessions)."""
    return {
        "cagr": cagr(returns),
        "volatility": annual_volatility(returns),
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(returns),
        "max_drawdown_sessions": max_drawdown_duration(returns),
        "calmar": calmar(returns),
    }
