"""Celery tasks: thin wrappers taking ids and ISO dates, calling services."""

from __future__ import annotations

import logging

from celery import shared_task

# Celery autodiscovery imports ``mlcore.tasks`` only: importing the monitoring tasks (daily run, retrain)
# here registers them with the worker; ``retrain`` also serves the legacy weekly name below.
from mlcore.monitoring.tasks import monitor, retrain  # noqa: F401
from swingtrade.celery import on_publish_failure
from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.mlcore.tasks")


@shared_task(name="mlcore.tasks.predict_latest")
def predict_latest(run_id: int | None = None, as_of: str | None = None) -> dict:
    """Store the champion's predictions for the latest date with data (after each ingestion)."""
    from mlcore.serving import predict

    try:
        frame, version, data_date = predict.predictions_for(as_of=as_of)
    except DomainError as exc:  # no champion, bad artefact, no prices: logged, ingestion unaffected
        logger.warning("predictions not computed", extra={"run_id": run_id, "reason": exc.message})
        return {"status": "skipped", "reason": exc.message}
    return {
        "status": "ok",
        "model_version": version.pk,
        "as_of": data_date.isoformat(),
        "tickers": len(frame),
    }


@shared_task(name="mlcore.tasks.retrain_weekly")
def retrain_weekly(**legacy_kwargs) -> dict:
    """Deprecated name of :func:`mlcore.monitoring.tasks.retrain`, kept registered for beat rows that
    still carry it (migration 0003 created one; 0004 repoints it, and its reverse points it back).

    One retraining path: the same lock, window policy, recent-window comparison and alerts. Old rows'
    ``algorithm`` argument is ignored (the retrain uses the configured default), and logged as such.
    """
    if legacy_kwargs:
        logger.warning("retrain_weekly: ignoring legacy arguments", extra={"ignored": sorted(legacy_kwargs)})
    return retrain(reason="weekly schedule (legacy task name mlcore.tasks.retrain_weekly)")


@shared_task(name="mlcore.tasks.run_training_job")
def run_training_job(job_id: int) -> dict:
    from mlcore.training import jobs

    job = jobs.training_job_run(job_id)
    return {"job": job.pk, "status": job.status, "model_version": job.model_version_id}


def on_ingestion_succeeded(sender, run=None, **kwargs) -> None:
    """Receiver of ``market.signals.ingestion_succeeded``: queue the day's predictions."""
    try:
        predict_latest.delay(run_id=getattr(run, "pk", None))
    except Exception:  # a broker hiccup must never fail an ingestion that already committed
        logger.exception(
            "could not queue predictions after ingestion", extra={"run_id": getattr(run, "pk", None)}
        )


@on_publish_failure("mlcore.tasks.run_training_job")
def _fail_unqueued_job(job_id: int, *args, **kwargs) -> None:
    """The broker refused the task: its job would stay queued for ever (issue 12)."""
    from django.utils import timezone

    from mlcore.models import TrainingJob

    TrainingJob.objects.filter(pk=job_id).update(
        status=TrainingJob.Status.FAILED,
        error="Not queued: the task broker was unavailable. Try again.",
        finished_at=timezone.now(),
    )
