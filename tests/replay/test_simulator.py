"""The order simulator's fill rule on hand-made bars whose answer is known."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio.replay.simulator import LIMIT, MARKET, STOP, SimOrder, fill_price, is_expired

DAY = dt.date(2021, 4, 1)


def order(side: str, order_type: str, **prices) -> SimOrder:
    return SimOrder("AAPL", side, 10, order_type, DAY, dt.date(2021, 4, 6), **prices)


BAR = {"open_": 100.0, "high": 104.0, "low": 97.0, "close": 101.0}


@pytest.mark.parametrize(
    ("an_order", "bar", "expected"),
    [
        (order("buy", MARKET), BAR, 100.0),
        (order("buy", LIMIT, limit_price=98.0), BAR, 98.0),  # the low reaches the limit
        (order("buy", LIMIT, limit_price=96.0), BAR, None),  # never reached
        (order("buy", LIMIT, limit_price=102.0), BAR, 100.0),  # opened below the limit: the open
        (order("sell", LIMIT, limit_price=103.0), BAR, 103.0),
        (order("sell", LIMIT, limit_price=99.0), BAR, 100.0),  # opened above: the open
        (order("sell", LIMIT, limit_price=105.0), BAR, None),
        (order("sell", STOP, stop_price=98.0), BAR, 98.0),
        (order("sell", STOP, stop_price=101.0), BAR, 100.0),  # gapped through the stop: the open
        (order("buy", LIMIT, limit_price=98.0), {**BAR, "open_": float("nan")}, None),  # no bar
    ],
)
def test_fill_prices(an_order, bar, expected):
    assert fill_price(an_order, **bar) == expected


def test_an_order_expires_after_its_last_valid_session():
    an_order = order("buy", MARKET)
    assert not is_expired(an_order, dt.date(2021, 4, 6))
    assert is_expired(an_order, dt.date(2021, 4, 7))


def test_a_limit_order_without_a_price_is_refused():
    with pytest.raises(ValueError, match="limit price"):
        order("buy", LIMIT)
