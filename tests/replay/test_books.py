"""The replayed account books fills on average cost with the product's costs, and the PFU once a year."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio import costs
from portfolio.replay.books import Book, year_end_tax

MODEL = costs.FRENCH_ONLINE_BROKER
ZERO_FEES = costs.CostModel(name="no fees", half_spread_vol_fraction=0.0, half_spread_floor=0.0)
DAY = dt.date(2020, 3, 2)


def test_a_loss_is_carried_forward_and_offsets_next_years_gains():
    first = year_end_tax(MODEL, year=2020, net_by_year={2020: -1000.0}, dividends=0.0)
    assert first.total == 0 and first.carried_forward == {2020: 1000.0}
    second = year_end_tax(MODEL, year=2021, net_by_year={2020: -1000.0, 2021: 1500.0}, dividends=0.0)
    assert second.gains_tax == pytest.approx(0.30 * 500.0)
    assert second.carried_forward == {}


def test_losses_never_offset_dividends_and_expire_after_ten_years():
    bill = year_end_tax(MODEL, year=2021, net_by_year={2015: -1000.0}, dividends=200.0)
    assert bill.dividend_tax == pytest.approx(60.0)
    assert bill.carried_forward == {2015: 1000.0}
    late = year_end_tax(MODEL, year=2026, net_by_year={2015: -1000.0, 2026: 500.0}, dividends=0.0)
    assert late.gains_tax == pytest.approx(150.0)  # the 2015 loss expired after 2025
    assert late.carried_forward == {}


def test_fills_keep_the_average_cost_and_realise_against_it_net_of_fees():
    book = Book(cash=10_000.0, model=ZERO_FEES)
    book.fill(
        day=DAY, ticker="KO", side="buy", quantity=10, price=100.0, sigma_daily=0.01, crosses_spread=True
    )
    book.fill(
        day=DAY, ticker="KO", side="buy", quantity=10, price=110.0, sigma_daily=0.01, crosses_spread=True
    )
    assert book.lots["KO"].average_cost == pytest.approx(105.0)
    book.fill(
        day=DAY, ticker="KO", side="sell", quantity=5, price=120.0, sigma_daily=0.01, crosses_spread=True
    )
    assert book.realised_by_year[2020] == pytest.approx(75.0)
    assert book.cash == pytest.approx(10_000 - 2100 + 600)


def test_commissions_come_from_the_cost_profile_and_reduce_the_realised_gain():
    book = Book(cash=10_000.0, model=MODEL)
    paid = book.fill(
        day=DAY, ticker="KO", side="buy", quantity=10, price=50.0, sigma_daily=0.0, crosses_spread=False
    )
    assert paid.commission == pytest.approx(1.99)  # the broker's minimum
    assert paid.spread == 0.0  # a resting limit order does not cross the spread
    assert book.realised_by_year[2020] == pytest.approx(-1.99)


def test_a_split_multiplies_shares_and_pays_the_fraction_in_cash():
    book = Book(cash=0.0, model=ZERO_FEES)
    book.fill(
        day=DAY, ticker="RTX", side="buy", quantity=10, price=100.0, sigma_daily=0.0, crosses_spread=False
    )
    book.year = 2020
    book.split("RTX", 1.589, price=60.0)
    assert book.quantity("RTX") == 15
    assert book.lots["RTX"].average_cost == pytest.approx(100.0 / 1.589)
    assert book.cash == pytest.approx(-1000.0 + 0.89 * 60.0)


def test_dividends_are_credited_and_taxed_at_the_year_end():
    book = Book(cash=0.0, model=ZERO_FEES)
    book.fill(
        day=DAY, ticker="KO", side="buy", quantity=100, price=50.0, sigma_daily=0.0, crosses_spread=False
    )
    book.dividend(DAY, "KO", 0.41)
    assert book.cash == pytest.approx(-5000.0 + 41.0)
    bill = book.pay_year_end_tax(2020)
    assert bill.total == pytest.approx(0.30 * 41.0)
    assert book.totals.tax == pytest.approx(12.3)
