"""The web site as a signed-in user sees it: real numbers from the services, roles, ownership."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from market.selectors import price_panel


@pytest.fixture
def investor_web(investor) -> Client:
    client = Client()
    client.force_login(investor)
    return client


@pytest.fixture
def analyst_web(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def admin_web(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


# --- tickers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page():
    for url in (reverse("dashboard"), reverse("market:ticker_list"), reverse("market:ticker", args=["AAPL"])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


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
