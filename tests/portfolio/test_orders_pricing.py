from __future__ import annotations

import numpy as np
import pytest

from portfolio import costs
from portfolio.orders import fill, pricing
from portfolio.orders.pricing import OrderContext
from portfolio.orders.sizing import SizeLimits, size_from_risk


def _context(**changes):
    base = dict(
        ticker="AAPL",
        side="buy",
        price=100.0,
        sigma=0.02,
        expected_return=0.01,
        horizon_days=5,
        validity_days=3,
        notional=5_000.0,
        is_entry=True,
    )
    return OrderContext(**{**base, **changes})


def test_trade_off_curve_fills_less_often_further_away():
    curve = pricing.trade_off_curve(_context(), costs.ZERO_COMMISSION_BROKER)
    limits = [c for c in curve if c.order_type == pricing.LIMIT]
    probabilities = [c.fill_probability for c in limits]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(c.limit_price < 100 for c in limits)
    # With a belief that dips revert, a deeper limit earns more when it fills.
    reverting = pricing.trade_off_curve(_context(reversion=0.5), costs.ZERO_COMMISSION_BROKER)
    gross = [c.gross_return for c in reverting if c.order_type == pricing.LIMIT]
    assert gross == sorted(gross)


def test_sell_limits_rest_above_the_price():
    curve = pricing.trade_off_curve(
        _context(side="sell", expected_return=-0.01), costs.ZERO_COMMISSION_BROKER
    )
    assert all(c.limit_price > 100 for c in curve if c.order_type == pricing.LIMIT)
    assert curve[0].gross_return > 0  # selling ahead of an expected fall earns the fall


def test_the_plan_maximises_expected_value_and_refuses_an_edge_below_costs():
    plan = pricing.plan_order(_context(reversion=0.5), costs.ZERO_COMMISSION_BROKER)
    assert plan.expected_value == max(c.expected_value for c in plan.candidates)
    assert plan.order_type == pricing.LIMIT and plan.reasons
    tiny = pricing.plan_order(_context(expected_return=0.0005), costs.FRENCH_ONLINE_BROKER)
    assert not tiny.worthwhile
    assert "Not worth trading" in " ".join(tiny.reasons)


def test_stop_loss_and_take_profit_sit_on_the_right_sides():
    assert pricing.stop_loss_price(100, "buy", 0.02, 2.0, 4) == pytest.approx(100 * 2.718281828 ** (-0.08))
    assert pricing.stop_loss_price(100, "short", 0.02, 2.0, 4) > 100
    assert pricing.take_profit_price(100, "buy", 0.03, 0.002) == pytest.approx(103)
    assert pricing.take_profit_price(100, "buy", 0.001, 0.002) is None
    assert pricing.take_profit_price(100, "short", -0.03, 0.002) == pytest.approx(97)


def test_protective_stop_becomes_stop_limit_when_gaps_are_large():
    tight = pricing.protective_stop(
        position_side="buy", stop_price=99.0, price=100.0, sigma=0.03, overnight_fraction=0.3
    )
    assert tight.order_type == pricing.STOP_LIMIT and tight.limit_price < 99.0
    wide = pricing.protective_stop(
        position_side="buy", stop_price=90.0, price=100.0, sigma=0.02, overnight_fraction=0.2
    )
    assert wide.order_type == pricing.STOP and wide.limit_price is None


@pytest.mark.parametrize(("side", "exit_side"), [("buy", "sell"), ("short", "cover")])
def test_a_protective_stop_is_an_order_that_triggers_less_often_further_away(side, exit_side):
    ctx = _context(side=side, is_entry=False, validity_days=5, overnight_fraction=0.2)
    plans = [
        pricing.plan_protective_order(
            ctx, costs.ZERO_COMMISSION_BROKER, stop_price=pricing.stop_loss_price(100.0, side, 0.02, k, 5)
        )
        for k in (0.25, 1.0, 2.0, 3.0)
    ]
    for plan, k in zip(plans, (0.25, 1.0, 2.0, 3.0), strict=True):
        assert plan.side == exit_side and plan.stop_price == pricing.stop_loss_price(100.0, side, 0.02, k, 5)
        # The one first-passage model: the trigger is a touch of the stop from the entry, with the drift.
        assert plan.fill_probability == pytest.approx(
            fill.session_touch_probability(np.log(plan.stop_price / 100.0), 0.02, 5, ctx.drift - 0.0002, 0.2)
        )
        assert plan.gross_return < 0 and plan.expected_value < 0
    probabilities = [plan.fill_probability for plan in plans]
    assert probabilities == sorted(probabilities, reverse=True) and probabilities[-1] < 0.01
    # The type is protective_stop's: a stop next to the price, where gaps jump it, is a stop-limit.
    assert (plans[0].order_type, plans[-1].order_type) == (pricing.STOP_LIMIT, pricing.STOP)
    assert plans[0].limit_price is not None and plans[-1].limit_price is None


def test_a_drift_toward_the_stop_makes_it_trigger_more_often():
    stop = pricing.stop_loss_price(100.0, "buy", 0.02, 1.0, 5)
    falling, rising = (
        pricing.plan_protective_order(
            _context(expected_return=r, validity_days=5), costs.ZERO_COMMISSION_BROKER, stop_price=stop
        ).fill_probability
        for r in (-0.02, 0.02)
    )
    assert falling > rising
    with pytest.raises(ValueError, match="against the position"):
        pricing.plan_protective_order(_context(), costs.ZERO_COMMISSION_BROKER, stop_price=101.0)


LIMITS = SizeLimits(
    equity=100_000,
    cash=100_000,
    risk_fraction=0.01,
    max_weight=0.5,
    max_gross=1.0,
    current_gross=0,
    current_position=0,
)


def test_size_puts_the_risk_per_trade_between_entry_and_stop():
    size = size_from_risk(limits=LIMITS, side="buy", entry=100.0, stop=95.0)
    assert size.quantity == 200 and size.binding == "risk"  # 200 * 5 = 1 % of 100 000


@pytest.mark.parametrize(
    ("changes", "binding", "quantity"),
    [
        ({"max_weight": 0.1}, "weight", 100),
        ({"current_gross": 95_000}, "gross", 50),
        ({"cash": 3_000}, "cash", 30),
        ({"cash": 3_000, "cash_margin": 0.01}, "cash", 40),
    ],
)
def test_size_respects_weight_gross_and_cash(changes, binding, quantity):
    limits = SizeLimits(**{**LIMITS.__dict__, **changes})
    size = size_from_risk(limits=limits, side="buy", entry=100.0, stop=95.0)
    assert (size.binding, size.quantity) == (binding, quantity)


def test_a_short_is_not_limited_by_cash():
    limits = SizeLimits(**{**LIMITS.__dict__, "cash": 0})
    assert size_from_risk(limits=limits, side="short", entry=100.0, stop=105.0).quantity == 200


def test_an_order_that_must_fill_is_repriced_near_the_market():
    # Selling a stock the model expects to rise (a trim that cuts risk): on its edge alone the engine
    # would rest the order as far away as it can, where it almost never fills.
    on_edge = pricing.plan_order(
        _context(side="sell", expected_return=0.01, is_entry=False), costs.FRENCH_ONLINE_BROKER
    )
    assert on_edge.fill_probability < 0.1
    plan = pricing.must_fill_plan(on_edge)
    assert plan.order_type == pricing.MARKET or plan.fill_probability >= pricing.MUST_FILL_PROBABILITY
    assert plan.candidates == on_edge.candidates and "Must fill" in plan.reasons[0]
    eligible = [c for c in on_edge.candidates if c.fill_probability >= 0.9]
    assert plan.expected_value == max(c.expected_value for c in eligible)
    assert pricing.must_fill_plan(on_edge, min_fill_probability=1.0).order_type == pricing.MARKET
    with pytest.raises(ValueError):
        pricing.must_fill_plan(on_edge, min_fill_probability=1.5)
