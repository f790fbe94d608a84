"""Fees and taxes are never a bare number: the advice block, the tax state and the daily digest print them
with the portfolio's currency, in the reader's language (a euro portfolio of US shares: euros)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from market import fx
from portfolio import services
from portfolio.advice import default_advice
from portfolio.digest import digest_subscribe, digests_send
from swingtrade.formatting import format_money
from tests.portfolio.factories import PortfolioFactory
from tests.web.helpers import in_french

DAY = dt.date(2021, 4, 21)


@pytest.fixture
def euro_portfolio(market_sample, investor, settings):
    """A euro portfolio following the default advice, with a realised loss of the year on KO."""
    cache.clear()
    settings.MARKET_CLOCK_DATE = DAY
    fx.fx_sample_load()
    portfolio = PortfolioFactory(
        owner=investor, advice_style="low_risk", base_currency="EUR", cash=Decimal("100000")
    )
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=200, price="60", traded_on=DAY
    )
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="sell", quantity=100, price="54", traded_on=DAY
    )
    portfolio.refresh_from_db()
    yield portfolio
    cache.clear()


def test_the_advice_block_prints_fees_taxes_and_the_tax_state_in_the_portfolios_currency(
    euro_portfolio, investor_web
):
    advice = default_advice(portfolio=euro_portfolio, as_of=DAY)
    assert advice.orders and advice.fees > 0
    html = investor_web.get(reverse("portfolio:detail", args=[euro_portfolio.pk])).content.decode()
    block = html[html.index('id="advice"') : html.index("</section>", html.index('id="advice"'))]
    assert f"pour {in_french(format_money, advice.fees, 'EUR')} de frais" in block
    assert f"et {in_french(format_money, advice.taxes, 'EUR', signed=True)} d’impôts" in block
    loss = float(euro_portfolio.trades.get(side="sell").realised_pnl)
    assert loss < 0 and in_french(format_money, -loss, "EUR") in block  # the year's realised losses
    assert "$" not in block.split("Situation fiscale")[-1]  # every tax-state amount is in euros


def test_the_daily_digest_prints_fees_and_taxes_with_the_portfolios_currency(euro_portfolio):
    euro_portfolio.owner.email = "investor@example.com"
    euro_portfolio.owner.save()
    digest_subscribe(user=euro_portfolio.owner, enabled=True)
    advice = default_advice(portfolio=euro_portfolio, as_of=DAY)
    mail.outbox.clear()
    assert digests_send(day=DAY) == 1
    body = mail.outbox[0].body
    assert f"pour {in_french(format_money, advice.fees, 'EUR')} de frais" in body
    order = advice.orders[0]
    assert f"frais {in_french(format_money, order.fees, 'EUR')}" in body
    assert f"impôts {in_french(format_money, order.taxes, 'EUR', signed=True)}" in body
