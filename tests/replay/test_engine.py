"""The replay engine on real bars: causal, clock-pinned, and booking what the strategies' orders did."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from market import clock
from portfolio.replay import strategies
from portfolio.replay.data import MarketData
from portfolio.replay.engine import ReplayConfig, run_replay
from tests.replay.conftest import sample_frame

CONFIG = ReplayConfig(start=dt.date(2018, 1, 2), end=dt.date(2018, 12, 31), retrain="never")
CUT = pd.Timestamp("2018-09-28")


def _perturbed_after(frame: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    """Every bar after ``cut`` changed: prices scaled at random, dividends and splits invented."""
    out = frame.copy()
    later = pd.to_datetime(out["date"]) > cut
    rng = np.random.default_rng(1)
    factor = rng.uniform(0.5, 1.5, later.sum())
    for column in ("open", "high", "low", "close", "adj_close"):
        out.loc[later, column] = out.loc[later, column] * factor
    out.loc[later, "volume"] = out.loc[later, "volume"] * 3
    out.loc[later, "dividend"] = 1.0
    out.loc[later, "split_factor"] = 2.0
    return out


@pytest.mark.parametrize("name", ["equal_weight_monthly", "min_variance"])
def test_changing_every_bar_after_t_changes_nothing_up_to_t(small_frame, name):
    original = MarketData.from_frame(small_frame, source="a")
    perturbed = MarketData.from_frame(_perturbed_after(small_frame, CUT), source="b")
    config = ReplayConfig(start=CONFIG.start, end=CUT.date(), retrain="never")
    a, b = run_replay(original, config, name), run_replay(perturbed, config, name)
    pd.testing.assert_frame_equal(a.equity, b.equity)
    assert a.counts == b.counts
    assert a.book.lots == b.book.lots


def test_the_model_strategy_is_causal_too(settings):
    settings.MLCORE_TEST_DAYS = 63
    settings.MLCORE_MIN_TRAIN_DAYS = 126
    frame = sample_frame("2016-01-01", "2018-12-31")
    cut = pd.Timestamp("2018-06-29")
    config = ReplayConfig(start=dt.date(2018, 1, 2), end=cut.date(), retrain="monthly")
    a = run_replay(MarketData.from_frame(frame, source="a"), config, "swingtrade")
    b = run_replay(MarketData.from_frame(_perturbed_after(frame, cut), source="b"), config, "swingtrade")
    pd.testing.assert_frame_equal(a.equity, b.equity)
    assert [m["fingerprint"] for m in a.models] == [m["fingerprint"] for m in b.models]
    assert a.models, "the replay trained its own models"


def test_every_decision_sees_the_clock_pinned_to_its_day_and_no_later_bar(small_data, monkeypatch):
    seen = []

    def spy(decision):
        seen.append((decision.day.date(), clock.today(), clock.mode(), decision.data.sessions.max()))
        return None

    monkeypatch.setitem(strategies.STRATEGIES, "spy", strategies.Strategy("spy", "Spy", spy))
    run_replay(small_data, CONFIG, "spy")
    assert len(seen) == 50  # sessions 0, 5, …, 245 of the 251 of 2018 (none after the last close)
    assert all(day == today and mode == "replay" and last.date() == day for day, today, mode, last in seen)


def test_cash_stays_cash(small_data):
    result = run_replay(small_data, CONFIG, "cash")
    assert (result.equity["after_tax"] == CONFIG.initial_cash).all()
    assert result.counts.placed == 0


def test_buy_and_hold_buys_once_at_the_next_sessions_prices_and_is_marked_at_the_close(small_data):
    result = run_replay(small_data, CONFIG, "equal_weight_buy_hold")
    assert result.counts.placed == 6 and result.counts.filled == 6
    held = {t: lot.quantity for t, lot in result.book.lots.items()}
    last = small_data.raw["close"].loc["2018-12-31"]
    value = sum(q * last[t] for t, q in held.items())
    assert result.equity["after_tax"].iloc[-1] == pytest.approx(result.book.cash + value)
    # Dividends of six large caps over a year were credited and taxed at the year's end.
    assert result.book.totals.dividends > 0
    assert result.taxes[2018] == pytest.approx(0.30 * result.book.totals.dividends, rel=1e-6)


def test_a_holding_whose_bars_end_early_is_marked_at_its_last_close(small_frame):
    # KO's data stops on 2018-12-21 (as some tickers of the 504-ticker file stop days before its end).
    frame = small_frame[~((small_frame["ticker"] == "KO") & (small_frame["date"] > "2018-12-21"))]
    data = MarketData.from_frame(frame.reset_index(drop=True), source="ko-ends-early")
    result = run_replay(data, CONFIG, "equal_weight_buy_hold")
    assert result.equity["after_tax"].notna().all()
    held = {t: lot.quantity for t, lot in result.book.lots.items()}
    last = data.raw["close"].loc["2018-12-31"].copy()
    last["KO"] = data.raw["close"].loc["2018-12-21", "KO"]
    value = sum(q * last[t] for t, q in held.items())
    assert held["KO"] > 0
    assert result.equity["after_tax"].iloc[-1] == pytest.approx(result.book.cash + value)


def test_monthly_one_over_n_rebalances_once_a_month(small_data):
    result = run_replay(small_data, CONFIG, "equal_weight_monthly")
    assert result.book.totals.traded_notional > 0
    assert 6 <= result.counts.placed <= 6 * 12  # at most one order per ticker and month
    counts = result.counts
    assert counts.filled + counts.expired + counts.cancelled + counts.open == counts.placed
    assert result.equity["before_tax"].iloc[-1] >= result.equity["after_tax"].iloc[-1]


def test_a_bad_period_is_refused():
    with pytest.raises(ValueError, match="after its start"):
        ReplayConfig(start=dt.date(2018, 1, 2), end=dt.date(2018, 1, 1))


def test_the_invested_fraction_is_recorded_at_each_rebalance_after_the_first(small_data):
    result = run_replay(small_data, CONFIG, "equal_weight_monthly")
    days = list(result.invested_at_decisions)
    assert len(days) == 11  # one rebalance a month, the first (from cash) left out
    assert days[0].startswith("2018-02")
    cash = result.equity["cash"]
    for day, fraction in result.invested_at_decisions.items():
        equity = result.equity["after_tax"].loc[day]
        assert fraction == pytest.approx(1.0 - cash.loc[day] / equity)
        assert 0.9 < fraction <= 1.0  # 1/N on six names at 100,000: nearly all in shares
    assert sum(result.book.traded_by_year.values()) == pytest.approx(result.book.totals.traded_notional)


def test_the_cost_aversion_reaches_the_default_advice_and_below_one_is_refused(small_data, monkeypatch):
    from portfolio.advice import core

    seen = []

    def advise(*args, **kwargs):
        seen.append(args[5].cost_aversion)  # the risk profile
        raise core.Unprocessable("stop here")

    monkeypatch.setattr(core, "advise", advise)
    config = ReplayConfig(start=dt.date(2018, 1, 2), end=dt.date(2018, 1, 31), retrain="never")
    run_replay(small_data, config, "swingtrade")
    run_replay(small_data, dataclasses.replace(config, cost_aversion=3.0), "swingtrade")
    assert seen and set(seen) == {core.COST_AVERSION, 3.0}
    with pytest.raises(ValueError, match="at least 1"):
        dataclasses.replace(config, cost_aversion=0.5)
