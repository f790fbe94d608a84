"""What a monitoring run reads once: the market snapshot, and a model's scores on its out-of-sample dates.

Shared by the daily run (:mod:`mlcore.monitoring.services`) and retraining
(:mod:`mlcore.monitoring.retraining`), which judge the champion on the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from mlcore import monitoring
from mlcore.data.dataset import Panels, load_history
from mlcore.features.indicators import HISTORY_FOR_PREDICTION, compute_features
from mlcore.features.labels import forward_relative_return
from mlcore.models import ModelVersion, Prediction
from mlcore.registry import versions as registry
from mlcore.training.walkforward import REQUIRED_FEATURE


@dataclass
class MarketSnapshot:
    """What one run reads once and shares across the models it judges."""

    panels: Panels
    features: pd.DataFrame
    data_date: pd.Timestamp
    labels: dict[int, pd.Series]

    def label(self, horizon: int) -> pd.Series:
        if horizon not in self.labels:
            self.labels[horizon] = forward_relative_return(self.panels.close, horizon)
        return self.labels[horizon]


def load_market(data_date: date, rules: monitoring.Rules, max_horizon: int) -> MarketSnapshot:
    lookback = rules.long_window + max_horizon + HISTORY_FOR_PREDICTION + 5
    panels = load_history(trading_days=lookback, end=data_date)
    features = compute_features(panels.prices, panels.sectors)
    return MarketSnapshot(panels, features, pd.Timestamp(data_date), {})


def _stored_scores(version: ModelVersion, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    rows = Prediction.objects.filter(
        model_version=version, as_of__gte=start.date(), as_of__lte=end.date()
    ).values_list("as_of", "ticker", "score")
    if not rows:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["date", "ticker"]))
    frame = pd.DataFrame.from_records(list(rows), columns=["date", "ticker", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index(["date", "ticker"])["score"].astype(float)


def model_scores(
    version: ModelVersion, market: MarketSnapshot, dates: pd.DatetimeIndex
) -> tuple[pd.Series, int]:
    """Scores of ``version`` on ``dates``: the stored predictions, and the artefact for dates without.

    Stored rows are what users were shown; dates nobody asked for (and every date of a challenger) are
    scored from the same causal features, never stored here. Returns (scores, dates taken from storage).
    """
    stored = _stored_scores(version, dates.min(), dates.max())
    stored_dates = stored.index.get_level_values("date").unique() if len(stored) else pd.DatetimeIndex([])
    missing = dates.difference(stored_dates)
    parts = [stored]
    if len(missing):
        bundle = registry.load_bundle(version)
        feature_dates = market.features.index.get_level_values("date")
        rows = market.features[feature_dates.isin(missing)]
        rows = rows[rows[REQUIRED_FEATURE].notna()]
        if len(rows):
            parts.append(pd.Series(bundle.estimator.predict(rows[bundle.feature_columns]), index=rows.index))
    scores = pd.concat(parts).astype(float)
    scores.index = scores.index.set_names(["date", "ticker"])
    return scores.sort_index(), len(stored_dates)


def oos_dates(version: ModelVersion, market: MarketSnapshot, rules: monitoring.Rules) -> pd.DatetimeIndex:
    """Dates judged: the latest ``long_window + horizon`` sessions, out of sample only.

    A prediction at ``d`` is out of sample once its label window (``d … d + h``) starts after the last
    price the model saw, ``train_end + h``: earlier dates would grade the model on its training labels.
    """
    dates = market.panels.close.index
    horizon = version.horizon
    train_end_pos = dates.searchsorted(pd.Timestamp(version.train_end), side="right") - 1
    first_oos = train_end_pos + horizon + 1
    window_start = max(len(dates) - (rules.long_window + horizon), first_oos, 0)
    return dates[window_start:]


def iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
