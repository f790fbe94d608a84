"""Out-of-sample quality of a score: IC, hit rate, quantile spreads and a long-short backtest (pure).

Every candidate model and every rule baseline goes through :func:`evaluate`, so their numbers are
comparable by construction. Inputs are long Series indexed ``(date, ticker)``:

- ``scores``: any real-valued signal known at the close of ``date`` (higher = expected to outperform);
- ``labels``: the realised forward relative log return over ``horizon`` trading days from ``date``;
- ``returns``: a *wide* frame of simple daily close-to-close returns for the portfolio simulation.

Overlapping labels (a 5-day label every day) make consecutive daily ICs strongly correlated: the IC
statistics (per-date IC, HAC standard errors, the minimum cross-section) come from
:mod:`mlcore.evaluation.ic`, and the long-short portfolio is reported for every rebalance start offset
(the offset alone moves its Sharpe).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from mlcore.evaluation.ic import MIN_CROSS_SECTION, aligned_wide, daily_ic_wide, hac_mean
from mlcore.features.indicators import cross_sectional_rank

TRADING_DAYS = 252
DEFAULT_COST_PER_TURNOVER = 0.001  # 10 bp per unit of traded weight, for callers without a cost profile.


def _bucket_table_wide(s: pd.DataFrame, y: pd.DataFrame, n_buckets: int = 10) -> pd.DataFrame:
    pct = cross_sectional_rank(s.to_numpy(np.float64)) + 0.5
    yv = y.to_numpy(np.float64)
    label_side = cross_sectional_rank(yv)
    bucket = np.clip(np.floor(pct * n_buckets), 0, n_buckets - 1)
    frame = pd.DataFrame({"bucket": bucket.ravel(), "label": yv.ravel(), "side": label_side.ravel()}).dropna()
    frame["bucket"] = frame["bucket"].astype(int)
    predicts_up = frame["bucket"] >= n_buckets / 2
    frame["hit"] = np.where(
        frame["side"] == 0, np.nan, np.where(predicts_up, frame["side"] > 0, frame["side"] < 0)
    )
    table = frame.groupby("bucket").agg(
        mean_label=("label", "mean"), hit_rate=("hit", "mean"), count=("label", "size")
    )
    return table.reindex(range(n_buckets))


def bucket_table(scores: pd.Series, labels: pd.Series, n_buckets: int = 10) -> pd.DataFrame:
    """Per score bucket (per-date percentile of the score): mean label, hit rate, count.

    Bucket ``0`` holds the lowest scores. A bucket's hit rate is the share of its names that landed on
    the side of that date's median label the bucket predicts: above for the upper half, below for the
    lower half (a name exactly at the median counts for neither).
    """
    return _bucket_table_wide(*aligned_wide(scores, labels), n_buckets)


def _hit_rate_wide(s: pd.DataFrame, y: pd.DataFrame) -> float:
    pct = cross_sectional_rank(s.to_numpy(np.float64))
    side = cross_sectional_rank(y.to_numpy(np.float64))
    valid = ~(np.isnan(pct) | np.isnan(side)) & (pct != 0) & (side != 0)
    return float(((pct > 0) == (side > 0))[valid].mean()) if valid.any() else math.nan


def hit_rate(scores: pd.Series, labels: pd.Series) -> float:
    """Share of names landing on the side of the date's median label that the score put them on."""
    return _hit_rate_wide(*aligned_wide(scores, labels))


def _quantile_spread_wide(s: pd.DataFrame, y: pd.DataFrame, n_quantiles: int = 5) -> pd.Series:
    pct = cross_sectional_rank(s.to_numpy(np.float64)) + 0.5
    yv = y.to_numpy(np.float64)
    top = np.where(pct >= 1 - 1 / n_quantiles, yv, np.nan)
    bottom = np.where(pct < 1 / n_quantiles, yv, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a date with an empty quantile gives NaN
        spread = np.nanmean(top, axis=1) - np.nanmean(bottom, axis=1)
    return pd.Series(spread, index=s.index)


def long_short_weights(scores_wide: pd.DataFrame, fraction: float = 0.1) -> pd.DataFrame:
    """Equal weights: +1 spread over the top ``fraction`` of scores, -1 over the bottom (gross 2)."""
    pct = cross_sectional_rank(scores_wide.to_numpy(np.float64))
    long = pct > 0.5 - fraction
    short = pct < -0.5 + fraction
    with np.errstate(invalid="ignore", divide="ignore"):
        w = long / long.sum(axis=1, keepdims=True) - short / short.sum(axis=1, keepdims=True)
    return pd.DataFrame(np.nan_to_num(w), index=scores_wide.index, columns=scores_wide.columns)


def long_short_backtest(
    scores_wide: pd.DataFrame,
    returns: pd.DataFrame,
    *,
    horizon: int,
    offset: int = 0,
    fraction: float = 0.1,
    cost_per_turnover: float = DEFAULT_COST_PER_TURNOVER,
    borrow_per_day: float = 0.0,
) -> dict[str, Any]:
    """Top-minus-bottom ``fraction`` portfolio rebalanced every ``horizon`` dates from ``offset``.

    Weights set at the close of a rebalance date earn the next day's returns and are held (constant
    weights) until the next rebalance. Cost = ``cost_per_turnover`` × sum of absolute weight changes,
    charged on the rebalance day, plus ``borrow_per_day`` × short weight for every day a short is held
    (both rates come from :func:`portfolio.costs.backtest_cost_rates` in the training service).

    Returns
    -------
    dict
        ``gross`` and ``net`` daily return Series (index: the date the position was held from) and
        ``turnover`` per rebalance.
    """
    target = long_short_weights(scores_wide, fraction)
    rebalance = np.zeros(len(target), dtype=bool)
    rebalance[offset::horizon] = True
    held = target.where(pd.Series(rebalance, index=target.index), np.nan, axis=0).ffill().fillna(0.0)
    next_returns = returns.shift(-1).reindex(index=held.index, columns=held.columns).fillna(0.0)
    gross = (held * next_returns).sum(axis=1)
    changes = held.diff().abs().sum(axis=1)
    changes.iloc[0] = held.iloc[0].abs().sum()
    turnover = changes[rebalance]
    borrow = borrow_per_day * held.clip(upper=0.0).abs().sum(axis=1)
    net = gross - cost_per_turnover * changes.where(pd.Series(rebalance, index=held.index), 0.0) - borrow
    first = int(np.argmax(rebalance)) if rebalance.any() else len(held)
    return {"gross": gross.iloc[first:], "net": net.iloc[first:], "turnover": turnover}


def performance(daily: pd.Series) -> dict[str, float]:
    """Annualised return and volatility, Sharpe (zero rate) and maximum drawdown of daily returns."""
    values = daily.to_numpy(np.float64)
    if len(values) < 2:
        return {"ann_return": math.nan, "ann_vol": math.nan, "sharpe": math.nan, "max_drawdown": math.nan}
    mean, std = values.mean(), values.std(ddof=1)
    equity = np.cumprod(1.0 + values)
    drawdown = equity / np.maximum.accumulate(np.maximum(equity, 1.0)) - 1.0
    return {
        "ann_return": float(mean * TRADING_DAYS),
        "ann_vol": float(std * math.sqrt(TRADING_DAYS)),
        "sharpe": float(mean / std * math.sqrt(TRADING_DAYS)) if std > 0 else math.nan,
        "max_drawdown": float(drawdown.min()),
    }


def no_valid_score_reason(scores: pd.Series, ics: pd.DataFrame) -> str | None:
    """Why a candidate's out-of-sample scores support no statistic, or None when they do.

    ``scores`` are the non-missing scores, ``ics`` their per-date IC table (:mod:`mlcore.evaluation.ic`).
    Such a candidate is shown as "—" with this reason, never with numbers computed on nothing.
    """
    if scores.empty:
        return "no valid score: its input is missing on every date (too little history for its feature)"
    if ics.empty:
        return f"no valid score: no date has {MIN_CROSS_SECTION} names both scored and realised"
    if not ics["rank_ic"].notna().any():
        return "no valid score: the scores never vary across names on a date"
    return None


def evaluate(
    scores: pd.Series,
    labels: pd.Series,
    returns: pd.DataFrame,
    *,
    horizon: int,
    cost_per_turnover: float = DEFAULT_COST_PER_TURNOVER,
    borrow_per_day: float = 0.0,
    fraction: float = 0.1,
    all_offsets: bool = True,
) -> dict[str, Any]:
    """Every out-of-sample metric of ``scores`` in one JSON-serialisable dict.

    A candidate with no valid score gets ``{"window": None, "no_valid_score": reason}`` only.

    The long-short figures at the top level are for offset 0; ``long_short_offsets`` gives the net
    Sharpe for every start offset, with its mean, min and max.
    """
    scores = scores.dropna()
    s, y = aligned_wide(scores, labels)  # once: unstacking a million rows is the slow part
    ics = daily_ic_wide(s, y)
    reason = no_valid_score_reason(scores, ics)
    if reason is not None:
        return {"window": None, "no_valid_score": reason}
    ic, rank_ic = hac_mean(ics["ic"], horizon=horizon), hac_mean(ics["rank_ic"], horizon=horizon)
    spread = hac_mean(_quantile_spread_wide(s, y), horizon=horizon)
    scores_wide = scores.unstack("ticker")
    result: dict[str, Any] = {
        "window": {
            "start": scores_wide.index.min().date().isoformat(),
            "end": scores_wide.index.max().date().isoformat(),
            "n_dates": len(scores_wide),
        },
        "ic_mean": ic["mean"],
        "ic_se": ic["se"],
        "icir": ic["ir"],
        "rank_ic_mean": rank_ic["mean"],
        "rank_ic_se": rank_ic["se"],
        "rank_ic_t": rank_ic["t_stat"],
        "rank_icir": rank_ic["ir"],
        "hit_rate": _hit_rate_wide(s, y),
        "top_bottom_quintile": spread["mean"],
        "top_bottom_quintile_se": spread["se"],
        "cost_per_turnover": cost_per_turnover,
        "borrow_per_day": borrow_per_day,
    }
    offsets = range(horizon) if all_offsets else range(1)
    net_sharpes = []
    for offset in offsets:
        bt = long_short_backtest(
            scores_wide,
            returns,
            horizon=horizon,
            offset=offset,
            fraction=fraction,
            cost_per_turnover=cost_per_turnover,
            borrow_per_day=borrow_per_day,
        )
        gross, net = performance(bt["gross"]), performance(bt["net"])
        net_sharpes.append(net["sharpe"])
        if offset == 0:
            result["long_short"] = {
                "fraction": fraction,
                "gross": gross,
                "net": net,
                "turnover_per_rebalance": float(bt["turnover"].iloc[1:].mean())
                if len(bt["turnover"]) > 1
                else math.nan,
            }
    sharpe_array = np.array(net_sharpes, dtype=np.float64)
    result["long_short_offsets"] = {
        "net_sharpe": [float(x) for x in sharpe_array],
        "net_sharpe_mean": float(np.nanmean(sharpe_array)),
        "net_sharpe_min": float(np.nanmin(sharpe_array)),
        "net_sharpe_max": float(np.nanmax(sharpe_array)),
    }
    return result
