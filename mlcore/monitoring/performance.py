"""Realised quality of stored scores over a window: means and HAC t-stats of the per-date IC table.

The per-date IC table and the standard errors come from :mod:`mlcore.evaluation.ic` (one home).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from mlcore.evaluation.ic import newey_west_se


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
    """Summarise the last ``window`` rows of :func:`mlcore.evaluation.ic.daily_ic` with HAC t-statistics.

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
