from __future__ import annotations

from market import selectors
from market.models import IngestionRun


def test_market_sample_loads_twelve_tickers_across_every_sector(market_sample):
    assert market_sample.status == IngestionRun.Status.SUCCEEDED
    sectors = selectors.ticker_sectors()
    assert len(sectors) == 12
    assert len(set(sectors.values())) == 11
    panel = selectors.price_panel()
    assert panel.index.min().date().isoformat() == "2019-01-02"
    assert panel.index.max().date().isoformat() == "2021-04-21"
    assert market_sample.inserted == panel.notna().sum().sum()
