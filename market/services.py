"""Writes of the market app: one function per way prices come in, all ending in :func:`ingest_frame`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone

from market.ingest import exchange_today, fail_run, ingest_frame, start_run
from market.models import IngestionIssue, IngestionRun, Ticker
from market.selectors import unconfirmed_breaks
from market.sources import MalformedData, csv_file, normalise_symbol, sample
from market.validation import FIRST_BAR_DATE, HOLDING_FLAGS, LAST_BAR_DATE, outside_bar_dates
from swingtrade.errors import DomainError, NotFound

logger = logging.getLogger("swingtrade.market")

#: Called with a number of rows done (validated away or written): feeds progress bars.
Progress = Callable[[int], None]


def _iso(value: date | str | None) -> str | None:
    return None if value is None else pd.Timestamp(value).date().isoformat()


def parse_date(value: date | str | None, *, name: str) -> date | None:
    """An ISO date from user input, or a :class:`DomainError` saying which parameter is wrong."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{name} must be a date as YYYY-MM-DD, got {value!r}.")
    if outside_bar_dates(parsed):  # the same bound as the dates of stored rows
        raise DomainError(
            f"{name} {parsed.isoformat()} is out of range "
            f"({FIRST_BAR_DATE.isoformat()} to {LAST_BAR_DATE.isoformat()})."
        )
    return parsed


def requested_symbols(symbols: Iterable[str]) -> list[str]:
    """The distinct symbols of a request, normalised and blanks dropped; a :class:`DomainError` if none."""
    wanted = sorted({normalise_symbol(s) for s in symbols if s and s.strip()})
    if not wanted:
        raise DomainError("Give at least one ticker symbol.")
    return wanted


def check_date_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise DomainError(f"start {start.isoformat()} is after end {end.isoformat()}.")


def yahoo_window(
    start: date | str | None, end: date | str | None, *, start_required: bool = True
) -> tuple[date | None, date | None]:
    """The date rules of every Yahoo request (CLI, API, Celery): parsed dates, or a :class:`DomainError`.

    ``start`` may be left out only where a default is computed (the update plan); a start after
    today (New York) asks for bars that do not exist yet and is refused before any run is recorded.
    """
    start_date, end_date = parse_date(start, name="start"), parse_date(end, name="end")
    if start_date is None and start_required:
        raise DomainError("start is required.")
    check_date_range(start_date, end_date)
    if start_date is not None and start_date > exchange_today():
        raise DomainError(f"start {start_date.isoformat()} is in the future: there are no bars yet.")
    return start_date, end_date


def sample_load(
    *,
    tickers: Iterable[str] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    user: Any = None,
    progress: Progress | None = None,
) -> IngestionRun:
    """Load the embedded sample (or the given tickers / date window of it) into the database.

    Idempotent: a second call with the same arguments writes nothing.
    """
    frame = sample.read_sample_frame()
    symbols = sorted({t.strip().upper() for t in tickers}) if tickers is not None else None
    if symbols is not None:
        unknown = sorted(set(symbols) - set(frame["ticker"].unique()))
        if unknown:
            raise DomainError(f"Not in the embedded sample: {', '.join(unknown)}.")
        frame = frame[frame["ticker"].isin(symbols)]
    start_date, end_date = parse_date(start, name="start"), parse_date(end, name="end")
    check_date_range(start_date, end_date)
    if start_date:
        frame = frame[frame["date"] >= pd.Timestamp(start_date)]
    if end_date:
        frame = frame[frame["date"] <= pd.Timestamp(end_date)]
    params = {"tickers": symbols, "start": _iso(start_date), "end": _iso(end_date)}
    return ingest_frame(
        frame=frame, source=IngestionRun.Source.SAMPLE, params=params, user=user, progress=progress
    )


def csv_load(
    *,
    source: csv_file.CsvInput,
    filename: str = "",
    user: Any = None,
    allow_create_tickers: bool = True,
    run: IngestionRun | None = None,
    progress: Progress | None = None,
) -> IngestionRun:
    """Ingest a long CSV (path, bytes or upload). A malformed file fails the run and writes no prices."""
    params: dict[str, Any] = {"filename": filename, "allow_create_tickers": allow_create_tickers}
    if isinstance(source, str | Path):
        # A file on the server can be read again: "re-run" repeats it.
        params.update(path=str(source), filename=filename or Path(source).name)
    run = run or start_run(source=IngestionRun.Source.CSV, params=params, user=user)
    try:
        frame = csv_file.read_csv(source)
    except MalformedData as exc:
        fail_run(run, exc.message)
        raise
    return ingest_frame(
        frame=frame,
        source=IngestionRun.Source.CSV,
        run=run,
        allow_create_tickers=allow_create_tickers,
        progress=progress,
    )


def get_run(run_id: int) -> IngestionRun:
    try:
        return IngestionRun.objects.get(pk=run_id)
    except IngestionRun.DoesNotExist:
        raise NotFound(f"No ingestion run {run_id}.")


def yahoo_load(
    *,
    symbols: Iterable[str],
    start: date | str,
    end: date | str | None = None,
    user: Any = None,
    run: IngestionRun | None = None,
    batch: str | None = None,
    progress: Progress | None = None,
) -> IngestionRun:
    """Download ``symbols`` from Yahoo and ingest them.

    Tickers Yahoo returns nothing for are listed in ``run.failed_tickers``; the others are kept
    (status ``partial``). When none comes back the run is ``failed``. The symbols are asked for
    explicitly, so unknown tickers are created.
    """
    from market.sources import yahoo  # imported here: yfinance is heavy and only this path needs it

    symbols = requested_symbols(symbols)
    start_date, end_date = yahoo_window(start, end)
    params = {"symbols": symbols, "start": _iso(start_date), "end": _iso(end_date)}
    if batch:
        params["batch"] = batch
    run = run or start_run(source=IngestionRun.Source.YAHOO, params=params, user=user)
    try:
        result = yahoo.download(
            symbols, start=start_date, end=end_date, threads=settings.MARKET_YAHOO_THREADS
        )
    except Exception as exc:
        fail_run(run, f"Yahoo download failed: {type(exc).__name__}: {exc}", failed_tickers=symbols)
        raise
    return ingest_frame(
        frame=result.frame,
        source=IngestionRun.Source.YAHOO,
        run=run,
        failed_tickers=result.failed,
        progress=progress,
    )


def confirm_breaks(*, issues: QuerySet[IngestionIssue], user: Any) -> int:
    """An admin confirms flagged bars as genuine: their tickers are scored again. Returns how many
    break flags were confirmed (every unconfirmed flag of the same ticker and date, whichever run
    raised it); other issues in ``issues`` are ignored. Who and when are recorded on each flag."""
    pairs = set(issues.filter(reason__in=HOLDING_FLAGS).values_list("ticker", "date"))
    if not pairs:
        return 0
    tickers = {ticker for ticker, _ in pairs}
    candidates = unconfirmed_breaks().filter(ticker__in=tickers).values_list("pk", "ticker", "date")
    ids = [pk for pk, ticker, day in candidates if (ticker, day) in pairs]
    return IngestionIssue.objects.filter(pk__in=ids).update(confirmed_by=user, confirmed_at=timezone.now())


def rerun(*, run: IngestionRun, user: Any = None) -> IngestionRun:
    """Repeat a run with all its parameters (sample, Yahoo, and CSV runs whose file is kept)."""
    params = run.params or {}
    if run.source == IngestionRun.Source.SAMPLE:
        return sample_load(
            tickers=params.get("tickers"), start=params.get("start"), end=params.get("end"), user=user
        )
    if run.source == IngestionRun.Source.YAHOO:
        return yahoo_load(symbols=params["symbols"], start=params["start"], end=params.get("end"), user=user)
    if run.source == IngestionRun.Source.CSV and params.get("path"):
        return csv_load(
            source=params["path"],
            filename=params.get("filename", ""),
            # An upload refused new tickers unless asked; its re-run must refuse them too.
            allow_create_tickers=bool(params.get("allow_create_tickers", True)),
            user=user,
        )
    raise DomainError(
        f"Run #{run.pk} ({run.get_source_display()}) cannot be repeated: its file was an upload."
    )


def yahoo_update_plan(
    *, symbols: Iterable[str] | None = None, start: date | str | None = None, end: date | str | None = None
) -> list[tuple[list[str], str]]:
    """Chunks of ``(symbols, start ISO date)`` for a Yahoo update, ``MARKET_YAHOO_CHUNK_SIZE`` each.

    Without ``symbols``: every active ticker. Without ``start``: per chunk, ``MARKET_YAHOO_LOOKBACK_DAYS``
    before its oldest last bar (recent days get corrected; re-reading unchanged bars writes nothing),
    or a year back for tickers with no bars yet.
    """
    start_date, _ = yahoo_window(start, end, start_required=False)
    if symbols is None:
        rows = list(Ticker.objects.filter(is_active=True).values_list("symbol", "last_bar_date"))
    else:
        wanted = sorted({normalise_symbol(s) for s in symbols if s.strip()})
        known = dict(Ticker.objects.filter(symbol__in=wanted).values_list("symbol", "last_bar_date"))
        rows = [(s, known.get(s)) for s in wanted]
    rows.sort()
    size = max(1, settings.MARKET_YAHOO_CHUNK_SIZE)
    plan = []
    for i in range(0, len(rows), size):
        chunk = rows[i : i + size]
        if start_date is not None:
            chunk_start = start_date
        else:
            lasts = [last for _, last in chunk]
            today = exchange_today()
            chunk_start = (
                today - timedelta(days=365)
                if any(last is None for last in lasts)
                else min(lasts) - timedelta(days=settings.MARKET_YAHOO_LOOKBACK_DAYS)
            )
        plan.append(([s for s, _ in chunk], chunk_start.isoformat()))
    return plan


def batch_summary(*, batch: str) -> dict[str, Any]:
    """Totals over the runs of one fanned-out Yahoo update (every chunk and retry)."""
    runs = IngestionRun.objects.filter(params__batch=batch).order_by("pk")
    totals = runs.aggregate(
        inserted=Sum("inserted"), updated=Sum("updated"), unchanged=Sum("unchanged"), rejected=Sum("rejected")
    )
    return {
        "batch": batch,
        "runs": list(runs.values_list("pk", flat=True)),
        **{key: int(value or 0) for key, value in totals.items()},
    }
