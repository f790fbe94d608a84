"""The writer's own guard: values that cannot be stored as they are stop the write before any row."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from market.ingest import writers
from market.models import DailyBar, IngestionRun, Ticker
from market.validation import VOLUME_LIMIT


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
