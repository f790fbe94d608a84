"""Referential integrity of bars: the database FK to tickers, kept through PostgreSQL bulk loads."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from market.ingest import bulk_load, ingest_frame, writers
from market.models import DailyBar, IngestionRun, Ticker
from market.sources import sample
from tests.market.postgres import postgresql_only

pytestmark = pytest.mark.django_db


TICKER_FK = "FOREIGN KEY (ticker_id) REFERENCES market_ticker(id) DEFERRABLE INITIALLY DEFERRED"


def subset(tickers: list[str], start: str = "2021-03-01", end: str = "2021-04-21") -> pd.DataFrame:
    frame = sample.read_sample_frame()
    return frame[frame["ticker"].isin(tickers) & frame["date"].between(start, end)].reset_index(drop=True)


def bar_schema() -> dict[str, list[tuple[str, str]]]:
    """Foreign keys and indexes of the bars table as PostgreSQL reports them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'market_dailybar'::regclass AND contype = 'f' ORDER BY conname"
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'market_dailybar' ORDER BY indexname"
        )
        return {"foreign_keys": foreign_keys, "indexes": cursor.fetchall()}


@pytest.fixture
def bulk(monkeypatch):
    """Every fresh load takes the bulk path (whatever the table's size estimate, which earlier
    rolled-back tests may have left behind); returns the DDL each bulk load restored."""
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: True)
    restored: list[list[str]] = []
    real = bulk_load.restore

    def spy(definitions):
        if definitions:
            restored.append(list(definitions))
        real(definitions)

    monkeypatch.setattr(bulk_load, "restore", spy)
    return restored


@postgresql_only
def test_bars_reference_tickers_through_a_deferred_foreign_key_after_migrate():
    foreign_keys = bar_schema()["foreign_keys"]
    assert [definition for _, definition in foreign_keys] == [TICKER_FK]
    assert foreign_keys[0][0].startswith("market_dailybar_ticker_id_")  # Django's name


@postgresql_only
def test_a_bulk_first_load_drops_the_foreign_key_and_restores_it_as_it_was(bulk):
    before = bar_schema()
    run = ingest_frame(frame=subset(["AAPL", "MSFT", "XOM"]), source="sample")
    assert run.status == IngestionRun.Status.SUCCEEDED
    name = before["foreign_keys"][0][0]
    # The load went through the bulk path and re-added the FK with Django's name and definition.
    assert f'ALTER TABLE market_dailybar ADD CONSTRAINT "{name}" {TICKER_FK}' in bulk[0]
    assert bar_schema() == before
    assert DailyBar.objects.count() == run.inserted > 0


@postgresql_only
def test_a_failure_during_a_bulk_first_load_leaves_the_tables_and_the_constraint_as_before(bulk, monkeypatch):
    before = bar_schema()
    monkeypatch.setattr(writers, "TICKERS_PER_CHUNK", 1)
    real = writers._copy_chunk
    calls = []

    def crash_on_second_chunk(chunk, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(chunk, **kwargs)

    monkeypatch.setattr(writers, "_copy_chunk", crash_on_second_chunk)
    with pytest.raises(RuntimeError, match="connection lost"):
        ingest_frame(frame=subset(["AAPL", "MSFT", "XOM"]), source="sample")
    assert not DailyBar.objects.exists() and not Ticker.objects.exists()
    assert bar_schema() == before
    assert IngestionRun.objects.get().status == IngestionRun.Status.FAILED


@postgresql_only
def test_a_bulk_load_after_other_bars_in_the_same_transaction_still_succeeds(bulk):
    # The first load's inserts leave deferred FK checks pending (a caller's outer transaction, or the
    # test's); PostgreSQL would refuse to drop the constraint over them.
    with transaction.atomic():
        with pytest.MonkeyPatch.context() as incremental:
            incremental.setattr(writers, "_is_bulk_load", lambda new_rows: False)
            first = ingest_frame(frame=subset(["AAPL"]), source="sample")
        second = ingest_frame(frame=subset(["MSFT", "XOM"]), source="sample")
    assert len(bulk) == 1  # only the second load was a bulk load
    assert DailyBar.objects.count() == first.inserted + second.inserted
    assert [d for _, d in bar_schema()["foreign_keys"]] == [TICKER_FK]


@postgresql_only
def test_a_bulk_load_of_bars_for_an_unknown_ticker_fails_when_the_constraint_is_re_added(bulk):
    run = IngestionRun.objects.create(source="csv")
    bars = subset(["AAPL"]).rename(columns={"ticker": "ticker_id"}).assign(ticker_id=987_654)
    with pytest.raises(IntegrityError, match="market_ticker"), transaction.atomic():
        writers.write_bars(bars, run_id=run.pk)
    assert bulk and not DailyBar.objects.exists()


def test_raw_sql_cannot_store_a_bar_of_a_ticker_that_does_not_exist():
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO market_dailybar (ticker_id, date, close, adj_close, dividend, split_factor) "
                "VALUES (987654, '2021-04-20', 1.0, 1.0, 0.0, 1.0)"
            )
        # Deferred constraints are checked at commit; this checks now, as a commit would.
        connection.check_constraints(table_names=["market_dailybar"])
    assert not DailyBar.objects.exists()


def test_raw_sql_cannot_delete_a_ticker_that_still_has_bars():
    run = ingest_frame(frame=subset(["AAPL"], start="2021-04-01"), source="sample")
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM market_ticker WHERE symbol = 'AAPL'")
        connection.check_constraints(table_names=["market_dailybar"])
    assert DailyBar.objects.filter(ticker__symbol="AAPL").count() == run.inserted > 0
