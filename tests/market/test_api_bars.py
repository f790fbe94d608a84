"""Bars pages: bounded by default, walked back with ``older``, revalidated with ETag / Last-Modified."""

from __future__ import annotations

import pandas as pd
from django.utils.http import http_date

from market.ingest import ingest_frame
from market.selectors import bars_frame

BARS = "/api/v1/tickers/AAPL/bars/"


def test_without_a_window_the_newest_page_comes_oldest_first(investor_client, market_sample):
    body = investor_client.get(BARS).json()
    assert body["limit"] == 260 and body["count"] == 260
    dates = [bar["date"] for bar in body["bars"]]
    assert dates == sorted(dates) and dates[-1] == "2021-04-21"
    assert set(body["bars"][0]) == {
        "date", "open", "high", "low", "close", "adj_close", "volume", "dividend", "split_factor"
    }  # fmt: skip
    assert body["older"].endswith(f"?end={pd.Timestamp(dates[0]) - pd.Timedelta(days=1):%Y-%m-%d}&limit=260")


def test_following_older_walks_every_bar_once(investor_client, market_sample):
    expected = bars_frame(tickers=["AAPL"])["date"].dt.strftime("%Y-%m-%d").tolist()
    seen, url = [], f"{BARS}?start=2019-06-01&limit=200"
    while url:
        body = investor_client.get(url).json()
        seen = [bar["date"] for bar in body["bars"]] + seen
        url = body["older"]
    assert seen == [d for d in expected if d >= "2019-06-01"]


def test_a_window_that_fits_has_no_older_page(investor_client, market_sample):
    body = investor_client.get(BARS, {"start": "2020-01-01", "end": "2020-12-31"}).json()
    assert body["count"] == 253 and body["older"] is None
    assert body["bars"][0]["date"] == "2020-01-02" and body["bars"][-1]["date"] == "2020-12-31"


def test_a_limit_beyond_the_maximum_is_a_400(investor_client, market_sample):
    response = investor_client.get(BARS, {"limit": 5001})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]
    assert investor_client.get(BARS, {"limit": 0}).status_code == 400


def test_a_client_holding_the_page_gets_304_until_new_bars_arrive(investor_client, market_sample):
    first = investor_client.get(BARS, {"limit": 5})
    assert first["Cache-Control"] == "private, no-cache"
    assert first["Last-Modified"] == http_date(market_sample.finished_at.timestamp())
    same = investor_client.get(BARS, {"limit": 5}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same.content == b""
    since = investor_client.get(BARS, {"limit": 5}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    last = bars_frame(tickers=["AAPL"], start="2021-04-21", end="2021-04-21")
    ingest_frame(frame=last.assign(date=pd.Timestamp("2021-04-22")), source="csv")
    changed = investor_client.get(BARS, {"limit": 5}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["bars"][-1]["date"] == "2021-04-22"


def test_a_correction_changes_the_etag(investor_client, market_sample):
    first = investor_client.get(BARS, {"limit": 5})
    corrected = bars_frame(tickers=["AAPL"], start="2021-04-21", end="2021-04-21")
    corrected["adj_close"] += 0.01
    assert ingest_frame(frame=corrected, source="csv").updated == 1
    again = investor_client.get(BARS, {"limit": 5}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_a_page_holds_exactly_the_orm_windows_rows_and_values(market_sample):
    """The page's plain SQL and the ORM's window (market.selectors.ticker_bars) are one rule."""
    import datetime as dt

    from market.columns import BAR_VALUE_FIELDS
    from market.models import Ticker
    from market.selectors import ticker_bars, ticker_bars_page

    ticker = Ticker.objects.get(symbol="AAPL")
    for start, end, limit in [
        (None, None, 260),
        (dt.date(2020, 1, 1), dt.date(2020, 12, 31), 100),
        (dt.date(2021, 4, 1), None, 5000),
        (None, dt.date(2019, 3, 1), 7),
        (dt.date(2030, 1, 1), None, 10),
    ]:
        window = list(ticker_bars(ticker=ticker, start=start, end=end).values("date", *BAR_VALUE_FIELDS))
        page = ticker_bars_page(ticker=ticker, start=start, end=end, limit=limit)
        assert page.bars == window[-limit:], (start, end, limit)
        assert page.has_older == (len(window) > limit)
        assert all(isinstance(bar["date"], dt.date) for bar in page.bars)
