"""Training-time promotion: the champion re-run on the challenger's folds, then the promotion policy.

The rule itself is :func:`mlcore.evaluation.promotion.decide` (paired HAC t-test of per-date rank IC);
this module gathers its inputs against the database and records the outcome through the registry.
:func:`promotion_apply` is also the ending of a monitoring-triggered retraining.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from mlcore.evaluation import ic, promotion
from mlcore.json_values import json_safe
from mlcore.models import ModelVersion
from mlcore.registry import versions as registry
from mlcore.training.services import TrainingConfig, evaluate_config, train_scored
from mlcore.training.walkforward import Dataset


def rank_ic_by_date(scores: pd.Series | None, labels: pd.Series) -> pd.Series:
    """Per-date rank IC of ``scores`` (empty when there are none): the series the policy pairs."""
    if scores is None or scores.empty:
        return pd.Series(dtype=float)
    return ic.daily_ic(scores, labels)["rank_ic"]


def promotion_attempt(
    version: ModelVersion,
    *,
    dataset: Dataset,
    config: TrainingConfig,
    oos_scores: pd.Series,
    user: Any = None,
    progress: bool = False,
) -> ModelVersion:
    """Apply the promotion policy to a freshly trained challenger.

    The champion's own configuration (algorithm, hyper-parameters, window, horizon) is re-run through
    the same walk-forward folds on the same data, so both are judged on identical dates with models
    that never saw them; the policy then tests the per-date difference of their rank ICs. Losers are
    rejected, with the numbers in the event log.
    """
    current = registry.champion()
    champion_oos = None
    champion_config = None
    champion_daily = None
    if current is not None:
        if current.horizon != version.horizon:
            version.status_reason = (
                f"Not compared: horizon {version.horizon} d differs from the champion's {current.horizon} d; "
                "promote by hand if intended."
            )
            version.save(update_fields=["status_reason"])
            return version
        champion_config = champion_config_for(current, config)
        champion_scores, champion_metrics = evaluate_config(
            champion_config.algorithm, champion_config.params, dataset, champion_config, progress=progress
        )
        champion_oos = champion_metrics["oos"]
        champion_daily = rank_ic_by_date(champion_scores, dataset.label)
    decision = promotion.decide(
        rank_ic_by_date(oos_scores, dataset.label), champion_daily, horizon=config.horizon
    )
    comparison = {
        "champion": current.pk if current else None,
        "champion_config": _config_summary(champion_config) if champion_config else None,
        "champion_oos": json_safe(champion_oos),
        "paired": json_safe(decision.paired),
        "min_t": promotion.min_t(),
        "decision": decision.reason,
    }
    return promotion_apply(
        version,
        promote=decision.promote,
        reason=f"Automatic: {decision.reason}",
        comparison=comparison,
        user=user,
    )


def promotion_apply(
    version: ModelVersion, *, promote: bool, reason: str, comparison: dict[str, Any], user: Any = None
) -> ModelVersion:
    """Store the comparison on the challenger, then promote or reject it (both logged with the numbers).

    The one ending of every automatic decision: after training (:func:`promotion_attempt`) and after a
    monitoring-triggered retraining (:func:`mlcore.monitoring.retraining.retrain`).
    """
    version.metrics = {**version.metrics, "comparison": comparison}
    version.save(update_fields=["metrics"])
    decide = registry.promote if promote else registry.reject
    return decide(version, user=user, reason=reason, details=comparison)


def champion_config_for(champion: ModelVersion, challenger: TrainingConfig) -> TrainingConfig:
    """The champion's own configuration on the challenger's evaluation window (folds, costs, threads).

    Folds depend only on the test block size, the minimum training length and the purge (= horizon,
    equal for both), so the champion's window type and size change what it trains on, not the dates
    it is judged on.
    """
    return dataclasses.replace(
        challenger,
        algorithm=champion.algorithm,
        params=dict(champion.params),
        horizon=champion.horizon,
        window=champion.training_window,
        window_size=champion.training_window_size if champion.training_window == "rolling" else None,
    )


def _config_summary(config: TrainingConfig) -> dict[str, Any]:
    keys = ("algorithm", "params", "horizon", "window", "window_size")
    return {k: getattr(config, k) for k in keys}


def train_and_maybe_promote(
    *, config: TrainingConfig, promote: bool, user: Any = None, progress: bool = False
) -> ModelVersion:
    """Train a candidate and, when asked, put it through :func:`promotion_attempt`."""
    trained = train_scored(config=config, user=user, progress=progress)
    if not promote:
        return trained.version
    return promotion_attempt(
        trained.version,
        dataset=trained.dataset,
        config=config,
        oos_scores=trained.oos_scores,
        user=user,
        progress=progress,
    )
