"""Training requested through the API: a recorded job, run later by the Celery task."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from mlcore.models import TrainingJob
from mlcore.training.challenger import train_and_maybe_promote
from mlcore.training.services import training_config

logger = logging.getLogger("swingtrade.mlcore.training")


def training_job_create(
    *, user: Any, algorithm: str | None = None, params: dict | None = None, promote: bool = False
) -> TrainingJob:
    """Validate and record a training request; the caller queues :func:`training_job_run` on commit
    (``mlcore.tasks.run_training_job``): services never import tasks."""
    config = training_config(algorithm=algorithm, params=params)
    job = TrainingJob.objects.create(
        algorithm=config.algorithm, params=params or {}, promote=promote, requested_by=user
    )
    return job


def training_job_run(job_id: int) -> TrainingJob:
    job = TrainingJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != TrainingJob.Status.QUEUED:
        return job
    job.status, job.started_at = TrainingJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        config = training_config(algorithm=job.algorithm, params=job.params)
        version = train_and_maybe_promote(config=config, promote=job.promote, user=job.requested_by)
    except Exception as exc:  # the job records any failure for the caller polling it
        logger.exception("training job failed", extra={"job": job.pk})
        job.status, job.error = TrainingJob.Status.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        job.status, job.model_version = TrainingJob.Status.SUCCEEDED, version
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "model_version", "finished_at"])
    return job
