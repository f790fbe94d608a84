"""The one ingestion service: validate a tidy frame, upsert it atomically, record what happened.

Every entry point (CLI, Celery task, admin, API, ``make run``) ends here. A run:

1. is recorded as ``running`` in its own autocommitted row, so it survives whatever follows;
2. validates the frame (:mod:`market.validation`), a reason per rejected or flagged row;
3. in **one** transaction: creates missing tickers, upserts bars (:mod:`market.ingest.writers`),
   stores issues, refreshes the tickers' first/last bar dates and marks the run finished — so the
   data and the run's verdict commit together or not at all;
4. on any exception, leaves the prices as before and marks the run ``failed`` with the error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from market import calendar, clock
from market.columns import ROW_PROBLEM_COLUMNS
from market.ingest import generic, writers
from market.models import DailyBar, IngestionIssue, IngestionRun, Ticker
from market.selectors import latest_closes
from market.signals import ingestion_succeeded
from market.sources import REQUIRED_COLUMNS, MalformedData, finish_frame
from market.sources.sample import read_constituents
from market.validation import HOLDING_FLAGS, validate_frame
from swingtrade.audit import services as audit

logger = logging.getLogger("swingtrade.market.ingest")


def exchange_today() -> date:
    """Today on the US exchanges' calendar (a bar dated later than this is from the future)."""
    return clock.today(calendar.DEFAULT_EXCHANGE)


def fail_interrupted_runs() -> int:
    """Mark runs still ``running`` long after any run could take as failed; return how many.

    A killed process cannot mark its own run: its data transaction was rolled back by the database,
    and this says so on the run. "Long" is Celery's hard time limit plus a grace period: no live task
    runs past its limit, and the periodic sweep (``market.fail_interrupted_runs``) calls this.
    """
    cutoff = timezone.now() - timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.STALE_RUN_GRACE_SECONDS
    )
    stale = IngestionRun.objects.filter(status=IngestionRun.Status.RUNNING, started_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    # A queryset update sends no signal: the sweep is audited here, once, naming every run it failed.
    failed = IngestionRun.objects.filter(pk__in=ids, status=IngestionRun.Status.RUNNING).update(
        status=IngestionRun.Status.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the process ended before the run finished; nothing of it was stored.",
    )
    audit.record(
        "ingestion.interrupted",
        object_type=IngestionRun._meta.label_lower,
        details={"run_ids": ids, "status": IngestionRun.Status.FAILED},
    )
    return failed


def start_run(*, source: str, params: dict[str, Any] | None = None, user: Any = None) -> IngestionRun:
    """Record a run as ``running``; autocommitted, so a later failure can still be reported on it."""
    fail_interrupted_runs()
    return IngestionRun.objects.create(
        source=source,
        params=params or {},
        started_by=user if getattr(user, "is_authenticated", False) else None,
    )


def fail_run(run: IngestionRun, error: str, *, failed_tickers: list[str] | None = None) -> IngestionRun:
    run.status = IngestionRun.Status.FAILED
    run.error = error[:10_000]
    run.finished_at = timezone.now()
    run.failed_tickers = failed_tickers or run.failed_tickers
    IngestionRun.objects.filter(pk=run.pk).update(
        status=run.status, error=run.error, finished_at=run.finished_at, failed_tickers=run.failed_tickers
    )
    audit.record("ingestion.failed", obj=run, details={"status": run.status, "error": run.error[:500]})
    logger.warning("ingestion run failed", extra={"run": run.pk, "source": run.source, "error": run.error})
    return run


def _check_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in the tidy layout, whoever built it (types coerced, symbols normalised)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise MalformedData(f"Wrong columns: missing {', '.join(missing)}.", details={"missing": missing})
    try:
        tidy = finish_frame(frame)
    except (ValueError, TypeError) as exc:
        raise MalformedData(f"The frame's dates or numbers cannot be read: {exc}")
    for column in ROW_PROBLEM_COLUMNS:
        if column in frame.columns:
            tidy[column] = frame[column].to_numpy()
    return tidy


def _ensure_tickers(symbols: list[str]) -> dict[str, int]:
    """Ids of ``symbols``, creating the missing ones with the constituents' name and sector."""
    existing = dict(Ticker.objects.filter(symbol__in=symbols).values_list("symbol", "id"))
    missing = [s for s in symbols if s not in existing]
    if missing:
        meta = read_constituents().set_index("ticker")
        Ticker.objects.bulk_create(
            [
                Ticker(
                    symbol=symbol,
                    name=str(meta.at[symbol, "name"]) if symbol in meta.index else "",
                    sector=str(meta.at[symbol, "sector"]) if symbol in meta.index else "",
                )
                for symbol in missing
            ],
            ignore_conflicts=True,  # a concurrent run may have created it meanwhile
        )
        existing.update(Ticker.objects.filter(symbol__in=missing).values_list("symbol", "id"))
    return existing


def refresh_bar_dates(ticker_ids: list[int]) -> None:
    """Set each ticker's first/last bar date from its stored bars (one UPDATE, index-only lookups)."""
    bars = DailyBar.objects.filter(ticker=OuterRef("pk"))
    Ticker.objects.filter(pk__in=ticker_ids).update(
        first_bar_date=Subquery(bars.order_by("date").values("date")[:1]),
        last_bar_date=Subquery(bars.order_by("-date").values("date")[:1]),
    )


def _store_issues(run: IngestionRun, issues: pd.DataFrame) -> dict[str, int]:
    counts = (
        {
            f"{sev}:{reason}": int(n)
            for (sev, reason), n in issues.groupby(["severity", "reason"]).size().items()
        }
        if len(issues)
        else {}
    )
    limit = settings.MARKET_MAX_STORED_ISSUES
    beyond = issues.iloc[limit:]
    # A break that holds a ticker out is always stored, however many rejections come before it.
    head = pd.concat([issues.head(limit), beyond[beyond["reason"].isin(HOLDING_FLAGS)]])
    IngestionIssue.objects.bulk_create(
        [
            IngestionIssue(
                run=run,
                severity=row.severity,
                reason=row.reason,
                ticker=str(row.ticker)[:32] if isinstance(row.ticker, str) else "",
                date=row.date.date()
                if isinstance(row.date, pd.Timestamp) and not pd.isna(row.date)
                else None,
                line=int(row.line) if pd.notna(row.line) else None,
                detail=str(row.detail)[:255],
            )
            for row in head.itertuples(index=False)
        ],
        batch_size=generic.BATCH_SIZE,
    )
    return counts


def _verdict(*, rows: int, accepted: int, rejected: int, failed_tickers: list[str]) -> tuple[str, str]:
    """Succeeded: everything asked for was stored (flags allowed). Partial: some rows were rejected or
    some tickers missing, the rest stored. Failed: input there was, and none of it could be stored."""
    problems = []
    if failed_tickers:
        problems.append(f"no data for {', '.join(failed_tickers)}")
    if rejected:
        problems.append(f"{rejected} of {rows} rows rejected")
    if not problems:
        return IngestionRun.Status.SUCCEEDED, ""
    error = "; ".join(problems).capitalize() + "."
    return (IngestionRun.Status.PARTIAL if accepted else IngestionRun.Status.FAILED), error


def ingest_frame(
    *,
    frame: pd.DataFrame,
    source: str,
    params: dict[str, Any] | None = None,
    user: Any = None,
    allow_create_tickers: bool = True,
    run: IngestionRun | None = None,
    failed_tickers: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestionRun:
    """Validate and store a tidy frame; return the finished run.

    Parameters
    ----------
    frame
        Tidy long frame (:mod:`market.sources`); an optional ``line`` column numbers the source rows.
    source
        One of :class:`IngestionRun.Source`.
    allow_create_tickers
        When false, rows of tickers not already in the database are rejected (``unknown_ticker``).
    run
        An already started run (the API starts it to answer with its URL); one is created otherwise.
    failed_tickers
        Tickers the source could not fetch; the run ends ``partial`` when other rows were stored.
    progress
        Called with a number of rows each time that many were validated away or written (progress bars).

    Raises
    ------
    MalformedData
        The frame lacks required columns (nothing is written; the run is marked failed).
    Exception
        Whatever interrupted the write (the database is left as before; the run is marked failed).
    """
    if run is None:
        run = start_run(source=source, params=params, user=user)
    elif run.status != IngestionRun.Status.RUNNING:  # a retried task reuses its run
        run.status, run.error, run.finished_at = IngestionRun.Status.RUNNING, "", None
        run.save(update_fields=["status", "error", "finished_at"])
    started = time.perf_counter()
    failed_tickers = sorted(set(failed_tickers or []))
    try:
        frame = _check_columns(frame)
        symbols = sorted(frame["ticker"].dropna().unique().tolist())
        known = (
            None
            if allow_create_tickers
            else set(Ticker.objects.filter(symbol__in=symbols).values_list("symbol", flat=True))
        )
        result = validate_frame(
            frame,
            today=exchange_today(),
            max_move=settings.MARKET_MAX_DAILY_MOVE,
            known_symbols=known,
            # The last stored close, so the first new row of an update is move-checked too.
            previous_close=latest_closes(symbols),
        )
        accepted = result.accepted
        if progress is not None and len(frame) > len(accepted):
            progress(len(frame) - len(accepted))
        with transaction.atomic():
            writers.lock_ingestion()  # before the tickers: see lock_ingestion
            ids = _ensure_tickers(sorted(accepted["ticker"].unique().tolist()))
            bars = accepted.assign(ticker_id=accepted["ticker"].map(ids).astype("int64")).drop(
                columns="ticker"
            )
            inserted, updated = writers.write_bars(bars, run_id=run.pk, progress=progress)
            run.issue_counts = _store_issues(run, result.issues)
            if inserted or updated:
                refresh_bar_dates(sorted(set(ids.values())))
            run.rows_total = len(frame)
            run.inserted, run.updated = inserted, updated
            run.unchanged = len(accepted) - inserted - updated
            run.rejected, run.flagged = result.rejected_count, result.flagged_count
            run.failed_tickers = failed_tickers
            run.status, run.error = _verdict(
                rows=len(frame), accepted=len(accepted), rejected=run.rejected, failed_tickers=failed_tickers
            )
            run.finished_at = timezone.now()
            run.save()
            # The run's creation is audited by the model signal; its outcome, an update, here. The actor is
            # whoever runs the ingestion (usually its task), so the run's requester is named too.
            audit.record(
                "ingestion.finished",
                obj=run,
                details={
                    "started_by": run.started_by.get_username() if run.started_by else None,
                    "status": run.status,
                    "inserted": inserted,
                    "updated": updated,
                    "rejected": run.rejected,
                },
            )
            if run.rows_written:
                transaction.on_commit(lambda: ingestion_succeeded.send(sender=IngestionRun, run=run))
    except MalformedData as exc:
        fail_run(run, exc.message, failed_tickers=failed_tickers)
        raise
    except Exception as exc:
        fail_run(run, f"{type(exc).__name__}: {exc}", failed_tickers=failed_tickers)
        raise
    seconds = time.perf_counter() - started
    logger.info(
        "ingestion run finished",
        extra={
            "run": run.pk,
            "source": run.source,
            "status": run.status,
            "inserted": run.inserted,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
            "flagged": run.flagged,
            "seconds": round(seconds, 3),
        },
    )
    return run
