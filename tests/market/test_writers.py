"""The writer's own guard: values that cannot be stored as they are stop the write before any row."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from market.ingest import writers
from market.models import BarRevision, DailyBar, IngestionRun, Ticker
from market.validation import VOLUME_LIMIT
from tests.market.postgres import postgresql_only


def _bars(ticker_id: int, **values) -> pd.DataFrame:
    row = {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "adj_close": 10.5, "volume": 1000.0}
    row |= {"dividend": 0.0, "split_factor": 1.0, **values}
    days = pd.to_datetime(["2021-04-19", "2021-04-20"])
    return pd.DataFrame([{"ticker_id": ticker_id, "date": day, **row} for day in days])


@pytest.mark.parametrize(
    "values", [{"high": math.inf}, {"adj_close": -math.inf}, {"volume": float(VOLUME_LIMIT)}]
)
def test_an_unstorable_value_refuses_the_whole_write(db, values):
    ticker = Ticker.objects.create(symbol="AAPL")
    run = IngestionRun.objects.create(source="csv")
    with pytest.raises(ValueError, match="Refusing to write"):
        writers.write_bars(_bars(ticker.pk, **values), run_id=run.pk)
    assert not DailyBar.objects.exists()


def test_missing_values_are_storable(db):
    ticker = Ticker.objects.create(symbol="AAPL")
    run = IngestionRun.objects.create(source="csv")
    assert writers.write_bars(_bars(ticker.pk, open=math.nan, volume=math.nan), run_id=run.pk) == (2, 0)


@postgresql_only
def test_a_bulk_first_load_restores_every_constraint_it_dropped(db, monkeypatch):
    """Primary key, unique (ticker, date), the FK to tickers and the revisions' FK to the bars."""
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: True)
    query = (
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'market_dailybar'::regclass OR confrelid = 'market_dailybar'::regclass "
        "ORDER BY 1, 2"
    )
    with writers.connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchall()
    ticker = Ticker.objects.create(symbol="AAPL")
    run = IngestionRun.objects.create(source="csv")
    assert writers.write_bars(_bars(ticker.pk), run_id=run.pk) == (2, 0)
    with writers.connection.cursor() as cursor:
        cursor.execute(query)
        assert cursor.fetchall() == before
    assert {"p", "u", "f"} <= {definition.split()[0][0].lower() for _, _, definition in before}
    # The restored keys work: a correction revises the stored bar through the revisions' FK.
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: False)
    second = IngestionRun.objects.create(source="csv")
    assert writers.write_bars(_bars(ticker.pk, close=10.6), run_id=second.pk) == (0, 2)
    assert BarRevision.objects.filter(run=second).count() == 2


@postgresql_only
def test_a_bulk_first_load_takes_its_ids_in_one_block_and_later_bars_follow_it(db, monkeypatch):
    """The bulk load writes the ids itself (no nextval per row); the sequence is moved past them."""
    monkeypatch.setattr(writers, "TICKERS_PER_CHUNK", 1)  # one COPY per ticker: ids run on across chunks
    apple, microsoft, coca_cola = (Ticker.objects.create(symbol=s) for s in ("AAPL", "MSFT", "KO"))
    run = IngestionRun.objects.create(source="csv")
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: True)
    bulk = pd.concat([_bars(apple.pk), _bars(microsoft.pk)], ignore_index=True)
    assert writers.write_bars(bulk, run_id=run.pk) == (4, 0)
    bulk_ids = list(DailyBar.objects.order_by("ticker_id", "date").values_list("id", flat=True))
    assert bulk_ids == list(range(bulk_ids[0], bulk_ids[0] + 4))
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: False)
    assert writers.write_bars(_bars(coca_cola.pk), run_id=run.pk) == (2, 0)
    assert min(DailyBar.objects.filter(ticker=coca_cola).values_list("id", flat=True)) > bulk_ids[-1]
