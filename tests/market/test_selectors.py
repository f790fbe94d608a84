"""Selectors: the database as the frames the model, optimiser and pages read."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from market import selectors, services
from market.sources import sample

pytestmark = pytest.mark.django_db


def test_price_panel_is_wide_by_date_and_ticker(market_sample):
    panel = selectors.price_panel(tickers=["AAPL", "XOM"], start="2021-04-19")
    assert list(panel.columns) == ["AAPL", "XOM"]
    assert panel.index.name == "date" and isinstance(panel.index, pd.DatetimeIndex)
    assert panel.dtypes.eq("float64").all()
    assert panel.loc["2021-04-21", "AAPL"] == 133.5  # adj_close equals close at the end of the sample


def test_price_panel_is_ragged_with_nan_where_a_ticker_has_no_bar():
    services.sample_load(tickers=["AAPL"], start="2021-04-15")
    services.sample_load(tickers=["KO"], start="2021-04-19")
    panel = selectors.price_panel(field="close")
    assert panel["KO"].isna().sum() == 2 and panel["AAPL"].notna().all()


def test_adjusted_ohlcv_scales_raw_prices_by_the_adjustment_factor():
    services.sample_load(tickers=["AAPL"], start="2020-08-27", end="2020-09-01")
    frames = selectors.adjusted_ohlcv()
    assert set(frames) == {"open", "high", "low", "close", "volume", "dollar_volume"}
    raw = sample.read_sample_frame().set_index(["ticker", "date"]).loc["AAPL"].loc["2020-08-28"]
    factor = raw["adj_close"] / raw["close"]
    assert frames["open"].loc["2020-08-28", "AAPL"] == pytest.approx(raw["open"] * factor)
    assert frames["close"].loc["2020-08-28", "AAPL"] == raw["adj_close"]
    assert frames["dollar_volume"].loc["2020-08-28", "AAPL"] == pytest.approx(raw["close"] * raw["volume"])
    # Adjusted closes have no jump at the 4:1 split (raw close 499.23 → 129.04).
    returns = frames["close"]["AAPL"].pct_change().dropna()
    assert returns.abs().max() < 0.1


def test_adjusted_ohlcv_leaves_out_what_close_only_data_lacks(tmp_path):
    path = tmp_path / "closes.csv"
    path.write_text("date,ticker,close\n2021-04-19,ZZZ,10\n2021-04-20,ZZZ,11\n")
    services.csv_load(source=path)
    assert set(selectors.adjusted_ohlcv()) == {"close"}


def test_latest_bar_date_sectors_and_latest_closes(market_sample):
    assert selectors.latest_bar_date() == date(2021, 4, 21)
    sectors = selectors.ticker_sectors()
    assert sectors["XOM"] == "Energy" and sectors["JPM"] == "Financials"
    frame = sample.read_sample_frame()
    ko_close = frame.loc[(frame["ticker"] == "KO") & (frame["date"] == "2021-04-21"), "close"].item()
    closes = selectors.latest_closes(["aapl", "KO", "NOPE"])
    assert closes == {"AAPL": (date(2021, 4, 21), 133.5), "KO": (date(2021, 4, 21), ko_close)}


def test_bars_frame_round_trips_the_tidy_frame():
    expected = sample.read_sample_frame()
    expected = expected[expected["ticker"].isin(["KO", "AAPL"])]
    services.sample_load(tickers=["KO", "AAPL"])
    got = selectors.bars_frame(tickers=["KO", "AAPL"])
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected.reset_index(drop=True), check_exact=True
    )


def test_empty_database_gives_empty_frames():
    assert selectors.latest_bar_date() is None
    assert selectors.price_panel().empty
    assert selectors.bars_frame().empty
    assert np.isnan(selectors.price_panel().to_numpy()).all()
