"""The default advice on a stored portfolio (embedded sample, 12 tickers in 11 sectors, no model)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.conf import settings

from market.selectors import price_panel
from portfolio import services
from portfolio.advice import NOTHING_TO_DO, default_advice
from portfolio.advice.core import annual_volatility
from portfolio.models import OrderProposal
from portfolio.risk import estimate_risk_model
from swingtrade.errors import DomainError
from tests.portfolio.factories import PortfolioFactory

DAY = dt.date(2021, 4, 21)


def _risk_model():
    """The advice's own risk model on DAY, to compare with equal weights."""
    prices = price_panel(start=DAY - dt.timedelta(days=420), end=DAY)
    return estimate_risk_model(
        prices, window=settings.OPTIMIZE_COVARIANCE_WINDOW, horizon_days=settings.ADVICE_RISK_HORIZON_DAYS
    )


@pytest.fixture
def portfolio(market_sample):
    return PortfolioFactory(advice_style="low_risk", cash=Decimal("100000"), max_position_weight=0.2)


def _follow(portfolio, advice):
    for order in advice.orders:
        services.trade_record(
            portfolio=portfolio,
            ticker=order.ticker,
            side=order.side,
            quantity=order.quantity,
            price=str(round(order.price, 4)),
            traded_on=advice.as_of,
        )


def test_cash_is_invested_in_a_lower_risk_portfolio_than_equal_weights_within_the_caps(portfolio):
    advice = default_advice(portfolio=portfolio, as_of=DAY)
    weights = advice.target_weights
    assert 0.95 < weights.sum() <= 1.0  # whole shares, rounded down (one AMZN share is 3 % of equity)
    assert weights.max() <= 0.2 + 1e-6
    assert all(o.side == "buy" and o.fees > 0 for o in advice.orders)
    equal = pd.Series(1 / len(weights), index=weights.index)
    assert advice.volatility_after < 0.9 * annual_volatility(_risk_model(), equal)


def test_once_the_advice_is_followed_the_next_one_says_there_is_nothing_to_do(portfolio, settings):
    settings.MARKET_CLOCK_DATE = DAY  # the market clock pinned to the last sample day
    _follow(portfolio, default_advice(portfolio=portfolio, as_of=DAY))
    again = default_advice(portfolio=portfolio, as_of=DAY)
    assert again.orders == [] and again.summary == NOTHING_TO_DO


def test_the_proposals_api_carries_each_orders_fee_tax_and_risk_effect(portfolio, api_client):
    api_client.force_authenticate(portfolio.owner)
    response = api_client.post(
        f"/api/v1/portfolios/{portfolio.pk}/proposals/", {"as_of": DAY.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body and all(p["side"] == "buy" and p["order_type"] == "market" for p in body)
    assert all(p["fees"] > 0 and p["taxes"] == 0.0 for p in body)  # purchases: no FTT on US shares
    assert all(p["volatility_effect"] is not None for p in body)
    assert OrderProposal.objects.filter(portfolio=portfolio, status="proposed").count() == len(body)


def test_a_short_position_is_refused_with_the_way_out(portfolio):
    portfolio.allow_short = True
    portfolio.save()
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="short", quantity=10, price="54", traded_on=DAY
    )
    with pytest.raises(DomainError, match="long-only"):
        default_advice(portfolio=portfolio, as_of=DAY)


def test_the_optimiser_body_carries_the_tax_state_and_each_orders_fee_tax_and_risk(
    portfolio, api_client, predictions
):
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=100, price="60", traded_on=DAY
    )
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="sell", quantity=100, price="54", traded_on=DAY
    )
    api_client.force_authenticate(portfolio.owner)
    response = api_client.post(f"/api/v1/portfolios/{portfolio.pk}/optimize/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tax_state"]["year"] == DAY.year and body["tax_state"]["realised_losses"] == 600.0
    assert body["proposals"] and all(
        {"fees", "taxes", "volatility_effect"} <= set(p) for p in body["proposals"]
    )
    listed = api_client.get(f"/api/v1/portfolios/{portfolio.pk}/optimizations/").json()
    runs = listed["results"] if isinstance(listed, dict) else listed
    assert runs[0]["tax_state"] is not None


def test_the_advice_style_and_sector_cap_are_part_of_the_risk_profile_api(portfolio, api_client):
    api_client.force_authenticate(portfolio.owner)
    url = f"/api/v1/portfolios/{portfolio.pk}/"
    assert api_client.get(url).json()["advice_style"] == "low_risk"
    response = api_client.patch(url, {"advice_style": "signals", "max_sector_weight": 0.25}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["advice_style"], response.json()["max_sector_weight"]) == ("signals", 0.25)
    assert api_client.patch(url, {"advice_style": "yolo"}, format="json").status_code == 400
    refused = api_client.patch(url, {"max_sector_weight": 1.5}, format="json")
    assert refused.status_code == 400 and "max_sector_weight" in refused.content.decode()


def test_a_euro_portfolio_of_us_stocks_is_advised_in_euros_and_ordered_in_dollars(market_sample):
    """Cash in euros buys dollar stocks at the day's rate: the advice weighs both in euros, the orders carry
    the dollar price the broker takes, and their notional, fees and taxes are in euros."""
    from market.models import FxRate

    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=1.25)  # 1 $ = 0.80 €
    euros = PortfolioFactory(
        advice_style="low_risk", cash=Decimal("80000"), max_position_weight=0.2, base_currency="EUR"
    )
    dollars = PortfolioFactory(advice_style="low_risk", cash=Decimal("100000"), max_position_weight=0.2)
    in_euros, in_dollars = (default_advice(portfolio=p, as_of=DAY) for p in (euros, dollars))
    closes = price_panel(field="close", start=DAY, end=DAY).iloc[-1]
    for order in in_euros.orders:
        assert order.price == pytest.approx(closes[order.ticker])  # the stock's own currency
        assert order.notional == pytest.approx(order.quantity * closes[order.ticker] * 0.8)
    assert sum(o.notional for o in in_euros.orders) <= 80000  # never more than the euros held
    # 80,000 € is 100,000 $: the same target portfolio, whole shares aside.
    assert in_euros.target_weights.round(2).to_dict() == in_dollars.target_weights.round(2).to_dict()


def test_without_a_rate_the_euro_advice_is_refused_with_the_reason(market_sample):
    euros = PortfolioFactory(advice_style="low_risk", cash=Decimal("80000"), base_currency="EUR")
    refusal = "No exchange rate from USD to EUR is stored on or before 2021-04-21"
    with pytest.raises(DomainError, match=refusal):
        default_advice(portfolio=euros, as_of=DAY)
