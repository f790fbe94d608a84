from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import CostProfile, Position, Trade
from swingtrade.errors import DomainError
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 3, 1)


def _record(portfolio, side, quantity, price, day=DAY, ticker="AAA", **kw):
    return services.trade_record(
        portfolio=portfolio, ticker=ticker, side=side, quantity=quantity, price=price, traded_on=day, **kw
    )


@pytest.fixture
def ticker():
    return TickerFactory(symbol="AAA")


def test_presets_exist_after_migrations():
    names = set(CostProfile.objects.filter(is_preset=True).values_list("name", flat=True))
    assert {"French online broker", "Zero-commission broker"} <= names


def test_new_portfolios_are_long_only_and_unlevered(investor):
    portfolio = services.portfolio_create(owner=investor, name="Main", cash=Decimal("1000"))
    assert portfolio.allow_short is False and portfolio.max_gross_exposure == 1.0
    with pytest.raises(DomainError, match="leverage"):
        services.portfolio_update(portfolio=portfolio, max_gross_exposure=1.5)


def test_buys_sells_shorts_and_covers_update_cash_average_cost_and_pnl(ticker):
    portfolio = PortfolioFactory(cash=Decimal("10000"), allow_short=True)
    _record(portfolio, "buy", 10, "100")
    _record(portfolio, "buy", 10, "110")
    position = Position.objects.get(portfolio=portfolio)
    assert (position.quantity, position.average_cost) == (20, Decimal("105"))
    sale = _record(portfolio, "sell", 5, "120")
    assert sale.realised_pnl == Decimal("75")
    assert Position.objects.get(portfolio=portfolio).average_cost == Decimal("105")
    loss = _record(portfolio, "sell", 15, "90")
    assert loss.realised_pnl == Decimal("-225")
    assert not Position.objects.filter(portfolio=portfolio).exists()
    _record(portfolio, "short", 10, "80")
    assert Position.objects.get(portfolio=portfolio).quantity == -10
    cover = _record(portfolio, "cover", 10, "70")
    assert cover.realised_pnl == Decimal("100")
    portfolio.refresh_from_db()
    # Zero-commission profile: cash moves by the notionals only.
    assert portfolio.cash == Decimal("10000") - 1000 - 1100 + 600 + 1350 + 800 - 700


def test_capital_gains_tax_nets_losses_within_the_year(ticker):
    portfolio = PortfolioFactory()
    _record(portfolio, "buy", 10, "100")
    gain = _record(portfolio, "sell", 5, "120")  # +100
    assert gain.capital_gains_tax == Decimal("30")
    loss = _record(portfolio, "sell", 5, "60")  # -200 gives back the 30 accrued, no further
    assert loss.capital_gains_tax == Decimal("-30")
    _record(portfolio, "buy", 10, "100", day=DAY + dt.timedelta(days=1))
    absorbed = _record(portfolio, "sell", 10, "108", day=DAY + dt.timedelta(days=1))  # +80: net -20
    assert absorbed.capital_gains_tax == Decimal("0")


def test_fees_follow_the_cost_profile_with_min_and_max(ticker, investor):
    french = CostProfile.objects.get(owner=None, name="French online broker")
    portfolio = PortfolioFactory(cost_profile=french, cash=Decimal("100000"))
    assert _record(portfolio, "buy", 1, "100").fees == Decimal("1.99")  # 0.10 % = 0.10 -> minimum
    assert _record(portfolio, "buy", 50, "100").fees == Decimal("5")
    assert _record(portfolio, "buy", 500, "100").fees == Decimal("15")  # 50 capped


def _snapshot(portfolio):
    portfolio.refresh_from_db()
    return (
        portfolio.cash,
        list(Position.objects.filter(portfolio=portfolio).values_list("quantity", "average_cost")),
        Trade.objects.filter(portfolio=portfolio).count(),
    )


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"side": "sell", "quantity": 20}, "cannot sell 20"),
        ({"side": "short", "quantity": 1}, "Shorting is off"),
        ({"side": "cover", "quantity": 1}, "no short position"),
        ({"side": "buy", "quantity": -1}, "positive"),
        ({"side": "buy", "quantity": 0}, "positive"),
        ({"side": "buy", "quantity": "1.5"}, "fractional"),
        ({"side": "buy", "quantity": 1, "ticker": "ZZZZ"}, "Unknown ticker"),
        ({"side": "buy", "quantity": 1, "day": dt.date.today() + dt.timedelta(days=2)}, "future"),
        ({"side": "buy", "quantity": 1, "price": "0"}, "Price must be positive"),
        ({"side": "buy", "quantity": 1, "price": "-5"}, "Price must be positive"),
        ({"side": "buy", "quantity": 1000, "price": "100"}, "Cash would fall"),
        ({"side": "buy", "quantity": 1, "day": DAY - dt.timedelta(days=5)}, "date order"),
        ({"side": "hold", "quantity": 1}, "Unknown side"),
    ],
)
def test_every_invalid_trade_is_refused_with_a_reason_and_changes_nothing(ticker, kwargs, reason):
    portfolio = PortfolioFactory(cash=Decimal("2000"))
    _record(portfolio, "buy", 10, "100")
    before = _snapshot(portfolio)
    params = {"side": "buy", "quantity": 1, "price": "100", "day": DAY, "ticker": "AAA", **kwargs}
    with pytest.raises(DomainError, match=reason):
        _record(portfolio, params.pop("side"), params.pop("quantity"), params.pop("price"), **params)
    assert _snapshot(portfolio) == before


def test_a_long_position_cannot_be_shorted_or_a_short_bought(ticker):
    portfolio = PortfolioFactory(allow_short=True)
    _record(portfolio, "buy", 5, "100")
    with pytest.raises(DomainError, match="sell them before shorting"):
        _record(portfolio, "short", 1, "100")
    _record(portfolio, "sell", 5, "100")
    _record(portfolio, "short", 5, "100")
    with pytest.raises(DomainError, match="record a cover"):
        _record(portfolio, "buy", 1, "100")


def test_cash_may_use_the_allowed_margin(ticker):
    portfolio = PortfolioFactory(cash=Decimal("1000"), cash_margin=0.5)
    _record(portfolio, "buy", 14, "100")  # 1400: 400 below zero, margin allows 500
    portfolio.refresh_from_db()
    assert portfolio.cash == Decimal("-400")
