"""A US share traded in a euro portfolio: the fill is booked in euros at its day's rate, or refused.

The hand-computed case (zero-commission profile, EURUSD 1.25 → 1 $ = 0.80 €, EURUSD 1.00 → 1 $ = 1 €):
- 2021-03-01 buy 10 at 100 $ (fees 2.50 $) at 0.80: 800 € + 2 € fees; PMP 100 $ / 80 €.
- 2021-03-02 buy 10 at 120 $ at 1.00: 1,200 €; PMP (1,000 + 1,200) / 20 = 110 $, (800 + 1,200) / 20 = 100 €.
- 2021-03-03 sell 5 at 125 $ at 0.80: proceeds 500 €; realised (French PMP in euros) 500 − 5 x 100 = 0 €,
  although 5 x (125 − 110) = 75 $ were gained in dollars: the dollar fell as much as the share rose.
Cash: 5,000 − 802 − 1,200 + 500 = 3,498 €.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from market.models import FxRate
from portfolio import services
from portfolio.models import Position, TaxYear, Trade
from swingtrade.errors import DomainError
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
BUY_1, BUY_2, SELL = dt.date(2021, 3, 1), dt.date(2021, 3, 2), dt.date(2021, 3, 3)


@pytest.fixture
def euro_portfolio(investor):
    TickerFactory(symbol="AAA", currency="USD")
    for day, eurusd in ((BUY_1, 1.25), (BUY_2, 1.0), (SELL, 1.25)):
        FxRate.objects.create(base="EUR", quote="USD", date=day, rate=eurusd)
    return PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("5000"))


def _record(portfolio, side, quantity, price, day, **kw):
    return services.trade_record(
        portfolio=portfolio, ticker="AAA", side=side, quantity=quantity, price=price, traded_on=day, **kw
    )


def test_a_dollar_fill_is_booked_in_euros_at_its_days_rate_with_the_pmp_in_euros(euro_portfolio):
    first = _record(euro_portfolio, "buy", 10, "100", BUY_1, fees="2.50")
    assert (first.price, first.fx_rate, first.fx_rate_on) == (Decimal("100"), Decimal("0.8"), BUY_1)
    assert first.fees == Decimal("2")  # 2.50 $ at 0.80
    _record(euro_portfolio, "buy", 10, "120", BUY_2)
    position = Position.objects.get(portfolio=euro_portfolio)
    assert (position.average_cost, position.average_cost_base) == (Decimal("110"), Decimal("100"))

    sale = _record(euro_portfolio, "sell", 5, "125", SELL)
    assert sale.realised_pnl == Decimal("0")  # not 75 $: the French PMP is in euros
    position.refresh_from_db()
    assert (position.quantity, position.average_cost, position.average_cost_base) == (
        15,
        Decimal("110"),
        Decimal("100"),
    )
    euro_portfolio.refresh_from_db()
    assert euro_portfolio.cash == Decimal("3498") == sale.cash_after
    assert not TaxYear.objects.filter(portfolio=euro_portfolio, realised_gains__gt=0).exists()


def test_a_gain_in_euros_is_taxed_even_when_the_dollar_price_did_not_move(euro_portfolio):
    _record(euro_portfolio, "buy", 10, "100", BUY_2)  # 1 $ = 1 €: 1,000 €
    sale = _record(euro_portfolio, "sell", 10, "100", SELL)  # 1 $ = 0.80 €: 800 €
    assert sale.realised_pnl == Decimal("-200")  # the currency's loss is a capital loss in euros
    assert TaxYear.objects.get(portfolio=euro_portfolio, year=2021).realised_losses == Decimal("200")


def test_a_same_currency_fill_is_not_converted(investor):
    TickerFactory(symbol="AAA", currency="USD")
    portfolio = PortfolioFactory(owner=investor, base_currency="USD", cash=Decimal("5000"))
    trade = _record(portfolio, "buy", 10, "100", BUY_1)
    assert (trade.fx_rate, trade.fx_rate_on) == (Decimal("1"), None)
    assert Position.objects.get(portfolio=portfolio).average_cost_base == Decimal("100")


def test_without_a_rate_for_the_date_the_trade_is_refused_and_nothing_changes(euro_portfolio):
    late = dt.date(2021, 3, 15)  # twelve days after the last stored fixing
    # Outside a request (a command, a task) the refusal is in English whatever language Django left active.
    with (
        translation.override("fr"),
        pytest.raises(DomainError, match=r"No USD to EUR exchange rate .* 2021-03-15"),
    ):
        _record(euro_portfolio, "buy", 10, "100", late)
    euro_portfolio.refresh_from_db()
    assert euro_portfolio.cash == Decimal("5000") and not Trade.objects.exists()
    assert not Position.objects.exists()


def test_the_api_refuses_a_trade_without_a_rate_with_a_400_naming_the_date(euro_portfolio, investor_client):
    record = {"ticker": "AAA", "side": "buy", "quantity": 1, "price": "100", "traded_on": "2021-03-20"}
    response = investor_client.post(f"/api/v1/portfolios/{euro_portfolio.pk}/trades/", record, format="json")
    assert response.status_code == 400
    assert "No USD to EUR exchange rate is stored for 2021-03-20" in response.json()["detail"]
    assert not Trade.objects.exists()


def test_the_api_answers_a_converted_trade_with_its_currencies_and_rate(euro_portfolio, investor_client):
    record = {"ticker": "AAA", "side": "buy", "quantity": 10, "price": "100", "traded_on": "2021-03-01"}
    url = f"/api/v1/portfolios/{euro_portfolio.pk}/trades/"
    created = investor_client.post(url, record, format="json")
    assert created.status_code == 201
    listed = investor_client.get(url).json()["results"][0]
    for body in (created.json(), listed):
        assert (body["currency"], body["base_currency"]) == ("USD", "EUR")
        assert Decimal(body["fx_rate"]) == Decimal("0.8") and body["fx_rate_on"] == "2021-03-01"
        assert Decimal(body["price"]) == Decimal("100")  # the stock's currency; cash in euros
        assert Decimal(body["cash_after"]) == Decimal("5000") - Decimal("800") - Decimal(body["fees"])


def test_the_trade_form_shows_the_missing_rate_in_french(euro_portfolio, investor):
    client = Client()
    client.force_login(investor)
    response = client.post(
        reverse("portfolio:trade_create", args=[euro_portfolio.pk]),
        {"ticker": "AAA", "side": "buy", "quantity": "1", "price": "100", "traded_on": "2021-03-20"},
    )
    assert response.status_code == 400
    assert "Aucun taux de change USD → EUR" in response.content.decode()
    assert not Trade.objects.exists()
