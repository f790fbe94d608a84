"""The ticker pages: prices, moving averages, recent bars and stored predictions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from market.models import Ticker
from market.selectors import price_panel


def test_ticker_page_shows_the_last_close_the_chart_and_recent_bars(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["aapl"]))
    assert response.status_code == 200
    last_close = price_panel(tickers=["AAPL"])["AAPL"].iloc[-1]
    html = response.content.decode()
    assert "AAPL" in html and "Apple" in html
    assert f"{last_close:,.2f}" in html
    assert "2021-04-21" in html  # the last bar of the fixture, in the recent bars table
    chart = response.context["price_chart"]
    assert [d["label"] for d in chart["datasets"]] == ["Adjusted close", "20-day average", "60-day average"]
    assert len(chart["labels"]) == 252  # default period: one year of bars
    assert chart["datasets"][0]["data"][-1] == pytest.approx(last_close)
    assert 'data-chart="price-chart"' in html and 'id="price-chart"' in html


def test_ticker_page_period_all_shows_every_bar(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["KO"]), {"period": "all"})
    assert len(response.context["price_chart"]["labels"]) == price_panel(tickers=["KO"])["KO"].notna().sum()


def test_unknown_ticker_is_404(market_sample, investor_web):
    assert investor_web.get(reverse("market:ticker", args=["NOPE"])).status_code == 404


def test_ticker_list_links_every_ticker(market_sample, investor_web):
    html = investor_web.get(reverse("market:ticker_list")).content.decode()
    assert reverse("market:ticker", args=["XOM"]) in html
    assert "12 in the universe" in html


@pytest.mark.django_db
def test_a_ticker_without_bars_says_so(investor_web):
    Ticker.objects.create(symbol="NEWCO", name="New Co")
    response = investor_web.get(reverse("market:ticker", args=["NEWCO"]))
    assert response.status_code == 200
    assert "No price bars are stored for NEWCO yet." in response.content.decode()


def test_ticker_page_lists_the_stored_predictions_of_the_ticker(champion, investor_web):
    ranking = investor_web.get(reverse("dashboard")).context["ranking"]  # computes and stores predictions
    best = ranking.buys[0]
    response = investor_web.get(reverse("market:ticker", args=[best.ticker]))
    (prediction,) = response.context["predictions"]
    assert (prediction.ticker, prediction.as_of, prediction.rank) == (
        best.ticker,
        ranking.data_date,
        best.rank,
    )
    assert f"{best.expected_return * 100:+.2f} %" in response.content.decode()
