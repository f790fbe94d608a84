"""Pure monitoring metrics on small hand-built frames (no database)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from mlcore import monitoring as m
from mlcore.evaluation.ic import daily_ic


def _panel(n_dates: int = 80, n_tickers: int = 30, seed: int = 0, noise: float = 1.0, sign: float = 1.0):
    """Scores and realised labels where realised = sign * score + noise, MultiIndex (date, ticker)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=n_dates, name="date")
    tickers = [f"T{i:02d}" for i in range(n_tickers)]
    index = pd.MultiIndex.from_product([dates, tickers], names=["date", "ticker"])
    score = pd.Series(rng.normal(size=len(index)), index=index)
    realised = sign * score + noise * pd.Series(rng.normal(size=len(index)), index=index)
    return score, realised


def test_window_metrics_flag_a_broken_relation_but_not_noise():
    score, good = _panel(noise=3.0, seed=2)
    _, broken = _panel(noise=3.0, seed=2, sign=-1.0)
    rules = m.Rules.from_settings()
    healthy = m.window_metrics(daily_ic(score, good), window=60, horizon=5, validation_rank_ic=0.3)
    flipped = m.window_metrics(daily_ic(score, broken), window=60, horizon=5, validation_rank_ic=0.3)
    assert healthy.n_dates == 60 and healthy.rank_ic > 0.2
    assert flipped.rank_ic < -0.2 and flipped.rank_ic_t_vs_validation < -rules.critical_t


def _overlapping_null(seed: int, n_dates: int = 60, n_tickers: int = 20, horizon: int = 5):
    """No skill, but like real data: persistent scores and overlapping 5-day labels."""
    rng = np.random.default_rng(seed)
    shocks = rng.normal(size=(n_dates + horizon + 1, n_tickers))
    labels = np.lib.stride_tricks.sliding_window_view(shocks, horizon, axis=0).sum(-1)[1 : n_dates + 1]
    walk = rng.normal(size=(n_dates + 20, n_tickers)).cumsum(axis=0)
    scores = (walk[20:] - walk[:-20])[:n_dates]
    dates = pd.bdate_range("2021-01-04", periods=n_dates, name="date")
    index = pd.MultiIndex.from_product([dates, [f"T{i}" for i in range(n_tickers)]], names=["date", "ticker"])
    return pd.Series(scores.ravel(), index=index), pd.Series(labels.ravel(), index=index)


def test_noise_on_overlapping_labels_rarely_raises_critical_thanks_to_hac_errors():
    rules = m.Rules.from_settings()
    critical = 0
    t_stats: dict[str, list[float]] = {"hac": [], "naive": []}
    for seed in range(40):
        daily = daily_ic(*_overlapping_null(seed))
        for name, horizon in (("hac", 5), ("naive", 1)):  # horizon 1 = no lag correction
            wm = m.window_metrics(daily, window=60, horizon=horizon, validation_rank_ic=0.0)
            t_stats[name].append(abs(wm.rank_ic_t))
            if name == "hac":
                verdict = m.evaluate(
                    short=None, long=wm, drift=None, freshness=None, coverage_share=1.0, rules=rules
                )
                critical += verdict.state == m.CRITICAL
    assert critical <= 2  # ≤ 5 % false alarms on pure noise
    # Ignoring the overlap would inflate every t-statistic (and the false-alarm rate with it).
    assert np.mean(t_stats["naive"]) > 1.5 * np.mean(t_stats["hac"])


def test_evaluate_is_critical_on_a_flipped_model_and_marks_it_retrainable():
    score, broken = _panel(noise=3.0, seed=4, sign=-1.0)
    daily = daily_ic(score, broken)
    long = m.window_metrics(daily, window=60, horizon=5, validation_rank_ic=0.3)
    short = m.window_metrics(daily, window=20, horizon=5, validation_rank_ic=0.3)
    verdict = m.evaluate(
        short=short, long=long, drift=0.0, freshness=None, coverage_share=1.0, rules=m.Rules.from_settings()
    )
    assert verdict.state == m.CRITICAL
    assert verdict.performance_critical
    assert verdict.reasons[0].code == "rank_ic_below_validation"


def test_a_short_window_alone_never_closes_the_gate():
    score, broken = _panel(n_dates=20, noise=3.0, seed=5, sign=-1.0)
    daily = daily_ic(score, broken)
    short = m.window_metrics(daily, window=20, horizon=5, validation_rank_ic=0.3)
    verdict = m.evaluate(
        short=short, long=None, drift=None, freshness=None, coverage_share=1.0, rules=m.Rules.from_settings()
    )
    assert verdict.state == m.WARN


def test_too_few_matured_dates_are_reported_but_not_judged():
    score, broken = _panel(n_dates=6, noise=0.1, seed=6, sign=-1.0)
    long = m.window_metrics(daily_ic(score, broken), window=60, horizon=5, validation_rank_ic=0.3)
    verdict = m.evaluate(
        short=None, long=long, drift=None, freshness=None, coverage_share=1.0, rules=m.Rules.from_settings()
    )
    assert verdict.state == m.OK
    assert [r.code for r in verdict.reasons] == ["insufficient_history"]


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(7)
    reference = rng.normal(size=20_000)
    assert m.psi(reference, rng.normal(size=5_000)) < 0.01
    assert m.psi(reference, rng.normal(loc=1.0, size=5_000)) > 0.25
    assert np.isnan(m.psi(np.ones(10), rng.normal(size=10)))


def test_drift_share_counts_features_above_the_threshold():
    rng = np.random.default_rng(8)
    reference = pd.DataFrame({c: rng.normal(size=5000) for c in "abc"})
    current = pd.DataFrame(
        {"a": rng.normal(size=1000), "b": rng.normal(loc=2, size=1000), "c": rng.normal(size=1000)}
    )
    values = m.feature_psi(reference, current)
    assert list(values.index) == ["a", "b", "c"]
    assert m.drift_share(values, threshold=0.25) == pytest.approx(1 / 3)
    verdict = m.evaluate(
        short=None, long=None, drift=0.5, freshness=None, coverage_share=1.0, rules=m.Rules.from_settings()
    )
    assert verdict.state == m.WARN and verdict.reasons[0].code == "feature_drift"


def test_freshness_counts_exchange_sessions_not_calendar_days():
    # Thu 2021-04-01 close; Good Friday 2021-04-02 is an NYSE holiday, so on Sunday nothing is missing.
    fresh = m.data_freshness(date(2021, 4, 1), now=datetime(2021, 4, 4, 12, 0))
    assert fresh.sessions_behind == 0 and fresh.expected_session == "2021-04-01"
    # Before Monday's close the Monday session is not expected yet; after it, one session is missing.
    assert m.data_freshness(date(2021, 4, 1), now=datetime(2021, 4, 5, 15, 0)).sessions_behind == 0
    assert m.data_freshness(date(2021, 4, 1), now=datetime(2021, 4, 5, 21, 0)).sessions_behind == 1
    stale = m.data_freshness(date(2021, 4, 1), now=m.as_of_moment(date(2021, 4, 12)))
    assert stale.sessions_behind == 6
    verdict = m.evaluate(
        short=None, long=None, drift=None, freshness=stale, coverage_share=1.0, rules=m.Rules.from_settings()
    )
    assert verdict.state == m.CRITICAL and verdict.reasons[0].code == "stale_data"
    assert not verdict.performance_critical


def test_coverage_thresholds():
    assert m.coverage(["A", "B"], ["A", "B", "C", "D"]) == 0.5
    assert m.coverage([], []) is None
    rules = m.Rules.from_settings()
    partial = m.evaluate(short=None, long=None, drift=None, freshness=None, coverage_share=0.8, rules=rules)
    assert partial.state == m.WARN
    low = m.evaluate(short=None, long=None, drift=None, freshness=None, coverage_share=0.4, rules=rules)
    assert low.state == m.CRITICAL and "40%" in low.summary()


def test_psi_from_stored_quantiles_matches_psi_from_the_raw_reference():
    rng = np.random.default_rng(9)
    reference = rng.normal(size=50_000)
    levels = np.linspace(0.1, 0.9, 9)
    deciles = np.quantile(reference, levels)
    same = rng.normal(size=5_000)
    shifted = rng.normal(loc=1.0, size=5_000)
    assert m.psi_from_quantiles(levels, deciles, same) < 0.01
    assert m.psi_from_quantiles(levels, deciles, shifted) == pytest.approx(
        m.psi(reference, shifted), rel=0.05
    )
