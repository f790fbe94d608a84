"""Re-ingestion on PostgreSQL compares the stored bars in NumPy and stages only what differs (issue #13).

The comparison must say "differs" exactly where the SQL merge's ``IS DISTINCT FROM`` would: a missed
difference would be a correction silently dropped, an extra one only costs a staged row.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from market.columns import BAR_VALUE_FIELDS
from market.ingest import copy_format, ingest_frame, writers
from market.ingest.copy_format import STORED_BAR_DTYPE, rows_differing
from market.models import BarRevision, DailyBar, Ticker
from market.sources import sample
from tests.market.postgres import postgresql_only

NAN = float("nan")


def _bars(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _row(ticker_id: int, day: str, **values) -> dict:
    base = {f: 1.0 for f in BAR_VALUE_FIELDS} | {"volume": 100.0, "dividend": 0.0}
    return {"ticker_id": ticker_id, "date": day, **base, **values}


def _stored(rows: list[dict]) -> np.ndarray:
    """Rows as the database answers them: NaN for a missing price, 0 + volume_null for a missing volume."""
    out = np.zeros(len(rows), dtype=STORED_BAR_DTYPE)
    frame = _bars(rows)
    out["ticker_id"] = frame["ticker_id"]
    out["date"] = copy_format.pg_days(frame["date"])
    for field in BAR_VALUE_FIELDS:
        values = frame[field].to_numpy(dtype=float)
        if field == "volume":
            out["volume_null"] = np.isnan(values)
            out["volume"] = np.where(np.isnan(values), 0, values).astype(np.int64)
        else:
            out[field] = values
    return out


def test_identical_bars_do_not_differ_whatever_the_stored_order():
    rows = [_row(1, "2021-03-01"), _row(1, "2021-03-02", open=NAN, volume=NAN), _row(2, "2021-03-01")]
    assert not rows_differing(_bars(rows), _stored(rows[::-1])).any()


def test_a_new_date_or_ticker_differs():
    stored = _stored([_row(1, "2021-03-01")])
    incoming = _bars([_row(1, "2021-03-01"), _row(1, "2021-03-02"), _row(2, "2021-03-01")])
    assert rows_differing(incoming, stored).tolist() == [False, True, True]
    nothing_stored = np.zeros(0, dtype=STORED_BAR_DTYPE)
    assert rows_differing(incoming, nothing_stored).tolist() == [True, True, True]


@pytest.mark.parametrize(
    ("incoming", "stored", "differs"),
    [
        ({"close": np.nextafter(1.0, 2.0)}, {}, True),  # one unit in the last place: exact, no tolerance
        ({"adj_close": 1.0001}, {}, True),
        ({"open": NAN}, {}, True),  # a price that goes missing
        ({}, {"open": NAN}, True),  # a missing price that arrives
        ({"open": NAN}, {"open": NAN}, False),  # NULL equals NULL, as IS DISTINCT FROM says
        ({"volume": NAN}, {"volume": NAN}, False),
        ({"volume": NAN}, {"volume": 0.0}, True),  # a NULL volume is not 0 shares
        ({"volume": 0.0}, {"volume": NAN}, True),
        ({"volume": 100.4}, {"volume": 100.0}, False),  # stored in whole shares
        ({"volume": 101.0}, {"volume": 100.0}, True),
        ({"dividend": -0.0}, {"dividend": 0.0}, False),  # PostgreSQL: -0 = 0
        ({"split_factor": 2.0}, {}, True),
    ],
)
def test_each_value_is_compared_as_the_sql_merge_compares_it(incoming, stored, differs):
    mask = rows_differing(
        _bars([_row(7, "2021-03-01", **incoming)]), _stored([_row(7, "2021-03-01", **stored)])
    )
    assert mask.tolist() == [differs]


def _frame(tickers=("AAPL", "MSFT"), start="2021-03-01", end="2021-04-21") -> pd.DataFrame:
    frame = sample.read_sample_frame()
    return frame[frame["ticker"].isin(tickers) & frame["date"].between(start, end)].reset_index(drop=True)


@postgresql_only
@pytest.mark.django_db
def test_the_stored_bars_read_back_are_the_stored_values():
    frame = _frame(tickers=("AAPL",))
    frame.loc[0, ["open", "volume"]] = NAN
    ingest_frame(frame=frame, source="csv")
    ticker = Ticker.objects.get(symbol="AAPL")
    chunk = frame.assign(ticker_id=ticker.pk).drop(columns="ticker")
    stored = writers._stored_bars(chunk)
    bars = DailyBar.objects.filter(ticker=ticker).order_by("date")
    assert len(stored) == bars.count() == len(frame)
    by_day = {int(d): i for i, d in enumerate(stored["date"])}
    for bar in bars:
        row = stored[by_day[(bar.date - date(2000, 1, 1)).days]]
        for field in ("high", "low", "close", "adj_close", "dividend", "split_factor"):
            assert row[field] == getattr(bar, field)
        assert np.isnan(row["open"]) if bar.open is None else row["open"] == bar.open
        assert bool(row["volume_null"]) == (bar.volume is None)
        assert bar.volume is None or row["volume"] == bar.volume
    assert not rows_differing(chunk, stored).any()


@postgresql_only
@pytest.mark.django_db
def test_a_re_ingest_stages_only_the_changed_bar_and_records_its_revision(monkeypatch):
    frame = _frame()
    ingest_frame(frame=frame, source="csv")
    staged: list[int] = []
    real = writers._copy_chunk

    def spy(chunk, **kwargs):
        staged.append(len(chunk))
        return real(chunk, **kwargs)

    monkeypatch.setattr(writers, "_copy_chunk", spy)
    unchanged = ingest_frame(frame=frame, source="csv")
    assert (unchanged.inserted, unchanged.updated, unchanged.unchanged, staged) == (0, 0, len(frame), [])

    changed = frame.copy()
    row = changed.index[(changed["ticker"] == "MSFT") & (changed["date"] == "2021-04-20")][0]
    changed.loc[row, "adj_close"] = np.nextafter(changed.loc[row, "adj_close"], np.inf)
    run = ingest_frame(frame=changed, source="csv")
    assert (run.inserted, run.updated, run.unchanged, staged) == (0, 1, len(frame) - 1, [1])
    revision = BarRevision.objects.get(run=run)
    assert revision.bar.date == date(2021, 4, 20) and list(revision.new_values) == ["adj_close"]
