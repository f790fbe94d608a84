"""The optimiser and the signals engine weigh a euro portfolio's dollar shares in euros.

Hand-computed case: EURUSD 1.25 stored for the days used (1 $ = 0.80 €). 80,000 € of cash is then the
same budget as 100,000 $: the orders (in dollars, at dollar prices) must be the same share counts as
those of a dollar portfolio with 100,000 $. A held position of 10 AAPL at a close of ``c`` $ weighs
8c € out of 100,000 + 8c €. Without a stored rate, both refuse with a 422 that names the currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from market.models import DailyBar, FxRate
from portfolio import services
from portfolio.models import OrderProposal, Position
from portfolio.services.optimization import portfolio_optimize
from portfolio.services.optimization_inputs import optimisation_inputs
from swingtrade.errors import Unprocessable
from tests.factories import ModelVersionFactory
from tests.portfolio.factories import PortfolioFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
SIGNALS_DAY = dt.date(2021, 4, 1)
LAST_DAY = dt.date(2021, 4, 21)  # the sample's last bar: the optimiser's day
VIEWS = {"AAPL": 0.03, "MSFT": 0.025, "GOOGL": 0.02, "XOM": 0.015, "KO": -0.01}


@pytest.fixture
def predictions(monkeypatch):
    frame = pd.DataFrame(
        {"expected_return": VIEWS, "predicted_volatility": dict.fromkeys(VIEWS, 0.04), "score": VIEWS}
    )
    frame.index.name = "ticker"
    frame["rank"] = frame["expected_return"].rank(ascending=False)
    frame["side"] = ["buy" if v > 0 else "sell" for v in frame["expected_return"]]
    champion = ModelVersionFactory(reliability=1.0)
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, champion))
    return frame


@pytest.fixture
def eurusd_125(market_sample):
    """EURUSD 1.25 on every weekday of the sample's last two months."""
    for day in pd.bdate_range("2021-03-01", LAST_DAY):
        FxRate.objects.create(base="EUR", quote="USD", date=day.date(), rate=1.25)


def _orders(proposals) -> dict[tuple[str, str], int]:
    return {
        (p.ticker.symbol, p.side): p.quantity
        for p in proposals
        if p.quantity
        and p.action not in (OrderProposal.Action.HOLD, OrderProposal.Action.SKIP)
        and p.order_type not in (OrderProposal.OrderType.STOP, OrderProposal.OrderType.STOP_LIMIT)
    }


def test_the_optimiser_weighs_a_held_dollar_position_in_euros(investor, eurusd_125, predictions):
    portfolio = PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("100000"))
    aapl = Position.objects.create(
        portfolio=portfolio,
        ticker_id=DailyBar.objects.filter(ticker__symbol="AAPL").values("ticker_id")[:1],
        quantity=10,
        average_cost=Decimal("120"),
        average_cost_base=Decimal("100"),
        opened_on="2021-03-01",
    )
    close = float(DailyBar.objects.get(ticker_id=aapl.ticker_id, date=LAST_DAY).close)
    inputs = optimisation_inputs(portfolio, LAST_DAY)
    in_euros = 10 * close * 0.8
    assert inputs.close["AAPL"] == pytest.approx(close * 0.8)  # what turns weights into shares
    assert inputs.equity == pytest.approx(100000 + in_euros)
    assert inputs.valuation.equity == pytest.approx(100000 + in_euros)
    assert inputs.w0["AAPL"] == pytest.approx(in_euros / (100000 + in_euros))
    assert inputs.markets["AAPL"].price == pytest.approx(close)  # orders are priced in dollars


def test_the_optimisers_orders_for_80000_euros_are_those_for_100000_dollars(
    investor, eurusd_125, predictions
):
    in_euros = PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("80000"))
    in_dollars = PortfolioFactory(owner=investor, base_currency="USD", cash=Decimal("100000"))
    euro_orders = _orders(portfolio_optimize(portfolio=in_euros, user=investor).proposals.all())
    dollar_orders = _orders(portfolio_optimize(portfolio=in_dollars, user=investor).proposals.all())
    assert euro_orders and euro_orders == dollar_orders


def test_the_signals_engine_sizes_80000_euros_as_100000_dollars(eurusd_125, predictions):
    in_euros = PortfolioFactory(base_currency="EUR", cash=Decimal("80000"), max_position_weight=0.10)
    in_dollars = PortfolioFactory(base_currency="USD", cash=Decimal("100000"), max_position_weight=0.10)
    euro_orders = _orders(services.order_proposals_create(portfolio=in_euros, as_of=SIGNALS_DAY))
    dollar_orders = _orders(services.order_proposals_create(portfolio=in_dollars, as_of=SIGNALS_DAY))
    assert euro_orders and euro_orders == dollar_orders
    for proposal in OrderProposal.objects.filter(portfolio=in_euros, action=OrderProposal.Action.ENTER):
        if proposal.order_type in (OrderProposal.OrderType.STOP, OrderProposal.OrderType.STOP_LIMIT):
            continue
        price = float(proposal.limit_price or proposal.reference_price)
        assert proposal.quantity * price * 0.8 <= 0.10 * 80000 + 1e-6  # at most 10 % of the euros


def test_without_a_rate_the_optimiser_refuses_with_a_422_naming_the_currency(
    investor, investor_client, market_sample, predictions
):
    portfolio = PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("80000"))
    with pytest.raises(Unprocessable, match="No exchange rate from USD to EUR"):
        portfolio_optimize(portfolio=portfolio, user=investor)
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", {}, format="json")
    assert response.status_code == 422
    assert "No exchange rate from USD to EUR" in response.json()["detail"]


def test_without_a_rate_the_signals_engine_refuses_and_the_page_says_so(
    investor, investor_client, market_sample, predictions
):
    portfolio = PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("80000"))
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/proposals/", {}, format="json")
    assert response.status_code == 422, response.content
    assert "No exchange rate from USD to EUR" in response.json()["detail"]
    browser = Client()
    browser.force_login(investor)
    page = browser.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert "Aucun taux de change de USD vers EUR" in page.content.decode()
    assert not OrderProposal.objects.filter(portfolio=portfolio).exists()
