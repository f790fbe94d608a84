"""A fault in the middle of a write leaves PostgreSQL as before and the run marked failed.

``transaction=True``: no test transaction around the ingestion, so its transaction really commits or
rolls back — with the COPY into the bars table and the DDL of a bulk load (dropped and rebuilt indexes
and foreign key) inside it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import connection

from market.ingest import ingest_frame, writers
from market.models import BarRevision, DailyBar, IngestionIssue, IngestionRun, Ticker
from market.sources import sample
from tests.market.postgres import POSTGRESQL_ONLY

pytestmark = [*POSTGRESQL_ONLY, pytest.mark.django_db(transaction=True)]

TICKERS = ["AAPL", "KO", "XOM"]


def subset() -> pd.DataFrame:
    frame = sample.read_sample_frame()
    return frame[frame["ticker"].isin(TICKERS) & frame["date"].between("2021-03-01", "2021-04-21")]


def bars_table_schema() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'market_dailybar'::regclass ORDER BY conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'market_dailybar' ORDER BY 1"
        )
        return constraints + cursor.fetchall()


class ChunkFault:
    """While armed, the COPY of the second chunk raises, as a dropped connection would."""

    def __init__(self, real):
        self.real, self.armed, self.copied = real, True, 0

    def __call__(self, chunk, **kwargs):
        if self.armed and self.copied:
            raise ConnectionError("server closed the connection unexpectedly")
        self.copied += 1
        return self.real(chunk, **kwargs)


@pytest.fixture
def crash_after_first_chunk(monkeypatch) -> ChunkFault:
    monkeypatch.setattr(writers, "TICKERS_PER_CHUNK", 1)  # one ticker per chunk: three chunks
    fault = ChunkFault(writers._copy_chunk)
    monkeypatch.setattr(writers, "_copy_chunk", fault)
    return fault


def test_a_fault_after_the_first_chunk_of_a_bulk_load_leaves_no_row_and_the_schema_whole(
    monkeypatch, crash_after_first_chunk
):
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: True)  # drop indexes and FK, COPY
    schema = bars_table_schema()
    with pytest.raises(ConnectionError):
        ingest_frame(frame=subset(), source="sample")
    assert crash_after_first_chunk.copied == 1  # the first chunk reached the table before the fault
    assert not DailyBar.objects.exists() and not Ticker.objects.exists()
    assert not IngestionIssue.objects.exists()
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.FAILED and "server closed the connection" in run.error
    assert bars_table_schema() == schema  # the dropped indexes and foreign key are back


def test_a_fault_after_the_first_chunk_of_an_update_leaves_the_stored_bars_as_they_were(
    crash_after_first_chunk,
):
    crash_after_first_chunk.armed = False
    first = ingest_frame(frame=subset(), source="sample")
    before = list(DailyBar.objects.order_by("pk").values_list("pk", "close", "adj_close", "last_run_id"))
    corrected = subset().assign(close=lambda f: f["close"] + 0.01, adj_close=lambda f: f["adj_close"] + 0.01)
    crash_after_first_chunk.armed, crash_after_first_chunk.copied = True, 0
    with pytest.raises(ConnectionError):
        ingest_frame(frame=corrected, source="sample")
    assert crash_after_first_chunk.copied == 1  # staged, never merged
    assert (
        list(DailyBar.objects.order_by("pk").values_list("pk", "close", "adj_close", "last_run_id")) == before
    )
    assert not BarRevision.objects.exists()
    failed = IngestionRun.objects.exclude(pk=first.pk).get()
    assert failed.status == IngestionRun.Status.FAILED and failed.inserted == failed.updated == 0


def test_a_fault_after_every_bar_is_written_still_leaves_no_row(monkeypatch):
    def lose_the_connection(*args, **kwargs):
        raise ConnectionError("terminating connection due to administrator command")

    # The last step inside the transaction, after the bars and issues are written.
    monkeypatch.setattr("market.ingest.refresh_bar_dates", lose_the_connection)
    with pytest.raises(ConnectionError):
        ingest_frame(frame=subset(), source="sample")
    assert not DailyBar.objects.exists() and not Ticker.objects.exists()
    assert not IngestionIssue.objects.exists()
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.FAILED and run.finished_at is not None
    assert run.inserted == 0  # the counts of the rolled-back write were not kept either
