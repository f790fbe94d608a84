"""The pure French rules: PMP, the year's netting, loss carry-forward by origin and its expiry."""

from __future__ import annotations

import pytest

from portfolio.tax import rules

PFU = 0.30


def test_pmp_averages_every_purchase_fees_included_and_a_sale_keeps_it():
    line = rules.buy(rules.Line(), quantity=10, price=100.0, fees=10.0)  # 101 a share
    line = rules.buy(line, quantity=30, price=120.0, fees=0.0)  # (1010 + 3600) / 40
    assert line.pmp == pytest.approx(115.25)
    line, gain = rules.sell(line, quantity=20, price=130.0, fees=5.0)
    assert gain == pytest.approx(20 * (130.0 - 115.25) - 5.0)
    assert line == rules.Line(20, pytest.approx(115.25))


def test_selling_below_pmp_realises_a_loss_and_selling_everything_empties_the_line():
    line = rules.buy(rules.Line(), quantity=5, price=50.0)
    line, gain = rules.sell(line, quantity=5, price=40.0)
    assert gain == pytest.approx(-50.0)
    assert line == rules.Line()


def test_a_sale_larger_than_the_line_is_refused():
    with pytest.raises(ValueError, match="cannot sell"):
        rules.sell(rules.Line(3, 10.0), quantity=4, price=10.0)


def test_gains_and_losses_of_one_year_are_netted_before_the_flat_tax():
    totals = {2024: rules.YearTotals(gains=1_000.0, losses=400.0)}
    position = rules.tax_position(totals, 2024, rate=PFU)
    assert position.taxable == pytest.approx(600.0)
    assert position.tax == pytest.approx(180.0)


def test_a_net_loss_is_carried_forward_with_its_year_and_offsets_later_gains_oldest_first():
    totals = {
        2019: rules.YearTotals(losses=300.0),
        2020: rules.YearTotals(gains=100.0, losses=600.0),  # net -500
        2022: rules.YearTotals(gains=700.0),
    }
    position = rules.tax_position(totals, 2022, rate=PFU)
    assert position.carried_in == {2019: 300.0, 2020: 500.0}
    assert position.used == {2019: 300.0, 2020: 400.0}  # oldest first
    assert position.taxable == 0.0 and position.tax == 0.0
    assert position.carried_out == {2020: pytest.approx(100.0)}


def test_a_carried_loss_expires_after_ten_years():
    totals = {2010: rules.YearTotals(losses=1_000.0), 2021: rules.YearTotals(gains=1_000.0)}
    in_year_ten = rules.tax_position({**totals, 2020: rules.YearTotals(gains=200.0)}, 2020, rate=PFU)
    assert in_year_ten.carried_in == {2010: 1_000.0}  # 2020 is the last year 2010's loss may be used
    assert in_year_ten.expiring == {2010: pytest.approx(800.0)}
    assert 2010 not in in_year_ten.carried_out
    eleventh = rules.tax_position(totals, 2021, rate=PFU)
    assert eleventh.carried_in == {}
    assert eleventh.tax == pytest.approx(300.0)


def test_a_gain_costs_the_flat_tax_only_beyond_the_years_losses_and_carried_losses():
    position = rules.tax_position(
        {2023: rules.YearTotals(losses=200.0), 2024: rules.YearTotals(losses=100.0)}, 2024, rate=PFU
    )
    assert rules.sale_tax(position, 250.0) == 0.0  # absorbed by 100 of the year and 200 carried
    assert rules.sale_tax(position, 1_300.0) == pytest.approx(0.30 * 1_000.0)


def test_a_loss_gives_back_tax_on_the_years_gains_but_not_below_zero():
    position = rules.tax_position({2024: rules.YearTotals(gains=500.0)}, 2024, rate=PFU)
    assert rules.sale_tax(position, -200.0) == pytest.approx(-60.0)
    assert rules.sale_tax(position, -900.0) == pytest.approx(-150.0)  # the rest is carried, not refunded
    empty = rules.tax_position({}, 2024, rate=PFU)
    assert rules.sale_tax(empty, -100.0) == 0.0


def test_the_books_and_the_tax_rules_share_one_pmp():
    from portfolio.ledger import Fill, LotState, apply_fill

    fills = [(10, 100.0), (30, 120.0), (-20, 130.0), (5, 90.0), (-25, 80.0)]
    state, line = LotState(), rules.Line()
    for quantity, price in fills:
        state, books_gain = apply_fill(state, Fill(quantity, price))
        if quantity > 0:
            line, tax_gain = rules.buy(line, quantity=quantity, price=price), 0.0
        else:
            line, tax_gain = rules.sell(line, quantity=-quantity, price=price)
        assert (state.quantity, state.average_cost) == pytest.approx((line.quantity, line.pmp))
        assert books_gain == pytest.approx(tax_gain)
