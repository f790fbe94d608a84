"""IC statistics (mlcore/evaluation/ic.py) on small hand-built frames (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlcore.evaluation import ic


def _panel(n_dates: int = 80, n_tickers: int = 30, seed: int = 0, noise: float = 1.0, sign: float = 1.0):
    """Scores and realised labels where realised = sign * score + noise, MultiIndex (date, ticker)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=n_dates, name="date")
    tickers = [f"T{i:02d}" for i in range(n_tickers)]
    index = pd.MultiIndex.from_product([dates, tickers], names=["date", "ticker"])
    score = pd.Series(rng.normal(size=len(index)), index=index)
    realised = sign * score + noise * pd.Series(rng.normal(size=len(index)), index=index)
    return score, realised


def test_daily_ic_measures_a_perfect_and_an_inverted_signal():
    score, _ = _panel(n_dates=5)
    perfect = ic.daily_ic(score, score * 2 + 1)
    inverted = ic.daily_ic(score, -score)
    assert np.allclose(perfect["ic"], 1.0) and np.allclose(perfect["rank_ic"], 1.0)
    assert np.allclose(perfect["hit_rate"], 1.0)
    assert np.allclose(inverted["rank_ic"], -1.0)
    assert np.allclose(inverted["hit_rate"], 0.0)


def test_rank_ic_is_spearman_with_ties_sharing_their_average_rank():
    index = pd.MultiIndex.from_product(
        [pd.bdate_range("2021-01-04", periods=1, name="date"), list("ABCDEF")], names=["date", "ticker"]
    )
    score = pd.Series([1.0, 1.0, 2.0, 3.0, 3.0, 3.0], index=index)
    realised = pd.Series([0.1, -0.2, 0.05, 0.3, -0.1, 0.0], index=index)
    daily = ic.daily_ic(score, realised)
    assert daily["rank_ic"].iloc[0] == pytest.approx(stats.spearmanr(score, realised).statistic)
    assert daily["ic"].iloc[0] == pytest.approx(stats.pearsonr(score, realised).statistic)


def test_daily_ic_skips_unmatured_labels_and_dates_below_the_minimum_cross_section():
    score, realised = _panel(n_dates=6, n_tickers=10)
    last = score.index.get_level_values(0).max()
    realised[realised.index.get_level_values(0) == last] = np.nan  # not matured yet
    daily = ic.daily_ic(score, realised)
    assert last not in daily.index
    assert len(daily) == 5
    thin = ic.daily_ic(score.iloc[: ic.MIN_CROSS_SECTION - 1], realised.iloc[: ic.MIN_CROSS_SECTION - 1])
    assert thin.empty


def test_newey_west_equals_the_plain_standard_error_without_lags():
    x = np.array([0.1, -0.2, 0.05, 0.3, -0.1, 0.0])
    assert ic.newey_west_se(x, lags=0) == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)))


def test_newey_west_widens_the_error_of_overlapping_series():
    rng = np.random.default_rng(1)
    shocks = rng.normal(size=600)
    overlapping = np.convolve(shocks, np.ones(5), mode="valid")  # like 5-day overlapping labels
    naive = ic.newey_west_se(overlapping, lags=0)
    hac = ic.newey_west_se(overlapping, lags=4)
    assert hac > 1.8 * naive


def test_hac_mean_uses_horizon_minus_one_lags():
    rng = np.random.default_rng(3)
    values = np.convolve(rng.normal(size=300), np.ones(5), mode="valid") * 0.01 + 0.002
    summary = ic.hac_mean(values, horizon=5)
    assert summary["se"] == pytest.approx(ic.newey_west_se(values, lags=4))
    assert summary["t_stat"] == pytest.approx(summary["mean"] / summary["se"])
    assert ic.hac_mean(values[:1], horizon=5)["n"] == 0


def test_paired_difference_compares_only_the_dates_both_models_have():
    dates = pd.bdate_range("2021-01-04", periods=60, name="date")
    rng = np.random.default_rng(4)
    market = pd.Series(rng.normal(0, 0.1, 60), index=dates)  # shared day-to-day variation
    champion = market
    challenger = market + 0.02 + pd.Series(rng.normal(0, 0.005, 60), index=dates)
    paired = ic.paired_difference(challenger, champion.iloc[10:], horizon=5)
    assert paired["n"] == 50 and paired["start"] == dates[10].date().isoformat()
    assert paired["mean"] == pytest.approx(0.02, abs=0.003)
    # Pairing removes the common variation: the difference is significant although each series is noisy.
    assert paired["t_stat"] > 5
    assert ic.hac_mean(challenger.to_numpy(), horizon=5)["t_stat"] < 2
