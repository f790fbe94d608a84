"""From a fitted model to a ranked, calibrated prediction for one date (pure, no ORM).

The score itself is in arbitrary units (the model is fitted on ranked labels), so it is calibrated on
the out-of-sample window: the per-date percentile of the score is mapped to a return over the horizon by
an isotonic regression of the realised relative return on that percentile, evaluated per bucket, and the
confidence of a bucket is its out-of-sample hit rate. Both come from scores the model made on data it
had not seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from mlcore.evaluation.metrics import bucket_table
from mlcore.features.indicators import HISTORY_FOR_PREDICTION, compute_features, cross_sectional_rank
from mlcore.training.walkforward import REQUIRED_FEATURE, has_history

N_BUCKETS = 10


class MissingFeatures(ValueError):
    """The data cannot produce every feature the model was trained on."""


class NotScorable(ValueError):
    """No ticker has enough history on the date to be scored (the rule training applies to its rows)."""


BUY, SELL, NEUTRAL = "buy", "sell", "neutral"


def fit_calibration(
    oos_scores: pd.Series, oos_labels: pd.Series, n_buckets: int = N_BUCKETS
) -> dict[str, Any]:
    """Expected return and hit rate per score bucket, learned from out-of-sample scores only."""
    joined = pd.concat({"s": oos_scores, "y": oos_labels}, axis=1, join="inner").dropna()
    pct = pd.Series(cross_sectional_rank(joined["s"].unstack("ticker").to_numpy(np.float64)).ravel() + 0.5)
    labels_wide = joined["y"].unstack("ticker").to_numpy(np.float64).ravel()
    valid = ~(np.isnan(pct.to_numpy()) | np.isnan(labels_wide))
    iso = IsotonicRegression(increasing=True, out_of_bounds="clip")
    iso.fit(pct.to_numpy()[valid], labels_wide[valid])
    centres = (np.arange(n_buckets) + 0.5) / n_buckets
    table = bucket_table(oos_scores, oos_labels, n_buckets)
    return {
        "n_buckets": n_buckets,
        "method": "isotonic regression of the realised relative log return on the score percentile (OOS)",
        "expected_return": [float(x) for x in iso.predict(centres)],
        "bucket_mean_return": [_num(x) for x in table["mean_label"]],
        "hit_rate": [_num(x) for x in table["hit_rate"]],
        "count": [int(x) if not pd.isna(x) else 0 for x in table["count"]],
    }


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


@dataclass
class ModelBundle:
    """What an artefact file holds: the fitted estimator and everything needed to use it alone."""

    algorithm: str
    params: dict[str, Any]
    estimator: Any
    feature_columns: list[str]
    horizon: int
    calibration: dict[str, Any]
    side_fraction: float = 0.2
    meta: dict[str, Any] = field(default_factory=dict)


def _side(pct: np.ndarray, fraction: float) -> np.ndarray:
    return np.where(pct > 1 - fraction, BUY, np.where(pct <= fraction, SELL, NEUTRAL))


def score_date(
    bundle: ModelBundle,
    prices: dict[str, pd.DataFrame],
    sectors: dict[str, str],
    as_of,
    *,
    side_fraction: float | None = None,
) -> pd.DataFrame:
    """Predictions for every ticker with a price and enough history on ``as_of``, from data up to it only.

    Tickers lacking the history training requires (:func:`mlcore.training.walkforward.has_history`) are
    left out rather than scored on imputed inputs; when none has it, :class:`NotScorable` is raised.

    Returns
    -------
    DataFrame
        Index ``ticker``; columns ``score``, ``expected_return`` (log return over the horizon relative to
        the universe), ``predicted_volatility`` (trailing 60-day daily stdev × sqrt(horizon)),
        ``confidence`` (OOS hit rate of the score's bucket), ``rank`` (1 = best), ``side`` (top and
        bottom ``side_fraction`` of the universe; default: the fraction stored with the model).
    """
    as_of = pd.Timestamp(as_of)
    # Enough trailing history for every window and for the EWMs to converge; nothing after as_of.
    window = {k: v.loc[:as_of].iloc[-HISTORY_FOR_PREDICTION:] for k, v in prices.items()}
    features = compute_features(window, sectors, start=as_of)
    if features.empty:
        raise ValueError(f"no prices on {as_of.date()}")
    day = features.xs(as_of, level="date")
    missing = [c for c in bundle.feature_columns if c not in day.columns]
    if missing:
        # e.g. bars without OHLC/volume: never fill a model's inputs with made-up values.
        raise MissingFeatures(f"the stored prices lack inputs the model was trained on: {', '.join(missing)}")
    scorable = has_history(day)
    if not scorable.any():
        raise NotScorable(
            f"none of the {len(day)} tickers has the history the model needs on {as_of.date()} "
            f"({REQUIRED_FEATURE} is undefined for all: too little price history before that date)"
        )
    day = day.loc[scorable]
    score = np.asarray(bundle.estimator.predict(day[bundle.feature_columns]), dtype=np.float64)
    pct = cross_sectional_rank(score[None, :])[0].astype(np.float64) + 0.5
    n = bundle.calibration["n_buckets"]
    bucket = np.clip(np.floor(pct * n), 0, n - 1).astype(int)
    expected = np.asarray(bundle.calibration["expected_return"], dtype=np.float64)[bucket]
    hits = np.asarray([np.nan if h is None else h for h in bundle.calibration["hit_rate"]], dtype=np.float64)
    volatility = day["vol_60"].to_numpy(np.float64) * math.sqrt(bundle.horizon)
    frame = pd.DataFrame(
        {
            "score": score,
            "expected_return": expected,
            "predicted_volatility": volatility,
            "confidence": hits[bucket],
            "rank": pd.Series(-score).rank(method="first").astype(int).to_numpy(),
            "side": _side(pct, bundle.side_fraction if side_fraction is None else side_fraction),
        },
        index=pd.Index(day.index, name="ticker"),
    )
    return frame.sort_values("rank")
