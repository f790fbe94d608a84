from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.orders import calibration as fe


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


def test_replay_does_not_look_ahead():
    prices = _random_walk_ohlc(n_days=200, n_tickers=2)
    first = fe.replay_limit_orders(prices, validity_days=3)
    # Changing bars after the last judged window cannot change any prediction made before it.
    changed = {k: v.copy() for k, v in prices.items()}
    for frame in changed.values():
        frame.iloc[-1] *= 1.5
    second = fe.replay_limit_orders(changed, validity_days=3)
    n = len(first.predicted)
    assert len(second.predicted) == n
    assert np.allclose(first.predicted, second.predicted)


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
