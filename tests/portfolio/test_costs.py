from __future__ import annotations

import numpy as np
import pytest

from portfolio import costs, ledger
from portfolio.costs import CostModel
from portfolio.ledger import Fill, LotState, apply_fill


def test_commission_applies_minimum_rate_and_maximum():
    model = CostModel(commission_fixed=1.0, commission_rate=0.001, commission_min=2.5, commission_max=10.0)
    assert costs.commission(model, 500) == pytest.approx(2.5)  # 1 + 0.5 is below the minimum
    assert costs.commission(model, 4_000) == pytest.approx(5.0)  # 1 + 4
    assert costs.commission(model, 100_000) == pytest.approx(10.0)  # 1 + 100 capped
    assert costs.commission(model, 0) == 0.0
    assert np.allclose(costs.commission(model, np.array([500, 4_000, 100_000])), [2.5, 5.0, 10.0])


def test_a_cost_model_refuses_a_maximum_below_the_minimum():
    with pytest.raises(ValueError):
        CostModel(commission_min=5.0, commission_max=1.0)


def test_transaction_tax_only_on_purchases_in_scope():
    model = costs.FRENCH_ONLINE_BROKER
    assert costs.transaction_tax(model, "buy", 10_000, ticker="MC", exchange="XPAR") == pytest.approx(30.0)
    assert costs.transaction_tax(model, "sell", 10_000, ticker="MC", exchange="XPAR") == 0.0
    assert costs.transaction_tax(model, "buy", 10_000, ticker="AAPL", exchange="XNAS") == 0.0
    listed = model.with_changes(ftt_exchanges=frozenset(), ftt_tickers=frozenset({"MC"}))
    assert costs.transaction_tax(listed, "cover", 1_000, ticker="MC", exchange=None) == pytest.approx(3.0)


def test_borrow_accrues_over_the_holding_horizon():
    model = CostModel(borrow_rate_annual=0.0252)
    assert costs.borrow_cost(model, 10_000, 10) == pytest.approx(10_000 * 0.0252 * 10 / 252)


def test_spread_scales_with_volatility_above_a_floor():
    model = CostModel(half_spread_vol_fraction=0.05, half_spread_floor=0.0002)
    assert costs.half_spread(model, 0.02) == pytest.approx(0.001)
    assert costs.half_spread(model, 0.001) == pytest.approx(0.0002)


def test_losses_offset_gains_within_the_year():
    model = CostModel(capital_gains_rate=0.30)
    assert costs.sale_tax_estimate(model, realised_gain=1_000, ytd_realised=0) == pytest.approx(300)
    # A gain that only absorbs an earlier loss costs nothing; the rest is taxed.
    assert costs.sale_tax_estimate(model, realised_gain=1_000, ytd_realised=-600) == pytest.approx(120)
    # A loss after gains gives back tax already accrued, down to zero for the year.
    assert costs.sale_tax_estimate(model, realised_gain=-500, ytd_realised=800) == pytest.approx(-150)
    assert costs.sale_tax_estimate(model, realised_gain=-2_000, ytd_realised=800) == pytest.approx(-240)
    assert costs.yearly_tax(model, {2020: 500.0, 2021: -100.0}) == {2020: 150.0, 2021: 0.0}


def test_average_cost_and_realised_pnl_through_buys_sells_shorts_and_covers():
    state, pnl = apply_fill(LotState(), Fill(10, 100.0))
    state, pnl = apply_fill(state, Fill(10, 110.0))
    assert (state.quantity, state.average_cost, pnl) == (20, pytest.approx(105.0), 0.0)
    state, pnl = apply_fill(state, Fill(-5, 120.0))  # partial sale keeps the average
    assert (state.quantity, state.average_cost, pnl) == (15, pytest.approx(105.0), pytest.approx(75.0))
    state, pnl = apply_fill(state, Fill(-25, 90.0))  # sells through zero: closes 15, shorts 10 at 90
    assert pnl == pytest.approx(15 * (90 - 105))
    assert (state.quantity, state.average_cost) == (-10, pytest.approx(90.0))
    state, pnl = apply_fill(state, Fill(-10, 80.0))  # adds to the short
    assert (state.quantity, state.average_cost) == (-20, pytest.approx(85.0))
    state, pnl = apply_fill(state, Fill(20, 70.0))  # covers at a profit
    assert (state.quantity, pnl) == (0, pytest.approx(20 * 15.0))


def test_realised_by_year_nets_each_year():
    fills = [(2020, Fill(10, 100.0)), (2020, Fill(-5, 90.0)), (2021, Fill(-5, 130.0))]
    assert ledger.realised_by_year(fills) == {2020: pytest.approx(-50.0), 2021: pytest.approx(150.0)}


def test_turnover_cost_rates_charge_the_tax_on_buys_only():
    model = CostModel(commission_rate=0.001, commission_min=5.0, half_spread_floor=0.0005, ftt_rate=0.003)
    buy, sell = costs.turnover_cost_rates(
        model, sigma_daily=np.array([0.0, 0.0]), trade_notional=1_000.0, ftt_mask=np.array([True, False])
    )
    assert buy == pytest.approx([0.005 + 0.0005 + 0.003, 0.005 + 0.0005])
    assert sell == pytest.approx([0.0055, 0.0055])


def test_order_costs_break_down_and_sum():
    result = costs.order_costs(
        costs.FRENCH_ONLINE_BROKER,
        side="short",
        quantity=100,
        price=50.0,
        ticker="AAPL",
        sigma_daily=0.02,
        holding_days=21,
    )
    assert result.commission == pytest.approx(5.0)
    assert result.spread == pytest.approx(0.0004 * 5_000)
    assert result.borrow == pytest.approx(0.03 * 5_000 * 21 / 252)
    assert result.total == pytest.approx(result.commission + result.spread + result.borrow)


def test_backtest_rates_average_buys_and_sells_and_accrue_borrow_daily():
    model = CostModel(
        commission_rate=0.001,
        half_spread_vol_fraction=0.0,
        half_spread_floor=0.0005,
        ftt_rate=0.003,
        ftt_tickers=frozenset({"MC"}),
        borrow_rate_annual=0.0252,
    )
    per_turnover, borrow_per_day = costs.backtest_cost_rates(
        model, sigma_daily=np.array([0.01, 0.02]), trade_notional=10_000.0
    )
    # no asset is in the tax's scope: buy and sell both cost commission + half-spread
    assert per_turnover == pytest.approx(0.001 + 0.0005)
    assert borrow_per_day == pytest.approx(0.0252 / costs.TRADING_DAYS_PER_YEAR)
