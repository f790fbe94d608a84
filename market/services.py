"""Writes of the market app: one function per way prices come in, all ending in :func:`ingest_frame`."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from market.ingest import fail_run, ingest_frame, start_run
from market.models import IngestionRun
from market.sources import MalformedData, csv_file, sample
from swingtrade.errors import DomainError, NotFound

logger = logging.getLogger("swingtrade.market")


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
    if not 1900 <= parsed.year <= 2200:
        raise DomainError(f"{name} {parsed.isoformat()} is out of range (years 1900-2200).")
    return parsed


def check_date_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise DomainError(f"start {start.isoformat()} is after end {end.isoformat()}.")


def sample_load(
    *,
    tickers: Iterable[str] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    user: Any = None,
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
    return ingest_frame(frame=frame, source=IngestionRun.Source.SAMPLE, params=params, user=user)


def csv_load(
    *,
    source: csv_file.CsvInput,
    filename: str = "",
    user: Any = None,
    allow_create_tickers: bool = True,
    run: IngestionRun | None = None,
) -> IngestionRun:
    """Ingest a long CSV (path, bytes or upload). A malformed file fails the run and writes no prices."""
    params = {"filename": filename or str(source) if isinstance(source, str) else filename}
    params["allow_create_tickers"] = allow_create_tickers
    run = run or start_run(source=IngestionRun.Source.CSV, params=params, user=user)
    try:
        frame = csv_file.read_csv(source)
    except MalformedData as exc:
        fail_run(run, exc.message)
        raise
    return ingest_frame(
        frame=frame, source=IngestionRun.Source.CSV, run=run, allow_create_tickers=allow_create_tickers
    )


def get_run(run_id: int) -> IngestionRun:
    try:
        return IngestionRun.objects.get(pk=run_id)
    except IngestionRun.DoesNotExist:
        raise NotFound(f"No ingestion run {run_id}.")
