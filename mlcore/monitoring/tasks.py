"""Celery tasks of monitoring: the daily run after the close and retraining (weekly, or on CRITICAL).

Thin: ids and ISO dates in, a service call, a small JSON result out. Imported by ``mlcore/tasks.py`` so
the worker's autodiscovery registers them. Schedules are ``django_celery_beat`` rows created by the
migration ``0004_monitoring_schedules`` (editable in the admin).
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError

__all__ = ["monitor", "retrain"]

logger = logging.getLogger("swingtrade.mlcore.monitoring")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# One retraining at a time (weekly beat and a CRITICAL may coincide); the lock expires with the task limit.
RETRAIN_LOCK = "mlcore:monitoring:retrain-lock"
RETRAIN_LOCK_SECONDS = 60 * 60


@shared_task(
    name="mlcore.monitoring.run", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def monitor(as_of: str | None = None) -> dict:
    """Judge the serving model; on a new CRITICAL performance episode queue a retraining."""
    from mlcore.monitoring import services as monitoring_services

    reports = monitoring_services.monitoring_run(as_of=_date(as_of))
    for report in reports:
        if report.retrain_requested:
            retrain.delay(
                as_of=as_of, reason=f"monitoring report {report.pk} is {report.state}", report_id=report.pk
            )
    return {"reports": [{"id": r.pk, "role": r.role, "state": r.state} for r in reports]}


@shared_task(name="mlcore.monitoring.retrain")
def retrain(as_of: str | None = None, reason: str = "weekly schedule", report_id: int | None = None) -> dict:
    """Train a challenger (training-window policy from the thresholds); promote only if it is better."""
    from mlcore.monitoring import retraining

    if not cache.add(RETRAIN_LOCK, reason, timeout=RETRAIN_LOCK_SECONDS):
        logger.warning("retraining skipped: another one is running", extra={"reason": reason})
        return {"status": "skipped", "reason": "another retraining is running"}
    try:
        return retraining.retrain_and_notify(as_of=_date(as_of), reason=reason, report_id=report_id)
    finally:
        cache.delete(RETRAIN_LOCK)
