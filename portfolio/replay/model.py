"""The model inside a replay: trained, promoted, judged and served with mlcore's own functions, in memory.

A replay must not write model versions into the product's registry, so the versions it trains live
here as :class:`ReplayModel` (the bundle mlcore would save, its out-of-sample metrics and a
fingerprint that the ``ReplayRun`` records). Each step calls the product's function for it:

- training: the retraining policy of ``mlcore.monitoring.retraining.retrain_config`` (with the configured
  defaults, as the gate's ``Rules.from_settings``: expanding or rolling window), then
  ``mlcore.training.services.stored_dataset`` / ``evaluate_config`` (walk-forward out of sample) and
  ``mlcore.training.bundle.fit_bundle`` (the final fit ``train_scored`` uses) — on the panels cut at the
  replay's day. Two savings that change no number: the features are computed once on the whole period
  and cut at each retraining day (every feature at ``t`` uses bars ``<= t``), and a walk-forward fold
  whose training dates a previous retraining already fitted reuses that estimator, and a complete fold its
  scores (the rows, labels and features are the same; :func:`mlcore.training.walkforward.walk_forward`);
- promotion: ``mlcore.evaluation.promotion.decide`` on the comparison ``mlcore.monitoring.retraining``
  makes — the champion's per-date rank IC on dates it never saw against the challenger's walk-forward
  scores on the same dates, paired;
- the gate: ``mlcore.monitoring.rules.evaluate`` of the champion's out-of-sample window metrics
  (``mlcore.monitoring.performance``); CRITICAL closes it (``mlcore.monitoring.gate``'s rule) until a new
  champion is promoted. Freshness and coverage cannot fail in a replay (the data is the clock's);
- serving: ``mlcore.training.scoring.score_date`` and the champion's reliability
  (``ModelVersion.reliability``): the tilt the default advice takes. A champion of reliability 0 is not
  scored: the advice multiplies its expected returns by 0 (``portfolio.advice.core.advise``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from mlcore import monitoring
from mlcore.data.dataset import Panels
from mlcore.evaluation import promotion
from mlcore.evaluation.ic import daily_ic
from mlcore.models import ModelVersion
from mlcore.monitoring.models import MonitoringThresholds
from mlcore.monitoring.performance import window_metrics
from mlcore.monitoring.retraining import retrain_config
from mlcore.training.bundle import fit_bundle
from mlcore.training.challenger import rank_ic_by_date
from mlcore.training.scoring import ModelBundle, NotScorable, score_date
from mlcore.training.services import TrainingConfig, evaluate_config, stored_dataset
from mlcore.training.walkforward import Dataset, score_rows


@dataclass
class ReplayModel:
    """One version trained inside a replay (never saved to the registry)."""

    bundle: ModelBundle
    oos: dict[str, Any]
    trained_on: pd.Timestamp  # the replay day it was trained on
    train_start: pd.Timestamp  # first date of its training window
    train_end: pd.Timestamp  # last date whose label it saw
    fingerprint: str

    @property
    def reliability(self) -> float:
        # The product's rule, on an unsaved version carrying the same metrics.
        return ModelVersion(metrics={"oos": self.oos}).reliability

    def summary(self) -> dict[str, Any]:
        return {
            "trained_on": self.trained_on.date().isoformat(),
            "train_start": self.train_start.date().isoformat(),
            "train_end": self.train_end.date().isoformat(),
            "algorithm": self.bundle.algorithm,
            "rank_ic": _clean(self.oos.get("rank_ic_mean")),
            "reliability": round(self.reliability, 4),
            "fingerprint": self.fingerprint,
        }


def replay_training_config() -> TrainingConfig:
    """The product's retraining configuration (``retrain_config``) with the configured thresholds, as the
    replay's gate uses ``Rules.from_settings()``: a replay never reads the live product's edited row."""
    return retrain_config(MonitoringThresholds(**settings.MONITORING_DEFAULTS))


@dataclass
class ModelLifecycle:
    """Champion, gate and history of the models of one replay (``config``: the training configuration,
    default :func:`replay_training_config`)."""

    champion: ReplayModel | None = None
    gate_open: bool = True
    gate_reason: str = "No monitoring run yet."
    versions: list[dict[str, Any]] = field(default_factory=list)
    gate_closed_days: int = 0
    config: TrainingConfig | None = None
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def retrain(self, panels: Panels, day: pd.Timestamp, *, features: pd.DataFrame | None = None) -> None:
        """Judge the champion, train a challenger on data ≤ ``day`` and promote it if it wins.

        ``features``: the model's features of the same bars up to ``day`` when already computed
        (``MarketData.model_features``); else computed from ``panels``.
        """
        if self.config is None:
            self.config = replay_training_config()
        config = self.config
        try:
            _, dataset = stored_dataset(config, panels=panels, features=features)
            # The replay reads the overall rank IC, its t and the hit rate: no per-fold metrics, and the
            # long-short backtest at offset 0 only (neither changes those figures).
            scores, metrics = evaluate_config(
                config.algorithm,
                config.params,
                dataset,
                config,
                memo=self._memo,
                fold_metrics=False,
                all_offsets=False,
            )
        except ValueError:  # too little history for one walk-forward fold yet: keep what serves
            return
        champion_scores = None  # computed once for the gate's judgement and the promotion's comparison
        if self.champion is not None:
            dates = self._window(self.champion, dataset)
            if len(dates):
                champion_scores = self._champion_scores(self.champion, dataset, dates)
                self._judge(self.champion, dataset, dates, champion_scores)
        challenger = _fit(config, dataset, scores, metrics, day, panels)
        promote, reason = self._decide(challenger, scores, dataset, champion_scores)
        self.versions.append({**challenger.summary(), "promoted": promote, "decision": reason})
        if promote:
            self.champion = challenger
            # mlcore.monitoring.gate: a newly promoted champion serves until a monitoring run judges it.
            self.gate_open, self.gate_reason = True, "A new champion replaced the model judged before."

    def _window(self, champion: ReplayModel, dataset: Dataset) -> pd.DatetimeIndex:
        """The latest matured dates the champion never saw (mlcore.monitoring.snapshot.oos_dates)."""
        rules = monitoring.Rules.from_settings()
        matured = dataset.label.dropna().index.get_level_values("date").unique().sort_values()
        first_oos = champion.train_end + pd.tseries.offsets.BDay(champion.bundle.horizon + 1)
        return matured[matured >= first_oos][-rules.long_window :]

    def _champion_scores(self, champion: ReplayModel, dataset: Dataset, dates: pd.DatetimeIndex) -> pd.Series:
        rows = dataset.scorable() & np.asarray(dataset.dates.isin(dates))
        return score_rows(champion.bundle.estimator, dataset, rows)

    def _judge(
        self, champion: ReplayModel, dataset: Dataset, dates: pd.DatetimeIndex, scores: pd.Series
    ) -> None:
        rules = monitoring.Rules.from_settings()
        if len(dates) < rules.min_dates:
            return
        daily = daily_ic(scores, dataset.label)
        horizon = champion.bundle.horizon
        verdict = monitoring.evaluate(
            short=window_metrics(daily, window=rules.short_window, horizon=horizon),
            long=window_metrics(
                daily,
                window=rules.long_window,
                horizon=horizon,
                validation_rank_ic=_clean(champion.oos.get("rank_ic_mean")),
                validation_rank_ic_se=_clean(champion.oos.get("rank_ic_se")),
            ),
            drift=None,
            freshness=None,
            coverage_share=None,
            rules=rules,
        )
        self.gate_open = verdict.state != monitoring.CRITICAL
        self.gate_reason = verdict.summary()

    def _decide(
        self,
        challenger: ReplayModel,
        scores: pd.Series,
        dataset: Dataset,
        theirs: pd.Series | None,
    ) -> tuple[bool, str]:
        """``theirs``: the champion's scores on its out-of-sample window (None: no champion yet)."""
        horizon = challenger.bundle.horizon
        if self.champion is None:
            decision = promotion.decide(rank_ic_by_date(scores, dataset.label), None, horizon=horizon)
            return decision.promote, decision.reason
        dates = self._window(self.champion, dataset)
        if theirs is None or len(dates) == 0:
            return False, "the champion has no out-of-sample dates to compare on yet"
        mine = scores[scores.index.get_level_values("date").isin(dates)]
        decision = promotion.decide(
            rank_ic_by_date(mine, dataset.label), rank_ic_by_date(theirs, dataset.label), horizon=horizon
        )
        return decision.promote, decision.reason

    def tilt(self, panels: Panels, day: pd.Timestamp) -> tuple[pd.Series | None, float]:
        """The champion's expected returns (arithmetic, over its horizon) and reliability on ``day``.

        As ``portfolio.advice.service.model_tilt``: no champion, a closed gate or no score for the day
        gives no tilt (reliability 0).
        """
        if self.champion is None or not self.gate_open:
            return None, 0.0
        reliability = min(max(self.champion.reliability, 0.0), 1.0)
        if reliability == 0.0:  # the advice would multiply the scores by 0: not computed
            return None, 0.0
        try:
            frame = score_date(self.champion.bundle, panels.prices, panels.sectors, day)
        except (NotScorable, ValueError):
            return None, 0.0
        return np.expm1(frame["expected_return"].astype(float)), reliability


def _fit(
    config: TrainingConfig,
    dataset: Dataset,
    scores: pd.Series,
    metrics: dict,
    day: pd.Timestamp,
    panels: Panels,
) -> ReplayModel:
    final = fit_bundle(config, dataset, scores, side_fraction=settings.MLCORE_SIDE_FRACTION)
    digest = hashlib.sha256(
        f"{config.algorithm}|{sorted(config.params.items())}|{panels.fingerprint()['bars_sha256']}".encode()
    ).hexdigest()
    return ReplayModel(final.bundle, metrics["oos"], day, final.train_start, final.train_end, digest[:16])


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None
