from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.orders import calibration as fe

SAMPLE = Path(__file__).resolve().parents[2] / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"


def _random_walk_ohlc(n_days=600, n_tickers=4, sigma=0.015, seed=0):
    """Bars from a simulated intraday path: gap at the open, then 20 intraday steps."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2015-01-01", periods=n_days)
    frames = {k: {} for k in ("open", "high", "low", "close")}
    for t in range(n_tickers):
        price = 100.0
        rows = []
        for _ in range(n_days):
            open_ = price * np.exp(rng.normal(0, sigma * np.sqrt(0.2)))
            path = open_ * np.exp(np.cumsum(rng.normal(0, sigma * np.sqrt(0.8 / 20), 20)))
            path = np.concatenate([[open_], path])
            rows.append((open_, path.max(), path.min(), path[-1]))
            price = path[-1]
        arr = np.array(rows)
        for i, key in enumerate(frames):
            frames[key][f"T{t}"] = arr[:, i]
    return {k: pd.DataFrame(v, index=index) for k, v in frames.items()}


def test_calibration_table_counts_and_rates():
    table = fe.calibration_table(np.array([0.05, 0.05, 0.95, 0.95]), np.array([0, 1, 1, 1]))
    assert table["orders"].sum() == 4
    assert table.loc[0, "realised_rate"] == pytest.approx(0.5)
    assert table.loc[9, "realised_rate"] == pytest.approx(1.0)
    assert fe.expected_calibration_error(np.array([0.05, 0.95]), np.array([0, 1])) == pytest.approx(0.05)
    assert fe.brier_score(np.array([1.0, 0.0]), np.array([1, 1])) == pytest.approx(0.5)


def test_replay_is_calibrated_on_data_from_its_own_model():
    prices = _random_walk_ohlc()
    result = fe.replay_limit_orders(prices, validity_days=5)
    scores = fe.summary(result)
    assert scores["model"]["ece"] < 0.04
    assert scores["model"]["brier"] < scores["naive"]["brier"]


def test_replay_does_not_look_ahead_when_every_bar_after_the_cut_changes():
    prices = _random_walk_ohlc(n_days=200, n_tickers=2)
    validity = 3
    cut = prices["close"].index[120]
    rng = np.random.default_rng(1)
    # Every bar after the cut rescaled by its own random factor (open, high, low, close together).
    close = prices["close"]
    noise = np.exp(rng.normal(0, 0.05, close.shape))
    after_cut = (close.index > cut)[:, None]
    factor = pd.DataFrame(np.where(after_cut, noise, 1.0), index=close.index, columns=close.columns)
    changed = {k: v * factor for k, v in prices.items()}
    first = fe.replay_limit_orders(prices, validity_days=validity)
    second = fe.replay_limit_orders(changed, validity_days=validity)
    assert np.array_equal(first.placed_on, second.placed_on)
    known = first.placed_on <= np.datetime64(cut)
    judged = first.placed_on <= np.datetime64(prices["close"].index[120 - validity])
    assert known.sum() > 1000 and judged.sum() > 1000
    assert np.array_equal(first.predicted[known], second.predicted[known])  # predictions: bars ≤ t only
    assert np.array_equal(first.filled[judged], second.filled[judged])  # outcomes: bars ≤ t + T only
    assert not np.array_equal(first.predicted[~known], second.predicted[~known])  # the change is real


def test_fill_probabilities_are_calibrated_on_real_shipped_prices():
    """Twelve tickers of the shipped sample, 2019-2021 (COVID crash included), five-session orders."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    prices = fe.read_ohlc_csv(SAMPLE)
    tickers = sorted(prices["close"].columns)[:12]
    result = fe.replay_limit_orders(
        {k: v.loc["2019-01-01":, tickers] for k, v in prices.items()}, validity_days=5
    )
    realised, predicted = result.filled.astype(int), result.predicted.astype(float)
    scores = fe.summary(result)
    assert len(predicted) > 50_000
    assert scores["model"]["ece"] < 0.03  # measured 0.014 on this slice
    brier = brier_score_loss(realised, predicted)
    assert brier == pytest.approx(scores["model"]["brier"])
    assert brier < 0.6 * brier_score_loss(realised, result.naive.astype(float))  # measured 0.53 x naive
    rate, mean_predicted = calibration_curve(realised, predicted, n_bins=10, strategy="uniform")
    table = fe.calibration_table(predicted, realised).dropna()
    np.testing.assert_allclose(table["realised_rate"], rate, atol=1e-6)  # our buckets are sklearn's
    np.testing.assert_allclose(table["mean_predicted"], mean_predicted, atol=1e-6)
    weights = table["orders"] / table["orders"].sum()
    assert float((weights * (rate - mean_predicted).__abs__()).sum()) == pytest.approx(scores["model"]["ece"])


def test_tidy_frames_are_adjusted_by_the_close_ratio():
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-02", "2020-01-03"]),
            "ticker": ["A", "A"],
            "open": [200.0, 100.0],
            "high": [210.0, 105.0],
            "low": [190.0, 95.0],
            "close": [200.0, 100.0],
            "adj_close": [100.0, 100.0],  # a 2:1 split on the second day
        }
    )
    wide = fe.tidy_to_adjusted_ohlc(frame)
    assert wide["close"]["A"].tolist() == [100.0, 100.0]
    assert wide["high"]["A"].tolist() == [105.0, 105.0]
