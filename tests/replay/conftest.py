"""Small real data for replays: a few tickers of the embedded sample, as MarketData (no database)."""

from __future__ import annotations

import pytest

from market.sources import sample
from portfolio.replay.data import MarketData

TICKERS = ("AAPL", "KO", "XOM", "JPM", "JNJ", "NEE")


def sample_frame(start: str = "2017-01-01", end: str = "2019-06-30"):
    frame = sample.read_sample_frame()
    keep = frame["ticker"].isin(TICKERS) & (frame["date"] >= start) & (frame["date"] <= end)
    return frame[keep].reset_index(drop=True)


@pytest.fixture(scope="session")
def small_frame():
    return sample_frame()


@pytest.fixture(scope="session")
def small_data(small_frame) -> MarketData:
    return MarketData.from_frame(small_frame, sectors={}, source="sample-6")
