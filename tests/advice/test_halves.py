"""The replay split into halves (portfolio.replay.halves) on hand-made equity curves."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from portfolio.replay import halves

DATES = pd.bdate_range("2017-01-02", "2018-12-31")
PERIODS = (
    ("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
    ("2018", dt.date(2018, 1, 1), dt.date(2018, 12, 31)),
)


def _part(strategy: str, returns: np.ndarray, *, taxes=None, traded=None) -> dict:
    curve = 100_000.0 * np.cumprod(np.concatenate([[1.0], 1.0 + returns]))[: len(DATES)]
    return {
        "strategy": strategy,
        "offset": 0,
        "dates": [d.date().isoformat() for d in DATES],
        "after_tax": curve.tolist(),
        "taxes": taxes or {},
        "traded_by_year": traded,
    }


def _returns(seed: int, scale: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0004, scale, len(DATES) - 1)


def test_each_half_is_measured_on_its_own_sessions_and_compared_with_1n_at_the_same_offset():
    bench = _part(halves.BENCHMARK, _returns(1, 0.01), taxes={"2017": 1_000.0, "2018": 3_000.0})
    calm = _part(
        "swingtrade",
        _returns(1, 0.01) * 0.5,
        taxes={"2017": 200.0, "2018": 0.0},
        traded={"2017": 50_000.0, "2018": 150_000.0},
    )
    rows = {(r.period, r.strategy): r for r in halves.split([bench, calm], PERIODS)}
    first, second = rows[("2017", "swingtrade")], rows[("2018", "swingtrade")]
    # Half the returns: half the volatility and a smaller drawdown than 1/N.
    assert first.volatility_relative == pytest.approx(-0.5, abs=1e-9)
    assert first.drawdown_relative < 0
    sessions_2017 = int((DATES.year == 2017).sum()) - 1  # the first close starts the curve
    assert first.tax_per_year == pytest.approx(200.0 / (sessions_2017 / 252))
    assert second.tax_per_year == pytest.approx(0.0)
    equity = pd.Series(calm["after_tax"], index=DATES)
    years_2018 = int((DATES.year == 2018).sum()) / 252
    assert second.turnover_per_year == pytest.approx(150_000.0 / equity.loc["2018"].mean() / years_2018)
    assert rows[("2018", halves.BENCHMARK)].sharpe_gap is None  # the benchmark is not compared with itself


def test_identical_curves_have_no_wealth_difference_and_an_interval_around_zero():
    same = _returns(3, 0.01)
    rows = halves.split([_part(halves.BENCHMARK, same), _part("min_variance", same)], PERIODS)
    for row in (r for r in rows if r.strategy == "min_variance"):
        assert row.wealth_difference == pytest.approx(0.0)
        assert row.wealth_low == pytest.approx(0.0) and row.wealth_high == pytest.approx(0.0)
        assert row.sharpe_gap == pytest.approx(0.0)


def test_a_better_curve_has_a_positive_wealth_difference_whose_interval_holds_it():
    bench = _returns(4, 0.01)
    rows = halves.split([_part(halves.BENCHMARK, bench), _part("swingtrade", bench + 0.001)], PERIODS)
    row = next(r for r in rows if r.strategy == "swingtrade")
    assert row.wealth_difference > 0
    assert row.wealth_low <= row.wealth_difference <= row.wealth_high


def test_without_traded_notional_turnover_is_unknown_not_zero_and_the_table_says_so():
    rows = halves.split([_part(halves.BENCHMARK, _returns(5, 0.01))], PERIODS)
    assert rows[0].turnover_per_year is None
    assert "n/a" in halves.table(rows)


def test_a_period_without_sessions_is_an_error():
    with pytest.raises(ValueError, match="no sessions"):
        halves.split(
            [_part(halves.BENCHMARK, _returns(6, 0.01))],
            (("2030", dt.date(2030, 1, 1), dt.date(2030, 12, 31)),),
        )


def test_sessions_the_books_could_not_mark_are_left_out_not_counted_as_losses():
    part = _part(halves.BENCHMARK, _returns(7, 0.01))
    part["after_tax"][-3:] = [None, None, None]  # a held ticker without a bar: no mark
    row = halves.split([part], PERIODS)[-1]
    assert np.isfinite(row.volatility) and np.isfinite(row.terminal_wealth)
    last_2017 = int((DATES.year == 2017).sum()) - 1  # the 2018 half starts from the last 2017 close
    assert row.terminal_wealth == pytest.approx(part["after_tax"][-4] / part["after_tax"][last_2017])


def _verdicts(rows) -> dict[str, tuple[str, str]]:
    """figure (without the strategy's name) → (value, met) of the one period in ``rows``."""
    return {
        figure.split(": ", 1)[1]: (value, met) for figure, value, _t, _p, met in halves.against_targets(rows)
    }


def test_half_the_risk_and_no_trading_meets_the_risk_tax_and_turnover_targets():
    bench = _part(halves.BENCHMARK, _returns(8, 0.01), taxes={"2017": 900.0}, traded={"2017": 80_000.0})
    calm = _part("swingtrade", _returns(8, 0.01) * 0.5, taxes={"2017": 100.0}, traded={"2017": 10_000.0})
    verdicts = _verdicts(halves.split([bench, calm], PERIODS[:1]))
    assert verdicts["volatility vs 1/N"][0].startswith("-50.0%")
    assert verdicts["volatility vs 1/N"][1] == "met"
    assert verdicts["tax per year"][1] == "met"
    assert verdicts["turnover per year"][1] == "met"
    assert verdicts["Δ after-tax terminal wealth of 1 vs 1/N [95 % CI, median offset]"][1] == "—"


def test_the_same_curve_misses_the_risk_targets_and_a_higher_tax_misses_the_tax_target():
    same = _returns(9, 0.01)
    bench = _part(halves.BENCHMARK, same, taxes={"2017": 100.0})
    twin = _part("min_variance", same, taxes={"2017": 200.0})
    verdicts = _verdicts(halves.split([bench, twin], PERIODS[:1]))
    assert verdicts["volatility vs 1/N"][1] == "missed"
    assert verdicts["max drawdown vs 1/N"][1] == "missed"
    assert verdicts["after-tax Sharpe gap to 1/N (median; worst)"][1] == "met"  # equal Sharpe: gap 0
    assert verdicts["tax per year"][1] == "missed"
    assert verdicts["turnover per year"][1] == "n/a"  # no traded notional saved: unknown, not met


def test_the_periods_are_the_halves_clipped_to_the_run_and_the_whole_run():
    labels = [label for label, _a, _b in halves.periods_of([_part(halves.BENCHMARK, _returns(10, 0.01))])]
    assert labels == [
        "2017-01-02…2017-12-31 (in sample)",
        "2018-01-01…2018-12-31 (out of sample)",
        "2017-01-02…2018-12-31 (whole run)",
    ]
