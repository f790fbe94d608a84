"""Celery tasks of the market app: thin wrappers that take ids and ISO dates and call a service.

The daily Yahoo update (scheduled by beat, see migration ``0002``) fans out one task per chunk of
tickers in a Celery ``chord``: each chunk is its own atomic run, retried with exponential backoff
while Yahoo leaves tickers out, and the summary lists the tickers still missing after the last
retry — what succeeded stays stored either way.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import chord, group, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError

from market import services
from market.ingest import fail_run
from market.models import IngestionRun
from swingtrade.celery import on_publish_failure

logger = logging.getLogger("swingtrade.market.tasks")

#: Worth another attempt later: the network or the database was briefly unavailable.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OperationalError)


class TickersUnavailable(Exception):
    """Yahoo returned no data for some tickers of a chunk; retrying may bring them."""

    def __init__(self, tickers: list[str]) -> None:
        super().__init__(f"no data for {', '.join(tickers)}")
        self.tickers = tickers


def _user(user_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def run_summary(run: IngestionRun) -> dict[str, Any]:
    return {
        "run_id": run.pk,
        "status": run.status,
        "inserted": run.inserted,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "failed_tickers": run.failed_tickers,
    }


@shared_task(name="market.ingest_sample")
def ingest_sample(
    tickers: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    return run_summary(services.sample_load(tickers=tickers, start=start, end=end, user=_user(user_id)))


@shared_task(
    name="market.ingest_csv",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def ingest_csv(
    path: str, run_id: int | None = None, allow_create_tickers: bool = True, user_id: int | None = None
) -> dict[str, Any]:
    run = services.get_run(run_id) if run_id else None
    loaded = services.csv_load(
        source=path, user=_user(user_id), allow_create_tickers=allow_create_tickers, run=run
    )
    return run_summary(loaded)


@shared_task(
    bind=True,
    name="market.ingest_yahoo_chunk",
    autoretry_for=(TickersUnavailable, *TRANSIENT_ERRORS),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=3,
)
def ingest_yahoo_chunk(
    self: Any,
    symbols: list[str],
    start: str,
    end: str | None = None,
    batch: str | None = None,
    run_id: int | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    """Ingest one chunk; raise (→ retry with backoff) while tickers are missing and retries remain.

    Every attempt is an atomic run of its own (tagged with ``batch``), so what one attempt stored is
    kept; a repeat of stored bars writes nothing. After the last retry the missing tickers are
    returned, not raised, so the chord's summary still runs.
    """
    # Eagerly executed with propagating errors (no broker in development), Celery would hand the Retry
    # to the caller instead of repeating the task: report at once instead.
    eager_propagating = bool(self.request.is_eager and self.app.conf.task_eager_propagates)
    final_attempt = eager_propagating or self.request.retries >= self.max_retries
    run = services.get_run(run_id) if run_id and self.request.retries == 0 else None
    try:
        loaded = services.yahoo_load(
            symbols=symbols, start=start, end=end, user=_user(user_id), run=run, batch=batch
        )
    except TRANSIENT_ERRORS as exc:
        if not final_attempt:
            raise
        logger.error("yahoo chunk failed after retries", extra={"symbols": symbols, "error": str(exc)})
        return {"symbols": symbols, "run_id": None, "failed_tickers": symbols, "error": str(exc)}
    if loaded.failed_tickers and not final_attempt:
        raise TickersUnavailable(loaded.failed_tickers)
    return {"symbols": symbols, **run_summary(loaded)}


@shared_task(name="market.ingest_yahoo_summary")
def ingest_yahoo_summary(results: list[dict[str, Any]], batch: str) -> dict[str, Any]:
    """Totals over every run of the batch (retries included) and the tickers still missing."""
    summary = services.batch_summary(batch=batch)
    summary["failed_tickers"] = sorted({t for r in results for t in r.get("failed_tickers") or []})
    log = logger.warning if summary["failed_tickers"] else logger.info
    log("yahoo update finished", extra=summary)
    return summary


@shared_task(name="market.ingest_yahoo")
def ingest_yahoo(
    symbols: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    run_id: int | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    """Fan a Yahoo download out per chunk of tickers; return the summary (eager) or the chord's id.

    Without ``symbols``, every active ticker; without ``start``, a few days before the oldest last
    bar among them (vendors correct recent days; re-reading them costs nothing when unchanged).
    """
    plan = services.yahoo_update_plan(symbols=symbols, start=start, end=end)
    if not plan:
        return {"batch": None, "runs": [], "failed_tickers": [], "detail": "no tickers to update"}
    batch = uuid.uuid4().hex
    if run_id:
        run = services.get_run(run_id)
        run.params = {**run.params, "batch": batch}
        run.save(update_fields=["params"])
    # An API request already created one run for its URL: the first chunk completes that run.
    headers = [
        ingest_yahoo_chunk.s(
            chunk, chunk_start, end, batch=batch, run_id=run_id if i == 0 else None, user_id=user_id
        )
        for i, (chunk, chunk_start) in enumerate(plan)
    ]
    result = chord(group(headers), ingest_yahoo_summary.s(batch=batch)).apply_async()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return result.get(disable_sync_subtasks=False)
    return {"batch": batch, "chord": result.id}


@shared_task(name="market.ingest_yahoo_daily")
def ingest_yahoo_daily() -> dict[str, Any]:
    """Beat's weekday job after the US close: bring every active ticker up to today."""
    return ingest_yahoo()


@shared_task(
    name="market.ingest_yahoo_fx",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=3,
)
def ingest_yahoo_fx(
    pairs: list[str] | None = None, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """Add Yahoo's daily rates of ``pairs`` ("EURUSD" → ``EURUSD=X``) for the dates not stored yet.

    Without ``start``, a few days before the pair's last stored rate (a month back when it has none).
    """
    from market import fx

    wanted = [(p[:3].upper(), p[3:].upper()) for p in (pairs or ["EURUSD"])]
    first = services.parse_date(start, name="start") or fx.fx_update_start(wanted)
    loaded = fx.yahoo_fx_load(pairs=wanted, start=first, end=services.parse_date(end, name="end"))
    return {"pairs": ["".join(p) for p in wanted], "start": first.isoformat(), **vars(loaded)}


@shared_task(name="market.fail_interrupted_runs")
def fail_interrupted_runs() -> int:
    """Every minute (beat, settings.CELERY_BEAT_SCHEDULE): runs left ``running`` by a killed process fail."""
    from market.ingest import fail_interrupted_runs as fail_runs

    return fail_runs()


@on_publish_failure("market.ingest_csv", "market.ingest_yahoo")
def _fail_unqueued_run(*args: Any, run_id: int | None = None, **kwargs: Any) -> None:
    """The broker refused the task: its run would stay ``running`` for ever (issue 12)."""
    run = IngestionRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None:
        fail_run(run, "Not queued: the task broker was unavailable. Nothing was stored; try again.")
