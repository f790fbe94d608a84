"""Portfolio pages: creation, valuation, trades and the risk profile, always through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from market import fx
from market.models import FxRate
from market.selectors import latest_closes
from portfolio.models import CostProfile, Portfolio, Trade
from portfolio.services import trade_record
from swingtrade.formatting import format_money, format_percent
from tests.factories import UserFactory
from tests.web.helpers import in_french, portfolio_of, profile_post


def test_investor_creates_a_portfolio_from_the_list_page(market_sample, investor, investor_web):
    preset = CostProfile.objects.get(owner=None, name="Zero-commission broker")
    response = investor_web.post(
        reverse("portfolio:list"),
        {
            "name": "Swing",
            "cash": "25000",
            "base_currency": "EUR",
            "cost_profile": preset.pk,
            "max_position_weight": "0.2",
            "max_gross_exposure": "1.0",
        },
        follow=True,
    )
    portfolio = Portfolio.objects.get(owner=investor, name="Swing")
    assert response.redirect_chain[-1][0] == reverse("portfolio:detail", args=[portfolio.pk])
    assert portfolio.base_currency == "EUR" and "25\u202f000,00\xa0€" in response.content.decode()
    listing = investor_web.get(reverse("portfolio:list")).content.decode()
    assert "Swing" in listing and "achats uniquement" in listing


def test_a_new_portfolio_is_in_euros_unless_the_user_says_otherwise(market_sample, investor_web):
    form = investor_web.get(reverse("portfolio:list")).context["form"]
    assert form["base_currency"].value() == "EUR"


def test_portfolio_creation_refused_by_the_service_shows_why(market_sample, investor, investor_web):
    portfolio_of(investor, name="Taken")
    preset = CostProfile.objects.get(owner=None, name="Zero-commission broker")
    response = investor_web.post(
        reverse("portfolio:list"),
        {"name": "Taken", "cash": "1", "base_currency": "USD", "cost_profile": preset.pk,
         "max_position_weight": "0.2", "max_gross_exposure": "1.0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert (
        "Vous avez déjà un portefeuille nommé" in response.content.decode()
    )  # the service's refusal, in French
    assert Portfolio.objects.filter(owner=investor).count() == 1


def test_portfolio_page_values_positions_from_the_latest_close(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    trade_record(
        portfolio=portfolio, ticker="AAPL", side="buy", quantity=100, price="120", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk]))
    assert response.status_code == 200
    close = latest_closes(["AAPL"])["AAPL"][1]
    html = response.content.decode()
    assert in_french(format_money, 100 * close, "USD") in html  # market value, a USD portfolio
    assert in_french(format_money, 100 * (close - 120), "USD", signed=True) in html  # unrealised gain
    weight = response.context["valuation"].positions[0].weight
    assert in_french(format_percent, weight, 1) in html
    assert response.context["weights_chart"]["labels"] == ["AAPL"]
    assert "01/03/2021" in html  # trade history, French date


def test_a_euro_portfolio_converts_us_shares_at_the_stated_ecb_rate(market_sample, investor, investor_web):
    fx.fx_sample_load()
    portfolio = portfolio_of(investor, base_currency="EUR")
    trade_record(
        portfolio=portfolio, ticker="AAPL", side="buy", quantity=10, price="120", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk]))
    price_date, close = latest_closes(["AAPL"])["AAPL"]
    rate = fx.fx_rate("EUR", "USD", price_date)
    assert rate is not None and rate.on == price_date and 1.0 < rate.rate < 1.3  # ECB EURUSD of 2021-04-21
    html = response.content.decode()
    assert in_french(format_money, 10 * close / rate.rate, "EUR") in html  # the position's value in euros
    assert "taux BCE" in html and "21/04/2021" in html  # which rate, of which day
    booked = fx.fx_rate("EUR", "USD", date(2021, 3, 1))
    trade = Trade.objects.get(portfolio=portfolio)
    assert trade.fx_rate_on == booked.on and float(trade.fx_rate) == pytest.approx(1 / booked.rate, abs=1e-9)
    portfolio.refresh_from_db()
    notional_in_euros = (1200 * trade.fx_rate).quantize(Decimal("0.000001"))
    assert portfolio.cash == Decimal("100000") - notional_in_euros - trade.fees - trade.transaction_tax
    assert in_french(format_money, booked.rate, "USD", 4) + ", 01/03/2021" in html  # the trade's own rate


def test_without_a_rate_the_page_refuses_to_add_dollars_to_euros(market_sample, investor, investor_web):
    # A rate for the trade's date only: the fill is booked, the latest price (2021-04-21) has no rate.
    FxRate.objects.create(base="EUR", quote="USD", date=date(2021, 3, 1), rate=1.2)
    portfolio = portfolio_of(investor, base_currency="EUR")
    trade_record(
        portfolio=portfolio, ticker="AAPL", side="buy", quantity=10, price="120", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk]))
    valuation = response.context["valuation"]
    assert valuation.equity is None and valuation.missing_rates == ["USD"]
    assert valuation.positions[0].weight is None and valuation.positions[0].market_value_base is None
    assert "Aucun taux de change de USD vers EUR" in response.content.decode()


def test_another_users_portfolio_is_404(market_sample, investor_web):
    other = portfolio_of(UserFactory())
    assert investor_web.get(reverse("portfolio:detail", args=[other.pk])).status_code == 404
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[other.pk]),
        {"ticker": "AAPL", "side": "buy", "quantity": "1", "price": "100", "traded_on": "2021-03-01"},
    )
    assert response.status_code == 404
    assert not Trade.objects.exists()


def test_a_refused_trade_shows_the_service_reason_and_records_nothing(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "AAPL", "side": "sell", "quantity": "10", "price": "130", "traded_on": "2021-04-21"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vous ne détenez pas de AAPL à vendre." in html  # the service's refusal, in the page's language
    assert response.context["trade_form"].non_field_errors() == ["Vous ne détenez pas de AAPL à vendre."]
    assert 'value="130"' in html  # the user's input stays in the form
    portfolio.refresh_from_db()
    assert (
        portfolio.cash == Decimal("100000")
        and not Trade.objects.exists()
        and not portfolio.positions.exists()
    )


def test_an_unknown_ticker_is_refused_on_the_ticker_field(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "ZZZZ", "side": "buy", "quantity": "1", "price": "10", "traded_on": "2021-04-21"},
    )
    assert "Aucune action ne correspond à ZZZZ" in str(response.context["trade_form"].errors["ticker"])
    assert not Trade.objects.exists()


def test_a_trade_can_name_the_stock_instead_of_its_symbol(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    page = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert '<datalist id="ticker-choices">' in page and "Apple" in page  # suggestions with names
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "apple", "side": "buy", "quantity": "1", "price": "130", "traded_on": "2021-04-21"},
    )
    assert response.status_code == 302
    assert Trade.objects.get().ticker.symbol == "AAPL"


def test_a_position_above_the_users_cap_asks_for_confirmation_before_it_is_recorded(
    market_sample, investor, investor_web
):
    portfolio = portfolio_of(investor)  # 100,000 in cash, at most 20 % per position
    fill = {"ticker": "AAPL", "side": "buy", "quantity": "300", "price": "130", "traded_on": "2021-04-21"}
    url = reverse("portfolio:trade_create", args=[portfolio.pk])
    response = investor_web.post(url, fill)
    html = response.content.decode()
    assert response.status_code == 200 and not Trade.objects.exists()  # nothing recorded yet
    # 300 x 130 = 39,000 of a 100,000 portfolio (fees aside): 39.0 %, said before anything is written.
    assert "AAPL représenterait 39,0 % du portefeuille" in html
    assert "au-delà de votre limite de 20 %" in html and 'name="confirm_size" value="1"' in html
    assert response.context["trade_form"]["quantity"].value() == "300"  # the fill stays in the form

    confirmed = investor_web.post(url, {**fill, "confirm_size": "1"}, follow=True)
    assert Trade.objects.count() == 1  # the user confirmed: a fact is recorded, with the reminder
    assert "au-delà de votre limite de 20 %" in confirmed.content.decode()


def test_a_position_within_the_cap_is_recorded_without_asking(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "AAPL", "side": "buy", "quantity": "100", "price": "130", "traded_on": "2021-04-21"},
    )
    assert response.status_code == 302 and Trade.objects.count() == 1  # 13 % of the portfolio


def test_selling_down_a_position_above_the_cap_is_not_held_up(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    trade_record(
        portfolio=portfolio, ticker="AAPL", side="buy", quantity=300, price="130", traded_on=date(2021, 4, 20)
    )
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "AAPL", "side": "sell", "quantity": "200", "price": "133", "traded_on": "2021-04-21"},
    )
    assert response.status_code == 302 and Trade.objects.count() == 2


def test_a_recorded_trade_updates_cash_and_history(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {
            "ticker": "ko",
            "side": "buy",
            "quantity": "10",
            "price": "50",
            "traded_on": "2021-04-21",
            "fees": "1",
        },
        follow=True,
    )
    assert "Enregistré : Achat de 10 KO à 50,00\xa0$." in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.cash == Decimal("100000") - Decimal("501")


def test_the_owner_opts_into_shorting_from_the_portfolio_page(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    url = reverse("portfolio:profile_update", args=[portfolio.pk])
    response = investor_web.post(
        url, profile_post(portfolio, allow_short="on", max_gross_exposure="1.5"), follow=True
    )
    portfolio.refresh_from_db()
    assert portfolio.allow_short and portfolio.max_gross_exposure == 1.5
    assert (
        "long/short" in response.content.decode()
        and "Profil de risque enregistré" in response.content.decode()
    )


def test_leverage_without_shorting_or_margin_is_refused_with_the_reason(
    market_sample, investor, investor_web
):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:profile_update", args=[portfolio.pk]),
        profile_post(portfolio, max_gross_exposure="2"),
    )
    assert response.status_code == 400
    assert "Une exposition brute au-delà de 100 % demande un effet de levier" in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.max_gross_exposure == 1.0 and not portfolio.allow_short


def test_the_risk_profile_offers_each_advice_style_with_its_measured_result_and_the_sector_cap(
    market_sample, investor, investor_web
):
    from portfolio.advice.styles import LOW_RISK_MEASURED, SIGNALS_MEASURED

    portfolio = portfolio_of(investor, advice_style="low_risk")
    response = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk]))
    html = unescape(response.content.decode())
    form = response.context["profile_form"]
    assert form["advice_style"].value() == "low_risk" and form["max_sector_weight"].value() == 0.3
    assert "Style de conseil" in html and "Signaux du modèle (entrées swing)" in html
    with translation.override("fr"):  # each choice with what it has been measured to do, in French
        assert (
            translation.gettext(SIGNALS_MEASURED) in html and translation.gettext(LOW_RISK_MEASURED) in html
        )
    assert "Sharpe net −0,71" in html

    saved = investor_web.post(
        reverse("portfolio:profile_update", args=[portfolio.pk]),
        profile_post(portfolio, advice_style="signals", max_sector_weight="0.25"),
    )
    assert saved.status_code == 302
    portfolio.refresh_from_db()
    assert (portfolio.advice_style, portfolio.max_sector_weight) == ("signals", 0.25)
    refused = investor_web.post(
        reverse("portfolio:profile_update", args=[portfolio.pk]),
        profile_post(portfolio, advice_style="yolo", max_sector_weight="1.5"),
    )
    assert refused.status_code == 400
    portfolio.refresh_from_db()
    assert (portfolio.advice_style, portfolio.max_sector_weight) == ("signals", 0.25)
