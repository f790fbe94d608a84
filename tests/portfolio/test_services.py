from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from market import clock
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
        ({"side": "buy", "quantity": 1, "day": clock.today() + dt.timedelta(days=2)}, "future"),
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


HUGE = "99999999999999.999999"  # 20 digits: fits the price column, nothing built on it does


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"side": "sell", "quantity": 1, "price": HUGE}, "too large to record"),
        ({"side": "buy", "quantity": 1, "price": "1e20"}, "Price is too large"),
        ({"side": "buy", "quantity": 1, "price": "NaN"}, "Price must be a finite"),
        ({"side": "buy", "quantity": 1, "price": "Infinity"}, "Price must be a finite"),
        ({"side": "buy", "quantity": 1, "price": "100.0000001"}, "more than 6 decimal places"),
        ({"side": "buy", "quantity": "NaN"}, "Quantity must be a finite"),
        ({"side": "buy", "quantity": "1e30"}, "Quantity is too large"),
        ({"side": "buy", "quantity": 10**9, "price": "1000000"}, "trade's value"),
        ({"side": "buy", "quantity": 1, "fees": "1e20"}, "Fees is too large"),
        ({"side": "buy", "quantity": 1, "fees": "NaN"}, "Fees must be a finite"),
        ({"side": "buy", "quantity": 1, "fees": "-1"}, "Fees cannot be negative"),
    ],
)
def test_amounts_beyond_the_money_columns_are_refused_and_change_nothing(ticker, kwargs, reason):
    portfolio = PortfolioFactory(cash=Decimal("2000"))
    _record(portfolio, "buy", 10, "100")
    before = _snapshot(portfolio)
    params = {"price": "100", "ticker": "AAA", **kwargs}
    with pytest.raises(DomainError, match=reason):
        _record(portfolio, params.pop("side"), params.pop("quantity"), params.pop("price"), **params)
    assert _snapshot(portfolio) == before


def test_cash_that_would_outgrow_its_column_is_refused(ticker):
    portfolio = PortfolioFactory(cash=Decimal("99999999990000"))
    _record(portfolio, "buy", 10, "100")
    before = _snapshot(portfolio)
    with pytest.raises(DomainError, match="cash after this trade is too large"):
        _record(portfolio, "sell", 10, "1100")  # 99 999 999 989 000 + 11 000 >= 10**14
    assert _snapshot(portfolio) == before


def test_a_price_far_from_the_days_bar_is_refused(ticker):
    from market.models import DailyBar

    DailyBar.objects.create(ticker=ticker, date=DAY, low=95.0, high=105.0, close=100.0, adj_close=100.0)
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    _record(portfolio, "buy", 10, "100")
    before = _snapshot(portfolio)
    for price in ("1000", "47", "210.01"):  # band [0.5 x 95, 2 x 105] = [47.50, 210.00]
        with pytest.raises(DomainError, match=r"far from AAA's range on 2021-03-01 .*\[47.50, 210.00\]"):
            _record(portfolio, "sell", 1, price)
    assert _snapshot(portfolio) == before
    assert _record(portfolio, "sell", 1, "210").price == Decimal("210")
    # A day without a bar has nothing to compare with: the price is taken as given.
    assert _record(portfolio, "sell", 1, "1000", day=DAY + dt.timedelta(days=1)).price == Decimal("1000")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"cash": Decimal("-1")}, "cash"),
        ({"cash": Decimal("1e15")}, "cash"),
        ({"max_position_weight": 1.5}, "max_position_weight"),
        ({"max_position_weight": 0.0}, "max_position_weight"),
        ({"max_position_weight": float("nan")}, "max_position_weight"),
        ({"max_gross_exposure": 0.0}, "max_gross_exposure"),
        ({"max_gross_exposure": -1.0}, "max_gross_exposure"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"risk_per_trade": 1.5}, "risk_per_trade"),
        ({"risk_per_trade": 0.0}, "risk_per_trade"),
        ({"risk_per_trade": -0.01}, "risk_per_trade"),
        ({"stop_loss_sigmas": 0.0}, "stop_loss_sigmas"),
        ({"cash_margin": 2.0}, "cash_margin"),
        ({"order_validity_sessions": 0}, "order_validity_sessions"),
    ],
)
def test_absurd_settings_are_refused_on_create_and_update(investor, values, field):
    with pytest.raises(DomainError) as refused:
        services.portfolio_create(owner=investor, name="New", **values)
    assert field in refused.value.details and field in refused.value.message.lower()
    portfolio = services.portfolio_create(owner=investor, name="Main", cash=Decimal("1000"))
    with pytest.raises(DomainError) as refused:
        services.portfolio_update(portfolio=portfolio, **values)
    assert field in refused.value.details
    stored = type(portfolio).objects.get(pk=portfolio.pk)
    assert (stored.cash, stored.max_position_weight, stored.horizon_days) == (Decimal("1000"), 0.2, 5)


def test_cash_set_by_hand_obeys_the_cash_margin(ticker):
    portfolio = PortfolioFactory(cash=Decimal("1000"), cash_margin=0.5)
    _record(portfolio, "buy", 10, "100")  # equity = cash + 1000 of AAA at cost (no bar)
    with pytest.raises(DomainError, match="below the allowed"):
        services.portfolio_update(portfolio=portfolio, cash=Decimal("-999999"))
    services.portfolio_update(portfolio=portfolio, cash=Decimal("-300"))  # equity 700: floor -350
    with pytest.raises(DomainError, match="below the allowed"):
        services.portfolio_update(portfolio=portfolio, cash_margin=0.0)
    portfolio.refresh_from_db()
    assert (portfolio.cash, portfolio.cash_margin) == (Decimal("-300"), 0.5)
    services.portfolio_update(portfolio=portfolio, name="Renamed")  # unrelated edits still pass


def test_shorting_cannot_be_turned_off_while_short(ticker):
    portfolio = PortfolioFactory(allow_short=True)
    _record(portfolio, "short", 5, "100")
    with pytest.raises(DomainError, match="short AAA: cover first"):
        services.portfolio_update(portfolio=portfolio, allow_short=False)
    portfolio.refresh_from_db()
    assert portfolio.allow_short is True
    _record(portfolio, "cover", 5, "100")
    assert services.portfolio_update(portfolio=portfolio, allow_short=False).allow_short is False
