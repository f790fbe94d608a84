"""The no-trade band of the default advice on hand-made portfolios whose answer is worked out by hand.

Four independent stocks priced 100, 20 % annual volatility each: minimum variance is 25 % in each.
Moving x of weight from an overweight line (25 % + d) to an underweight one (25 % − d) lowers the
variance at the rate 4σ²(d − x), worth λ·4σ²(d − x) = 0.4·(d − x) with λ = 2.5, σ² = 0.04. The French online
broker's rates at a typical order (the 50 % cap of 1,000,000: commission capped at 15, spread 2.5 bp)
are about 2.8 bp a side, so a move pays while 0.4·(d − x)/κ > ~0.00056: the band's half-width is
d ≈ 0.0014·κ, and a line outside it is traded back to the band's edge, not to 25 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from portfolio import costs
from portfolio.advice import AdviceProfile, Holdings, advise
from portfolio.advice.core import _small_adjustments, min_adjustment
from portfolio.tax import rules

DAY = dt.date(2024, 6, 3)
TICKERS = ["AAA", "BBB", "CCC", "DDD"]
PRICES = pd.Series(100.0, index=TICKERS)
COV = pd.DataFrame(np.diag([0.04] * 4), index=TICKERS, columns=TICKERS)
BROKER = costs.FRENCH_ONLINE_BROKER
PROFILE = AdviceProfile(
    max_weight=0.5,
    max_sector_weight=1.0,
    risk_aversion=2.5,
    sectors=dict.fromkeys(TICKERS, "Tech"),
    cost_aversion=1.0,
)
TAX = rules.tax_position({}, DAY.year, rate=0.30)


def _advise(weights: tuple[float, ...], equity: float = 1_000_000.0, **profile):
    shares = pd.Series([w * equity / 100.0 for w in weights], index=TICKERS)
    holdings = Holdings(shares=shares, pmp=PRICES.copy(), cash=equity - float(shares.sum() * 100.0))
    return advise(holdings, PRICES, COV, TAX, BROKER, replace(PROFILE, **profile), as_of=DAY)


def test_a_position_inside_the_band_is_not_traded():
    # d = 0.1 %: the risk removed is worth less than the fees from the first share on.
    assert _advise((0.251, 0.249, 0.25, 0.25)).orders == []


def test_a_position_outside_the_band_is_traded_back_to_its_edge():
    # d = 5 %: x ≈ d − 0.14 %, about 4.86 % moved from AAA to BBB, not the full 5 %.
    orders = {o.ticker: (o.side, o.quantity) for o in _advise((0.30, 0.20, 0.25, 0.25)).orders}
    assert set(orders) == {"AAA", "BBB"}
    assert orders["AAA"][0] == "sell" and orders["BBB"][0] == "buy"
    assert 400 <= orders["AAA"][1] < 500  # 4-5 % of 1,000,000 at 100 a share


def test_cost_aversion_widens_the_band_a_move_worth_less_than_k_times_its_cost_is_not_made():
    drifted = (0.254, 0.246, 0.25, 0.25)  # d = 0.4 %: outside the band at κ = 1, inside at κ = 4
    assert {o.ticker for o in _advise(drifted, cost_aversion=1.0).orders} == {"AAA", "BBB"}
    assert _advise(drifted, cost_aversion=4.0).orders == []


def test_a_trim_smaller_than_the_commission_minimum_size_is_not_advised_on_a_small_account():
    # The same 2 % drift is a ~1,860 trim on 100,000 (below 1.99 / 0.10 % = 1,990) but 18,600 on 1,000,000.
    drifted = (0.27, 0.23, 0.25, 0.25)
    assert _advise(drifted, equity=100_000.0).orders == []
    assert len(_advise(drifted, equity=1_000_000.0).orders) == 2


def test_the_minimum_adjustment_is_where_the_broker_minimum_stops_binding():
    assert min_adjustment(BROKER, typical_order=10_000.0) == pytest.approx(1_990.0)
    assert min_adjustment(BROKER, typical_order=1_000.0) == pytest.approx(1_000.0)  # already charged
    assert min_adjustment(costs.ZERO_COMMISSION_BROKER, typical_order=10_000.0) == 0.0
    flat = BROKER.with_changes(commission_rate=0.0, commission_min=5.0)
    assert min_adjustment(flat, typical_order=8_000.0) == pytest.approx(8_000.0)


def test_orders_that_open_or_close_a_line_are_kept_whatever_their_size():
    held = np.array([10.0, 10.0, 0.0, 10.0])
    change = np.array([-10.0, -2.0, 3.0, 1.0])  # close, trim, open, top up
    price = np.full(4, 100.0)
    assert _small_adjustments(held, change, price, minimum=1_000.0).tolist() == [False, True, False, True]


def test_cost_aversion_below_one_is_refused():
    from swingtrade.errors import DomainError

    with pytest.raises(DomainError, match="cost aversion"):
        _advise((0.25, 0.25, 0.25, 0.25), cost_aversion=0.5)
