"""The replay's statistics agree with empyrical's on the same return series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.replay import statistics as st

# Not in the lock (its metadata caps peewee below yfinance's pin): see requirements/dev.in.
empyrical = pytest.importorskip("empyrical", reason="empyrical-reloaded is installed beside the lock")


@pytest.fixture
def returns() -> pd.Series:
    rng = np.random.default_rng(7)
    index = pd.bdate_range("2017-01-02", periods=800)
    return pd.Series(rng.normal(0.0004, 0.011, len(index)), index=index)


def test_the_statistics_match_empyrical(returns):
    assert st.cagr(returns) == pytest.approx(empyrical.annual_return(returns), rel=1e-9)
    assert st.annual_volatility(returns) == pytest.approx(empyrical.annual_volatility(returns), rel=1e-9)
    assert st.sharpe(returns) == pytest.approx(empyrical.sharpe_ratio(returns), rel=1e-9)
    assert st.sortino(returns) == pytest.approx(empyrical.sortino_ratio(returns), rel=1e-9)
    assert st.max_drawdown(returns) == pytest.approx(empyrical.max_drawdown(returns), rel=1e-9)
    assert st.calmar(returns) == pytest.approx(empyrical.calmar_ratio(returns), rel=1e-9)


def test_yearly_returns_match_empyrical(returns):
    expected = empyrical.aggregate_returns(returns, "yearly")
    assert st.by_year(returns) == pytest.approx({int(y): v for y, v in expected.items()}, rel=1e-9)


def test_drawdown_duration_counts_sessions_below_the_peak():
    returns = pd.Series(
        [0.10, -0.05, -0.05, 0.02, 0.20, -0.01], index=pd.bdate_range("2020-01-01", periods=6)
    )
    # Below the first peak for three sessions (recovered by the +20 %), then one more at the end.
    assert st.max_drawdown_duration(returns) == 3


def test_a_strategy_identical_to_the_benchmark_has_no_sharpe_difference(returns):
    result = st.sharpe_difference(returns, returns)
    assert result["difference"] == 0
    assert result["low"] == result["high"] == 0


def test_a_clearly_better_strategy_has_an_interval_above_zero(returns):
    better = returns + 0.002
    result = st.sharpe_difference(better, returns)
    assert result["low"] > 0
    assert result["p_value"] < 0.01


def test_hit_rate_of_closed_trades():
    assert st.hit_rate([10.0, -5.0, 3.0, 0.0]) == 0.5
    assert st.hit_rate([]) is None
