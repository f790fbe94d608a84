"""Monitoring runs against the database: judge the champion (and live challengers), store the reports,
alert on state changes, and flag a broken champion for retraining (:mod:`mlcore.monitoring.retraining`).

Every number comes from the pure functions of :mod:`mlcore.monitoring`; this module only gathers their
inputs (stored predictions, prices, the training window's feature reference) and records the outcome.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from market import calendar, clock
from mlcore import monitoring
from mlcore.evaluation import ic
from mlcore.json_values import json_safe
from mlcore.models import ModelVersion, Prediction
from mlcore.monitoring import alerts
from mlcore.monitoring import selectors as monitoring_selectors
from mlcore.monitoring.models import MonitoringReport, MonitoringThresholds
from mlcore.monitoring.snapshot import MarketSnapshot, iso, load_market, model_scores, oos_dates
from mlcore.registry import versions as registry
from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.mlcore.monitoring")

Role = MonitoringReport.Role
# Challengers judged next to the champion: the newest candidates, not every model ever trained.
MAX_CHALLENGERS = 3


def _first_stored_bar() -> date | None:
    from market.models import DailyBar

    return DailyBar.objects.order_by("date").values_list("date", flat=True).first()


def _today(now: datetime | None) -> date:
    """The as-of day of a run: the market clock's date, or the date of an explicit ``now``."""
    if now is None:
        return clock.today()
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


def validate_as_of(as_of: date | None, *, now: datetime | None = None) -> None:
    """Refuse an as-of day no run can judge honestly (DomainError → HTTP 400 / CLI exit 1).

    A day in the future would measure freshness against sessions that have not happened (a CRITICAL
    report, e-mails, a closed gate for nothing); one outside the exchange calendar has no sessions to
    count; one before the first stored bar has no data at all. Called before anything is stored or queued.
    """
    if as_of is None:
        return
    clock.refuse_future(as_of, market_today=_today(now))
    first_session, last_session = calendar.bounds()
    if not first_session <= as_of <= last_session:
        raise DomainError(
            f"as_of {as_of.isoformat()} is outside the exchange calendar "
            f"({first_session.isoformat()} … {last_session.isoformat()})."
        )
    first_bar = _first_stored_bar()
    if first_bar is not None and as_of < first_bar:
        raise DomainError(
            f"as_of {as_of.isoformat()} is before the first stored bar ({first_bar.isoformat()})."
        )


def _latest_bar_on_or_before(as_of: date) -> date | None:
    from market.models import DailyBar

    return DailyBar.objects.filter(date__lte=as_of).order_by("-date").values_list("date", flat=True).first()


def _drift(
    version: ModelVersion, market: MarketSnapshot, dates: pd.DatetimeIndex, rules: monitoring.Rules
) -> dict:
    """PSI of each raw model feature over the recent dates against the training window's deciles.

    The model reads per-date ranks, whose distribution is uniform by construction (PSI ≈ 0 always), so
    drift is measured on the raw values behind them: a volatility or trend regime the model never saw.
    """
    reference = version.feature_reference or {}
    raw = [c.removesuffix("_rank") for c in version.features]
    names = [n for n in raw if n in reference and n in market.features.columns]
    recent = market.features[market.features.index.get_level_values("date").isin(dates)]
    values: dict[str, float | None] = {}
    for name in names:
        quantiles = reference[name].get("quantiles") or []
        levels = reference[name].get("levels") or np.linspace(0.0, 1.0, len(quantiles)).tolist()
        # The 0 and 1 "quantiles" are the training min and max: bin edges come from the interior ones.
        pairs = [(lv, q) for lv, q in zip(levels, quantiles, strict=False) if 0 < lv < 1 and q is not None]
        if len(pairs) < 2:
            continue
        value = monitoring.psi_from_quantiles(
            [p[0] for p in pairs], [p[1] for p in pairs], recent[name].to_numpy()
        )
        values[name] = None if np.isnan(value) else round(value, 4)
    series = pd.Series({k: v for k, v in values.items() if v is not None}, dtype=float)
    share = monitoring.drift_share(series, threshold=rules.psi_threshold)
    return {
        "psi": values,
        "share_drifting": share,
        "drifting": sorted(series[series > rules.psi_threshold].index.tolist()),
        "window": {"start": iso(dates.min()), "end": iso(dates.max())} if len(dates) else None,
    }


def _judge_model(
    version: ModelVersion,
    *,
    role: str,
    market: MarketSnapshot,
    as_of: date,
    freshness: monitoring.Freshness,
    rules: monitoring.Rules,
) -> tuple[MonitoringReport, monitoring.Evaluation]:
    dates = oos_dates(version, market, rules)
    scores, stored_dates = model_scores(version, market, dates) if len(dates) else (pd.Series(dtype=float), 0)
    daily = ic.daily_ic(scores, market.label(version.horizon)) if len(scores) else None
    oos = version.oos
    validation = {
        "rank_ic": oos.get("rank_ic_mean"),
        "rank_ic_se": oos.get("rank_ic_se"),
        "ic": oos.get("ic_mean"),
        "hit_rate": oos.get("hit_rate"),
        "window": oos.get("window"),
    }
    windows: dict[str, monitoring.WindowMetrics | None] = {}
    for key, size in (("short", rules.short_window), ("long", rules.long_window)):
        windows[key] = monitoring.window_metrics(
            daily if daily is not None else pd.DataFrame(columns=["ic", "rank_ic", "hit_rate", "n"]),
            window=size,
            horizon=version.horizon,
            validation_rank_ic=validation["rank_ic"],
            validation_rank_ic_se=validation["rank_ic_se"],
        )
    # Drift needs no labels: the latest sessions are compared even before the model has an OOS record.
    drift_dates = market.panels.close.index[-rules.long_window :]
    drift = _drift(version, market, drift_dates, rules)
    expected = market.panels.close.loc[market.data_date].dropna().index
    # Coverage is about today's (live) predictions, whatever the out-of-sample window holds.
    if len(scores) and market.data_date in scores.index.get_level_values("date"):
        today = scores
    else:
        today, _ = model_scores(version, market, pd.DatetimeIndex([market.data_date]))
    scored_today = (
        today.xs(market.data_date, level="date").index
        if len(today) and market.data_date in today.index.get_level_values("date")
        else []
    )
    coverage_share = monitoring.coverage(list(scored_today), list(expected))
    evaluation = monitoring.evaluate(
        short=windows["short"],
        long=windows["long"],
        drift=drift["share_drifting"],
        freshness=freshness,
        coverage_share=coverage_share,
        rules=rules,
    )
    metrics = {
        "validation": validation,
        "realised": {k: w.as_dict() for k, w in windows.items() if w is not None},
        "daily": _daily_json(daily, rules.long_window),
        "drift": drift,
        "freshness": freshness.as_dict(),
        "coverage": {
            "share": coverage_share,
            "predicted": len(scored_today),
            "expected": len(expected),
            # "stored": the day's predictions exist (the predict task ran); "computed": scored here.
            "source": "stored"
            if Prediction.objects.filter(model_version=version, as_of=market.data_date.date()).exists()
            else "computed",
        },
        "stored_prediction_dates": stored_dates,
        "horizon": version.horizon,
    }
    report = MonitoringReport(
        as_of=as_of,
        data_date=market.data_date.date(),
        model_version=version,
        role=role,
        state=evaluation.state,
        summary=evaluation.summary(),
        reasons=[r.as_dict() for r in evaluation.reasons],
        metrics=json_safe(metrics),
        thresholds=json_safe(rules.__dict__),
    )
    return report, evaluation


def _daily_json(daily: pd.DataFrame | None, window: int) -> list[dict[str, Any]]:
    if daily is None or daily.empty:
        return []
    tail = daily.tail(window)
    return [
        {"date": iso(d), "rank_ic": row.rank_ic, "ic": row.ic, "hit_rate": row.hit_rate, "n": int(row.n)}
        for d, row in tail.iterrows()
    ]


def _challengers(champion: ModelVersion | None) -> list[ModelVersion]:
    qs = ModelVersion.objects.filter(status=ModelVersion.Status.CANDIDATE)
    if champion is not None:
        qs = qs.exclude(pk=champion.pk)
    return list(qs.order_by("-created_at", "-id")[:MAX_CHALLENGERS])


def _retrain_due(
    report: MonitoringReport, evaluation: monitoring.Evaluation, previous: MonitoringReport | None
) -> bool:
    """Once per CRITICAL episode of a champion: not again while the same model stays critical."""
    if not evaluation.performance_critical:
        return False
    return not (
        previous is not None
        and previous.model_version_id == report.model_version_id
        and previous.state == monitoring.CRITICAL
        and any(r.get("code") in monitoring.PERFORMANCE_CODES for r in previous.reasons)
    )


def _bare_report(
    version: ModelVersion | None,
    role: str,
    as_of: date,
    data_date: date | None,
    freshness: monitoring.Freshness,
    rules: monitoring.Rules,
    evaluation: monitoring.Evaluation,
) -> tuple[MonitoringReport, monitoring.Evaluation]:
    """A report without performance metrics: no model, no data, or an artefact that cannot be loaded."""
    report = MonitoringReport(
        as_of=as_of,
        data_date=data_date,
        model_version=version,
        role=role,
        state=evaluation.state,
        summary=evaluation.summary(),
        reasons=[r.as_dict() for r in evaluation.reasons],
        metrics={"freshness": freshness.as_dict()},
        thresholds=json_safe(rules.__dict__),
    )
    return report, evaluation


def monitoring_run(
    *, as_of: date | None = None, now: datetime | None = None, allow_retrain: bool = True
) -> list[MonitoringReport]:
    """Judge the champion and live challengers as of a day; store one report each; alert on changes.

    ``as_of`` (default: the market clock's today) bounds the data used, and freshness is measured at
    ``now`` (default: the end of an explicit as-of day, after the close; the market clock's now for the
    scheduled run).
    """
    validate_as_of(as_of, now=now)
    thresholds = MonitoringThresholds.load()
    rules = thresholds.rules()
    if as_of is None:
        # The scheduled run: the market clock's day and moment (pinned in a demo or a replay).
        as_of = _today(now)
        now = now or clock.now()
    now = now or monitoring.as_of_moment(as_of)
    latest = _latest_bar_on_or_before(as_of)
    freshness = monitoring.data_freshness(latest, now=now)
    champion = registry.champion()
    challengers = _challengers(champion)
    # The serving side's newest report before this run: the one the gate reads and alerts compare to.
    previous = monitoring_selectors.latest_report()
    judged: list[tuple[MonitoringReport, monitoring.Evaluation]] = []
    if champion is None or latest is None:
        evaluation = monitoring.evaluate(
            short=None,
            long=None,
            drift=None,
            freshness=freshness,
            coverage_share=None,
            rules=rules,
            has_model=champion is not None,
        )
        role = Role.CHAMPION if champion else Role.NONE
        judged.append(_bare_report(champion, role, as_of, latest, freshness, rules, evaluation))
    if latest is not None:
        models = [(v, Role.CHAMPION) for v in ([champion] if champion else [])]
        models += [(v, Role.CHALLENGER) for v in challengers]
        if models:
            market = load_market(latest, rules, max(v.horizon for v, _ in models))
            for version, role in models:
                try:
                    judged.append(
                        _judge_model(
                            version, role=role, market=market, as_of=as_of, freshness=freshness, rules=rules
                        )
                    )
                except registry.ArtefactInvalid as exc:
                    reason = monitoring.Reason("artefact_invalid", monitoring.CRITICAL, exc.message)
                    evaluation = monitoring.Evaluation(monitoring.CRITICAL, [reason])
                    judged.append(_bare_report(version, role, as_of, latest, freshness, rules, evaluation))
    reports: list[MonitoringReport] = []
    with transaction.atomic():
        for report, evaluation in judged:
            serving = report.role in (Role.CHAMPION, Role.NONE)
            if serving:
                report.retrain_requested = (
                    allow_retrain
                    and thresholds.retrain_on_critical
                    and _retrain_due(report, evaluation, previous)
                )
            report.save()
            reports.append(report)
            if serving:
                before = previous.state if previous else monitoring.OK
                if report.state != before:
                    alerts.notify_state_change(report=report, previous_state=before)
    for report in reports:
        logger.info(
            "monitoring report",
            extra={
                "report": report.pk,
                "role": report.role,
                "state": report.state,
                "model_version": report.model_version_id,
                "as_of": as_of.isoformat(),
            },
        )
    return reports
