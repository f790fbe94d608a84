"""Dated rates: the FTT and the flat tax in force on each date, from settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from portfolio import costs
from portfolio.tax import rates

BIG = 5e9  # EUR of market capitalisation
SMALL = 4e8


def test_a_2024_purchase_of_a_french_large_cap_pays_0_3_percent():
    due = rates.ftt_due(purchase_notional=10_000, day=dt.date(2024, 6, 3), country="FR", market_cap_eur=BIG)
    assert due == pytest.approx(30.0)


def test_a_may_2025_purchase_pays_0_4_percent_and_the_change_happens_on_april_first():
    assert rates.ftt_rate(dt.date(2025, 3, 31)) == pytest.approx(0.003)
    assert rates.ftt_rate(dt.date(2025, 4, 1)) == pytest.approx(0.004)
    due = rates.ftt_due(purchase_notional=10_000, day=dt.date(2025, 5, 12), country="FR", market_cap_eur=BIG)
    assert due == pytest.approx(40.0)


def test_non_french_shares_and_small_caps_pay_no_ftt():
    day = dt.date(2025, 5, 12)
    assert rates.ftt_due(purchase_notional=10_000, day=day, country="US", market_cap_eur=BIG) == 0.0
    assert rates.ftt_due(purchase_notional=10_000, day=day, country="FR", market_cap_eur=SMALL) == 0.0
    assert rates.ftt_due(purchase_notional=10_000, day=day, country="FR", market_cap_eur=None) == 0.0


def test_before_its_creation_in_august_2012_there_was_no_ftt():
    assert rates.ftt_rate(dt.date(2012, 7, 31)) == 0.0
    assert rates.ftt_rate(dt.date(2016, 12, 30)) == pytest.approx(0.002)


def test_the_flat_tax_is_12_8_percent_income_tax_plus_17_2_percent_social_levies():
    pfu = rates.pfu(dt.date(2024, 6, 3))
    assert (pfu.income_tax, pfu.social_levies) == (pytest.approx(0.128), pytest.approx(0.172))
    assert pfu.total == pytest.approx(0.30)


def test_rates_follow_the_settings_table(settings):
    settings.TAX_FTT_RATES = [("2000-01-01", 0.001), ("2030-01-01", 0.01)]
    assert rates.ftt_rate(dt.date(2029, 12, 31)) == pytest.approx(0.001)
    assert rates.ftt_rate(dt.date(2030, 1, 1)) == pytest.approx(0.01)


def test_a_table_out_of_order_or_starting_too_late_is_a_configuration_error(settings):
    settings.TAX_FTT_RATES = [("2020-01-01", 0.003), ("2010-01-01", 0.002)]
    with pytest.raises(ImproperlyConfigured, match="date order"):
        rates.ftt_rate(dt.date(2024, 1, 1))
    settings.TAX_FTT_RATES = [("2020-01-01", 0.003)]
    with pytest.raises(ImproperlyConfigured, match="no rate in force"):
        rates.ftt_rate(dt.date(2019, 1, 1))


def test_the_cost_module_charges_the_rate_in_force_on_the_trade_date():
    model = costs.FRENCH_ONLINE_BROKER
    before = costs.transaction_tax(
        model, costs.BUY, 10_000, ticker="MC.PA", exchange="XPAR", on=dt.date(2024, 6, 3)
    )
    after = costs.transaction_tax(
        model, costs.BUY, 10_000, ticker="MC.PA", exchange="XPAR", on=dt.date(2025, 5, 12)
    )
    assert (before, after) == (pytest.approx(30.0), pytest.approx(40.0))
    sale = costs.transaction_tax(
        model, costs.SELL, 10_000, ticker="MC.PA", exchange="XPAR", on=dt.date(2025, 5, 12)
    )
    assert sale == 0.0
    assert costs.transaction_tax(model, costs.BUY, 10_000, ticker="AAPL", exchange="XNAS", on=None) == 0.0


def test_a_tax_free_profile_stays_tax_free_whatever_the_date():
    model = costs.FRENCH_ONLINE_BROKER.with_changes(capital_gains_rate=0.0, ftt_rate=0.0)
    assert costs.capital_gains_rate_on(model, dt.date(2024, 1, 2)) == 0.0
    assert costs.ftt_rate_on(model, dt.date(2025, 5, 12)) == 0.0
