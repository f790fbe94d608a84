"""The pure default advice on small hand-made portfolios whose right answer is known.

Four independent stocks priced 100 with an annual volatility of 20 % each: the minimum-variance
portfolio is 25 % in each, with half the variance of a 50/50 pair. Equity 100,000, zero-commission
broker (costs of a few basis points), flat tax 30 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from portfolio import costs
from portfolio.advice import NOTHING_TO_DO, AdviceProfile, Holdings, advise
from portfolio.tax import rules

DAY = dt.date(2024, 6, 3)
TICKERS = ["AAA", "BBB", "CCC", "DDD"]
PRICES = pd.Series(100.0, index=TICKERS)
# κ = 1: the plain trade-off, whose answers below are worked out by hand (the band's κ: test_band.py).
PROFILE = AdviceProfile(
    max_weight=0.5,
    max_sector_weight=1.0,
    risk_aversion=2.5,
    sectors=dict.fromkeys(TICKERS, "Tech"),
    cost_aversion=1.0,
)
BROKER = costs.ZERO_COMMISSION_BROKER


def _cov(vols=(0.2, 0.2, 0.2, 0.2)) -> pd.DataFrame:
    return pd.DataFrame(np.diag(np.square(vols)), index=TICKERS, columns=TICKERS)


def _holdings(shares: dict[str, float], pmp: dict[str, float], cash: float = 0.0) -> Holdings:
    return Holdings(shares=pd.Series(shares, dtype=float), pmp=pd.Series(pmp, dtype=float), cash=cash)


def _tax(gains: float = 0.0, losses: float = 0.0) -> rules.TaxPosition:
    return rules.tax_position({DAY.year: rules.YearTotals(gains, losses)}, DAY.year, rate=0.30)


def _orders(advice) -> dict[str, tuple[str, int]]:
    return {o.ticker: (o.side, o.quantity) for o in advice.orders}


def test_without_a_gain_to_tax_the_advice_spreads_a_concentrated_pair_to_minimum_variance():
    pair = _holdings({"AAA": 500, "BBB": 500}, {"AAA": 100.0, "BBB": 100.0})
    advice = advise(pair, PRICES, _cov(), _tax(), BROKER, PROFILE, as_of=DAY)
    # Close to 250 shares each way; the costs stop the move a little short of the exact 25 % (the band).
    assert _orders(advice) == {
        "AAA": ("sell", pytest.approx(250, abs=5)),
        "BBB": ("sell", pytest.approx(250, abs=5)),
        "CCC": ("buy", pytest.approx(250, abs=5)),
        "DDD": ("buy", pytest.approx(250, abs=5)),
    }
    assert all(o.quantity <= 250 for o in advice.orders)
    assert advice.volatility_before == pytest.approx(0.2 / np.sqrt(2), rel=1e-6)
    assert advice.volatility_after == pytest.approx(0.10, abs=0.002)
    assert "Volatility 10% instead of 14%" in advice.summary


def test_a_large_unrealised_gain_is_deferred_when_the_tax_outweighs_the_risk_removed():
    # Bought at 20: selling costs 30 % of 80 per 100 sold (0.24 a unit of weight), while moving that
    # weight to the unheld stocks removes at most 2.5 x 0.04 = 0.10 a unit of weight in risk.
    pair = _holdings({"AAA": 500, "BBB": 500}, {"AAA": 20.0, "BBB": 20.0})
    advice = advise(pair, PRICES, _cov(), _tax(), BROKER, PROFILE, as_of=DAY)
    assert advice.orders == []
    assert advice.summary == NOTHING_TO_DO
    assert advice.volatility_after == advice.volatility_before


def test_in_a_tax_free_account_the_same_gain_does_not_hold_the_advice_back():
    pair = _holdings({"AAA": 500, "BBB": 500}, {"AAA": 20.0, "BBB": 20.0})
    tax_free = BROKER.with_changes(capital_gains_rate=0.0)
    advice = advise(pair, PRICES, _cov(), _tax(), tax_free, PROFILE, as_of=DAY)
    assert {o.ticker for o in advice.orders} == set(TICKERS)
    assert all(o.capital_gains_tax == 0.0 for o in advice.orders)


def test_between_a_winner_and_a_loser_the_advice_sells_the_loser_and_states_its_tax_credit():
    # AAA doubled (selling costs 0.15 a unit of weight, more than the 0.10 of risk it removes); BBB is
    # 10 % under water: selling it removes the same risk and gives back tax on this year's 10,000 of gains.
    pair = _holdings({"AAA": 500, "BBB": 500}, {"AAA": 50.0, "BBB": 110.0})
    advice = advise(pair, PRICES, _cov(), _tax(gains=10_000.0), BROKER, PROFILE, as_of=DAY)
    orders = {o.ticker: o for o in advice.orders}
    assert "AAA" not in orders  # the winner's gain is deferred
    loser = orders["BBB"]
    assert loser.side == "sell" and loser.quantity >= 250
    assert loser.realised_gain < 0
    # The loss gives back 30 % of itself against the year's gains.
    assert loser.capital_gains_tax == pytest.approx(0.30 * loser.realised_gain, rel=1e-6)
    assert advice.taxes < 0
    assert advice.volatility_after < advice.volatility_before


def test_a_model_without_measured_reliability_does_not_move_the_advice():
    cash = _holdings({}, {}, cash=100_000.0)
    view = pd.Series({"AAA": 0.05, "BBB": -0.05, "CCC": 0.0, "DDD": 0.0})
    plain = advise(cash, PRICES, _cov(), _tax(), BROKER, PROFILE, as_of=DAY)
    unreliable = advise(cash, PRICES, _cov(), _tax(), BROKER, PROFILE, view, 0.0, as_of=DAY)
    tilted = advise(cash, PRICES, _cov(), _tax(), BROKER, PROFILE, view, 1.0, as_of=DAY)
    assert _orders(unreliable) == _orders(plain)
    assert tilted.target_weights["AAA"] > plain.target_weights["AAA"] > tilted.target_weights["BBB"]


def test_cash_is_invested_at_minimum_variance_within_the_position_cap():
    # Inverse-variance weights would put 70 % in the calmest stock; the 40 % cap binds.
    cash = _holdings({}, {}, cash=100_000.0)
    capped = replace(PROFILE, max_weight=0.4)
    advice = advise(cash, PRICES, _cov((0.1, 0.2, 0.3, 0.4)), _tax(), BROKER, capped, as_of=DAY)
    weights = advice.target_weights
    assert weights["AAA"] == pytest.approx(0.4, abs=0.002)
    assert weights.max() <= 0.4 + 1e-9
    assert weights["BBB"] > weights["CCC"] > weights["DDD"] > 0
    assert weights.sum() <= 1.0  # never spends more than the cash


def test_the_sector_cap_holds_for_the_advice():
    cash = _holdings({}, {}, cash=100_000.0)
    sectors = {"AAA": "Tech", "BBB": "Tech", "CCC": "Energy", "DDD": "Health"}
    profile = replace(PROFILE, max_sector_weight=0.4, sectors=sectors)
    advice = advise(cash, PRICES, _cov(), _tax(), BROKER, profile, as_of=DAY)
    weights = advice.target_weights
    assert weights["AAA"] + weights["BBB"] == pytest.approx(0.4, abs=0.003)  # 0.5 without the cap
    assert weights["CCC"] == pytest.approx(0.3, abs=0.003) and weights["DDD"] == pytest.approx(0.3, abs=0.003)


def test_caps_that_cannot_hold_the_equity_are_a_422_naming_them():
    from swingtrade.errors import Unprocessable

    cash = _holdings({}, {}, cash=100_000.0)
    tight = replace(PROFILE, max_weight=0.2)  # 4 x 20 % < 100 %
    with pytest.raises(Unprocessable, match="position cap 20%"):
        advise(cash, PRICES, _cov(), _tax(), BROKER, tight, as_of=DAY)


def test_a_purchase_of_a_paris_large_cap_states_the_ftt_in_force_on_the_day():
    cash = _holdings({}, {}, cash=100_000.0)
    exchanges = dict.fromkeys(TICKERS, "XPAR")
    french = costs.FRENCH_ONLINE_BROKER
    may_2025 = advise(
        cash, PRICES, _cov(), _tax(), french, PROFILE, as_of=dt.date(2025, 5, 12), exchanges=exchanges
    )
    june_2024 = advise(cash, PRICES, _cov(), _tax(), french, PROFILE, as_of=DAY, exchanges=exchanges)
    for advice, rate in ((may_2025, 0.004), (june_2024, 0.003)):
        for order in advice.orders:
            assert order.transaction_tax == pytest.approx(rate * order.notional)
            assert order.capital_gains_tax == 0.0


def test_holding_a_ticker_the_risk_model_does_not_cover_is_refused_with_its_name():
    from swingtrade.errors import Unprocessable

    odd = _holdings({"ZZZ": 10}, {"ZZZ": 10.0}, cash=1_000.0)
    with pytest.raises(Unprocessable, match="ZZZ"):
        advise(odd, PRICES, _cov(), _tax(), BROKER, PROFILE, as_of=DAY)
