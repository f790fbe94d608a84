"""What one fill does to the books: the pure arithmetic behind trade_record, on hand-made positions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portfolio import costs
from portfolio.ledger import trade_effects

CENT_MILLIONTH = Decimal("0.000001")
FLAT = costs.CostModel(commission_fixed=1.0, capital_gains_rate=0.30)


def _effects(side, shares, price, *, held=0, average_cost=0.0, fees=None, ytd=0.0, model=FLAT):
    return trade_effects(
        cost_model=model,
        side=side,
        shares=shares,
        price=Decimal(price),
        fees=fees,
        held=held,
        average_cost=average_cost,
        cash=Decimal("10000"),
        ytd_realised=ytd,
        ticker="AAA",
        exchange=None,
        money_quantum=CENT_MILLIONTH,
    )


def test_a_buy_pays_price_and_commission_and_averages_the_cost():
    effects = _effects("buy", 10, "100", held=10, average_cost=80.0)
    assert effects.quantity == 20 and effects.average_cost == pytest.approx(90.0)
    assert effects.fees == Decimal("1") and effects.transaction_tax == 0
    assert effects.cash_after == Decimal("10000") - Decimal("1000") - Decimal("1")
    assert effects.realised_pnl == 0 and effects.capital_gains_tax == 0


def test_a_sale_realises_the_gain_and_records_the_tax_without_taking_it_from_cash():
    effects = _effects("sell", 5, "120", held=10, average_cost=100.0)
    assert effects.quantity == 5 and effects.average_cost == pytest.approx(100.0)
    assert effects.realised_pnl == pytest.approx(100.0)
    assert effects.capital_gains_tax == pytest.approx(30.0)  # 30 % flat tax on the year's net gain
    assert effects.cash_after == Decimal("10000") + Decimal("600") - Decimal("1")


def test_a_loss_against_the_years_gains_lowers_the_tax_bill():
    effects = _effects("sell", 10, "90", held=10, average_cost=100.0, ytd=500.0)
    assert effects.quantity == 0 and effects.realised_pnl == pytest.approx(-100.0)
    assert effects.capital_gains_tax == pytest.approx(-30.0)


def test_given_fees_replace_the_commission_and_the_purchase_tax_is_charged_to_cash():
    paris = costs.CostModel(ftt_rate=0.003, ftt_tickers=frozenset({"AAA"}))
    effects = _effects("buy", 10, "100", fees=Decimal("2.5"), model=paris)
    assert effects.fees == Decimal("2.5") and effects.transaction_tax == Decimal("3")
    assert effects.cash_after == Decimal("10000") - Decimal("1000") - Decimal("2.5") - Decimal("3")


def test_covering_a_short_below_its_entry_realises_the_gain():
    effects = _effects("cover", 5, "50", held=-5, average_cost=60.0)
    assert effects.quantity == 0 and effects.realised_pnl == pytest.approx(50.0)


def test_an_unknown_side_is_refused():
    with pytest.raises(ValueError):
        _effects("hold", 1, "10")
