"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered."""

from __future__ import annotations

import os

from celery import Celery

# Workers and beat default to production settings, like the web servers; `make worker` picks the development
# ones explicitly, and the eager embedded default needs no worker at all.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.production")

app = Celery("swingtrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="swingtrade.ping")
def ping(payload: str = "pong") -> str:
    """Round trip through the broker; used by the worker integration test and health checks."""
    return payload


@app.task(name="swingtrade.fail_interrupted_runs")
def fail_interrupted_runs() -> int:
    """Every minute (beat): runs left ``running`` by a killed process are marked failed."""
    from market.ingest import fail_interrupted_runs as fail_ingestion_runs

    return fail_ingestion_runs()
