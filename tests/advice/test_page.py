"""The portfolio page's advice block: risk in plain words, the tax state, the nothing-to-do sentence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from portfolio import services
from portfolio.advice import default_advice
from portfolio.advice.styles import SIGNALS_MEASURED
from swingtrade.web.templatetags.web import pct
from tests.portfolio.factories import PortfolioFactory

DAY = dt.date(2021, 4, 21)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portfolio(market_sample, investor):
    return PortfolioFactory(owner=investor, advice_style="low_risk", cash=Decimal("100000"))


def test_the_page_states_the_volatility_of_the_advice_and_the_tax_state(portfolio, client, settings):
    settings.MARKET_CLOCK_DATE = DAY  # the market clock pinned to the last sample day
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=200, price="60", traded_on=DAY
    )
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="sell", quantity=100, price="54", traded_on=DAY
    )
    client.force_login(portfolio.owner)
    html = client.get(
        reverse("portfolio:detail", args=[portfolio.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    advice = default_advice(portfolio=portfolio, as_of=DAY)
    after, before = pct(advice.volatility_after, 0), pct(advice.volatility_before, 0)
    assert f"Volatility {after} instead of {before}" in html
    assert advice.volatility_before > 0  # 100 KO still held
    assert "Tax state 2021" in html and "600.00" in html  # the KO loss, in the year's losses
    advice_block = html[html.index('id="advice"') : html.index("</section>", html.index('id="advice"'))]
    assert "Measured:" not in advice_block  # the low-risk style shows the research, not the signals' record


def test_when_nothing_pays_the_page_says_so_in_one_sentence(portfolio, client, settings):
    settings.MARKET_CLOCK_DATE = DAY  # the market clock pinned to the last sample day
    for order in default_advice(portfolio=portfolio, as_of=DAY).orders:
        services.trade_record(
            portfolio=portfolio,
            ticker=order.ticker,
            side=order.side,
            quantity=order.quantity,
            price=str(round(order.price, 4)),
            traded_on=DAY,
        )
    client.force_login(portfolio.owner)
    html = client.get(
        reverse("portfolio:detail", args=[portfolio.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Nothing to do today: no trade lowers risk by more than it costs." in html


def test_the_signals_style_shows_its_measured_net_result(market_sample, investor, client):
    portfolio = PortfolioFactory(owner=investor, advice_style="signals")
    client.force_login(investor)
    html = client.get(
        reverse("portfolio:detail", args=[portfolio.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "lost money after costs" in html and escape(SIGNALS_MEASURED) in html


def test_a_portfolio_all_in_cash_is_told_the_volatility_it_would_have(portfolio, client):
    client.force_login(portfolio.owner)
    html = client.get(
        reverse("portfolio:detail", args=[portfolio.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "All in cash today: invested as advised, volatility" in html
    assert "instead of 0 %" not in html
