"""Requests that run in the background: record the run, then queue its task on commit.

Tasks call :mod:`market.services`; these functions queue tasks, so they live above both and services
never import tasks (no import cycle, ``.importlinter``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from market import tasks
from market.ingest import fail_run, start_run
from market.models import IngestionRun
from market.services import requested_symbols, yahoo_window
from market.sources import MalformedData, csv_file
from swingtrade.errors import DomainError


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


UPLOAD_DIR = "market/uploads"
MAX_API_SYMBOLS = 500
#: The full 504-ticker, 8-year history is 20 MB gzipped / 70 MB plain; anything far beyond is a mistake.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def csv_upload_start(
    *, content: bytes, filename: str, user: Any = None, allow_create_tickers: bool = False
) -> IngestionRun:
    """Accept an uploaded CSV: refuse a malformed one at once, else keep it and queue its ingestion.

    The file is parsed here so the uploader gets the reasons for a bad file in the response (and
    nothing is written); the ingestion itself runs as a task, after this transaction commits.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError(
            f"The file is {len(content) / 2**20:.0f} MB; at most {MAX_UPLOAD_BYTES // 2**20} MB."
        )
    safe_name = Path(filename or "upload.csv").name[:100]
    run = start_run(
        source=IngestionRun.Source.CSV,
        params={"filename": safe_name, "allow_create_tickers": allow_create_tickers},
        user=user,
    )
    try:
        csv_file.read_csv(content)
    except MalformedData as exc:
        fail_run(run, exc.message)
        raise
    path = Path(settings.MEDIA_ROOT) / UPLOAD_DIR / f"run-{run.pk}-{safe_name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    run.params = {**run.params, "path": str(path)}
    run.save(update_fields=["params"])
    user_id = run.started_by_id
    transaction.on_commit(
        lambda: tasks.ingest_csv.delay(
            str(path), run_id=run.pk, allow_create_tickers=allow_create_tickers, user_id=user_id
        )
    )
    return run


def yahoo_request_start(
    *, symbols: Iterable[str], start: date | str, end: date | str | None = None, user: Any = None
) -> IngestionRun:
    """Validate a Yahoo request, record its run and queue the (fanned-out) download."""
    wanted = requested_symbols(symbols)
    if len(wanted) > MAX_API_SYMBOLS:
        raise DomainError(f"At most {MAX_API_SYMBOLS} symbols per request, got {len(wanted)}.")
    start_date, end_date = yahoo_window(start, end)
    run = start_run(
        source=IngestionRun.Source.YAHOO,
        params={"symbols": wanted, "start": _iso(start_date), "end": _iso(end_date)},
        user=user,
    )
    user_id = run.started_by_id
    transaction.on_commit(
        lambda: tasks.ingest_yahoo.delay(
            symbols=wanted, start=_iso(start_date), end=_iso(end_date), run_id=run.pk, user_id=user_id
        )
    )
    return run
