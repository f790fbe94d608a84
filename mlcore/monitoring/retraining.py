"""Retraining: a challenger on the stored data (training-window policy from the monitoring thresholds),
promoted only if it beats the champion on the recent window and passes monitoring there.

Called weekly (beat) and when the champion turns CRITICAL (``mlcore.monitoring.tasks.retrain``).
Training itself is the model engineer's service (:mod:`mlcore.training.services`); the decision goes
through the promotion policy (:func:`mlcore.evaluation.promotion.decide`) and the registry's ``promote`` /
``reject``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pandas as pd

from mlcore import monitoring
from mlcore.data.dataset import load_panels
from mlcore.evaluation import ic, promotion
from mlcore.json_values import json_safe
from mlcore.models import ModelVersion
from mlcore.monitoring.models import MonitoringThresholds
from mlcore.monitoring.services import monitoring_run, validate_as_of
from mlcore.monitoring.snapshot import MarketSnapshot, iso, model_scores, oos_dates
from mlcore.registry import versions as registry
from mlcore.training import services
from mlcore.training.challenger import promotion_apply, rank_ic_by_date
from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.mlcore.monitoring")


def retrain_config(thresholds: MonitoringThresholds | None = None) -> services.TrainingConfig:
    """The training configuration for a retrain: the training-window policy comes from the thresholds."""
    thresholds = thresholds or MonitoringThresholds.load()
    rolling = thresholds.training_window == MonitoringThresholds.TrainingWindow.ROLLING
    return services.training_config(
        window=thresholds.training_window,
        window_size=thresholds.training_window_years * 252 if rolling else None,
    )


def retrain(*, as_of: date | None = None, reason: str, user: Any = None) -> dict[str, Any]:
    """Train a challenger on data up to ``as_of`` and promote it only if it beats the champion on the
    same recent window; then judge the (possibly new) champion again so the gate reflects it.

    Comparison: the champion's realised rank IC on the last ``long_window`` matured dates (its live,
    out-of-sample record) against the challenger's walk-forward out-of-sample rank IC on exactly those
    dates, date by date, through the promotion policy (:func:`mlcore.evaluation.promotion.decide`).
    """
    validate_as_of(as_of)
    thresholds = MonitoringThresholds.load()
    rules = thresholds.rules()
    config = retrain_config(thresholds)
    panels = load_panels(end=as_of)
    trained = services.train_scored(config=config, user=user, panels=panels)
    version, dataset = trained.version, trained.dataset
    champion = registry.champion()
    decision_reason = "no champion: the challenger becomes the first one"
    comparison: dict[str, Any] = {}
    if champion is not None:
        matured = dataset.label.index.get_level_values("date").unique().sort_values()
        window = matured[-rules.long_window :]
        market = MarketSnapshot(panels, dataset.features, pd.Timestamp(matured.max()), {})
        champion_dates = oos_dates(champion, market, rules).intersection(window)
        champion_scores, _ = (
            model_scores(champion, market, champion_dates) if len(champion_dates) else (None, 0)
        )
        common = window if champion_scores is None else champion_dates
        scores = trained.oos_scores
        challenger_window = scores[scores.index.get_level_values("date").isin(common)]
        challenger_daily = rank_ic_by_date(challenger_window, dataset.label)
        champion_daily = rank_ic_by_date(champion_scores, dataset.label)
        decision = promotion.decide(challenger_daily, champion_daily, horizon=config.horizon)
        ok, decision_reason = decision.promote, decision.reason
        comparison = {
            "window": {"start": iso(common.min()), "end": iso(common.max()), "n_dates": len(common)},
            "challenger_rank_ic": _mean_or_none(challenger_daily),
            "champion_rank_ic": _mean_or_none(champion_daily),
            "paired": decision.paired,
            "min_t": promotion.min_t(),
        }
        # Beating a broken champion is not enough to serve: the challenger must also pass the same
        # monitoring rules on that window, or the gate would reopen on a model that is just as wrong.
        verdict = _window_verdict(challenger_window, dataset.label, version, rules)
        comparison["challenger_monitoring"] = {"state": verdict.state, "summary": verdict.summary()}
        if ok and verdict.performance_critical:
            ok = False
            decision_reason = (
                f"{decision_reason}; but it fails monitoring on that window: {verdict.summary()}"
            )
    else:
        ok = True
    comparison = json_safe({**comparison, "decision": decision_reason, "trigger": reason})
    version = promotion_apply(
        version,
        promote=ok,
        reason=f"Retraining ({reason}): {decision_reason}",
        comparison=comparison,
        user=user,
    )
    reports = monitoring_run(as_of=as_of, allow_retrain=False) if ok else []
    logger.warning(
        "retraining finished",
        extra={"model_version": version.pk, "status": version.status, "decision": decision_reason},
    )
    return {
        "model_version": version.pk,
        "status": version.status,
        "decision": decision_reason,
        "comparison": comparison,
        "reports": [r.pk for r in reports],
    }


def _mean_or_none(daily: pd.Series) -> float | None:
    return float(daily.mean()) if len(daily.dropna()) else None


def _window_verdict(
    scores: pd.Series, labels: pd.Series, version: ModelVersion, rules: monitoring.Rules
) -> monitoring.Evaluation:
    daily = ic.daily_ic(scores, labels) if len(scores) else pd.DataFrame(columns=["rank_ic"])
    long = monitoring.window_metrics(
        daily,
        window=rules.long_window,
        horizon=version.horizon,
        validation_rank_ic=version.oos.get("rank_ic_mean"),
        validation_rank_ic_se=version.oos.get("rank_ic_se"),
    )
    return monitoring.evaluate(
        short=None, long=long, drift=None, freshness=None, coverage_share=None, rules=rules
    )


def retrain_and_notify(
    *, as_of: date | None = None, reason: str, report_id: int | None = None
) -> dict[str, Any]:
    """:func:`retrain`, recording the outcome as an alert when a CRITICAL report asked for it, and
    e-mailing the admins when it fails (the gate may stay closed until someone acts)."""
    from mlcore.monitoring import alerts, messages
    from mlcore.monitoring.models import MonitoringReport

    report = MonitoringReport.objects.filter(pk=report_id).first() if report_id else None
    try:
        result = retrain(as_of=as_of, reason=reason)
    except DomainError as exc:
        logger.error("retraining failed", extra={"reason": reason, "error": exc.message})
        alerts.notify_retrain(
            subject=messages.RETRAIN_FAILED,
            body=messages.RETRAIN_FAILED_BODY % {"reason": reason, "error": exc.message},
            report=report,
            email=True,
        )
        return {"status": "failed", "reason": exc.message}
    if report is not None:
        promoted = result["status"] == ModelVersion.Status.CHAMPION
        alerts.notify_retrain(
            subject=(messages.RETRAIN_PROMOTED if promoted else messages.RETRAIN_REJECTED)
            % {"version": result["model_version"]},
            body=f"Retraining after monitoring report {report.pk} ({report.state}): {result['decision']}.",
            report=report,
            email=False,
        )
    return {"status": "ok", **result}
