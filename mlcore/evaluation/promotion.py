"""The promotion policy, in one place: when a challenger replaces the champion, and when a model has an edge.

Pure (no ORM). Training-time promotion (:func:`mlcore.training.services.promotion_attempt`), retraining
(:func:`mlcore.monitoring.retraining.retrain`), the admin and the API read their verdicts here; the
registry (:mod:`mlcore.registry.versions`) then records them.

The rule is a paired test on the same dates: the challenger's per-date rank IC minus the champion's,
both out of sample on the same walk-forward folds (or the same recent window), with a Newey-West
standard error (:mod:`mlcore.evaluation.ic`). The challenger replaces the champion only when the
t-statistic of that mean difference exceeds ``settings.MLCORE_PROMOTION_MIN_T``. A fixed margin of
rank IC would promote on noise: a difference of 0.01 is about one standard error on a few years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings

from mlcore.evaluation import ic

NO_DEMONSTRATED_EDGE = "no demonstrated edge"
DEMONSTRATED_EDGE = "demonstrated edge"


def min_t() -> float:
    """The t-statistic a challenger's paired advantage (and a model's own rank IC) must exceed."""
    return float(settings.MLCORE_PROMOTION_MIN_T)


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str
    paired: dict[str, Any] = field(default_factory=dict)


def _fmt(value: Any, spec: str) -> str:
    return format(value, spec) if isinstance(value, int | float) and math.isfinite(value) else "n/a"


def decide(
    challenger_daily: pd.Series,
    champion_daily: pd.Series | None,
    *,
    horizon: int,
    threshold: float | None = None,
) -> Decision:
    """Whether the challenger replaces the champion, and why.

    Parameters
    ----------
    challenger_daily, champion_daily : Series
        Per-date out-of-sample rank IC (index: date) of each model on the same folds or window, from
        :func:`mlcore.evaluation.ic.daily_ic`. ``champion_daily`` is None when no champion serves.
    horizon : int
        Label horizon in trading days: ``horizon - 1`` Newey-West lags.
    threshold : float, optional
        Minimum paired t-statistic; default :func:`min_t`.
    """
    threshold = min_t() if threshold is None else threshold
    own = ic.hac_mean(challenger_daily, horizon=horizon)
    if not math.isfinite(own["mean"]):
        return Decision(False, "the challenger has no finite out-of-sample rank IC")
    if champion_daily is None:
        return Decision(
            True,
            f"first champion (OOS rank IC {own['mean']:+.4f}, t {_fmt(own['t_stat'], '+.2f')}: "
            f"{edge_status(own['mean'], own['t_stat'], threshold=threshold)})",
        )
    paired = ic.paired_difference(challenger_daily, champion_daily, horizon=horizon)
    if paired["n"] == 0:
        return Decision(
            True, f"the champion has no rank IC on these dates; challenger {own['mean']:+.4f}", paired
        )
    verdict = math.isfinite(paired["t_stat"]) and paired["t_stat"] > threshold
    comparison = (
        f"paired rank IC difference {paired['mean']:+.4f} ± {_fmt(paired['se'], '.4f')} (HAC), "
        f"t {_fmt(paired['t_stat'], '+.2f')} vs threshold {threshold:.2f}, over {paired['n']} dates "
        f"{paired['start']}…{paired['end']}"
    )
    return Decision(
        verdict, ("beats the champion: " if verdict else "does not beat the champion: ") + comparison, paired
    )


def has_demonstrated_edge(rank_ic: Any, rank_ic_t: Any, *, threshold: float | None = None) -> bool:
    """A model has an edge when its OOS rank IC is positive with a HAC t-stat above the threshold."""
    threshold = min_t() if threshold is None else threshold
    finite = all(isinstance(v, int | float) and math.isfinite(v) for v in (rank_ic, rank_ic_t))
    return finite and rank_ic > 0 and rank_ic_t > threshold


def edge_status(rank_ic: Any, rank_ic_t: Any, *, threshold: float | None = None) -> str:
    """``"demonstrated edge"`` or ``"no demonstrated edge"``: what the API and the pages show."""
    edge = has_demonstrated_edge(rank_ic, rank_ic_t, threshold=threshold)
    return DEMONSTRATED_EDGE if edge else NO_DEMONSTRATED_EDGE
