from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.data.dataset import panels_from_frame, read_csv_frame
from mlcore.features.indicators import compute_features, cross_sectional_rank
from tests.mlcore.conftest import DATA


def _closes(values: dict[str, list[float]]) -> pd.DataFrame:
    index = pd.bdate_range("2020-01-01", periods=len(next(iter(values.values()))), name="date")
    return pd.DataFrame(values, index=index, dtype=float)


def test_features_at_a_date_are_identical_with_or_without_later_data(sample_frame, sample_sectors):
    """No look-ahead: later bars, and tickers listed after the cut date, change no past feature value."""
    cutoff = pd.Timestamp("2018-06-29")
    listed_later = ["ABBV", "CAT", "MMM", "PG"]  # interleave with the panel's columns alphabetically
    everything = read_csv_frame(str(DATA / "sp500_sample50_daily_2016_2021.csv.gz"))
    newcomers = everything[everything["ticker"].isin(listed_later) & (everything["date"] > cutoff)]
    assert not set(listed_later) & set(sample_frame["ticker"]) and len(newcomers)
    sectors = {**sample_sectors, **{t: sample_sectors.get(t, "Unknown") for t in listed_later}}
    later = pd.concat([sample_frame, newcomers], ignore_index=True)
    full = compute_features(panels_from_frame(later, sectors).prices, sectors)
    truncated_frame = sample_frame[sample_frame["date"] <= cutoff]
    truncated = compute_features(panels_from_frame(truncated_frame, sectors).prices, sectors)

    dates, tickers = full.index.get_level_values("date"), full.index.get_level_values("ticker")
    past = full.loc[(dates <= cutoff) & ~tickers.isin(listed_later)]
    pd.testing.assert_frame_equal(past, truncated, check_exact=True)
    assert truncated.loc[cutoff].notna().all().all()  # the comparison covered warmed-up values


def test_returns_are_log_returns_over_each_horizon():
    closes = _closes({"A": list(100 * 1.01 ** np.arange(300)), "B": list(50 * 0.99 ** np.arange(300))})
    features = compute_features(closes)
    last = features.xs(closes.index[-1], level="date")
    assert last.loc["A", "ret_5"] == pytest.approx(5 * np.log(1.01), rel=1e-5)
    assert last.loc["B", "ret_20"] == pytest.approx(20 * np.log(0.99), rel=1e-5)
    assert last.loc["A", "mom_12_1"] == pytest.approx((252 - 21) * np.log(1.01), rel=1e-5)
    # The rising stock ranks above the falling one on momentum.
    assert last.loc["A", "ret_20_rank"] > last.loc["B", "ret_20_rank"]


def test_features_are_blank_where_the_price_is_missing():
    values = {"A": list(100 + np.arange(300.0)), "B": list(200 - 0.1 * np.arange(300.0))}
    closes = _closes(values)
    closes.iloc[250:, 1] = np.nan  # B stops trading
    features = compute_features(closes)
    assert "B" not in features.xs(closes.index[260], level="date").index
    # and rolling windows never leak a stale B value into the cross-section ranks
    assert features.xs(closes.index[260], level="date").loc["A", "ret_5_rank"] == pytest.approx(0.0)


def test_range_and_volume_features_are_absent_when_only_closes_exist(sample_panels):
    closes_only = compute_features(sample_panels.close)
    with_ohlcv = compute_features(sample_panels.prices, sample_panels.sectors)
    for name in ("hl_range_20", "close_loc_20", "gap_1", "dollar_volume_20", "amihud_20", "rel_sector_20"):
        assert name not in closes_only.columns
        assert name in with_ohlcv.columns


def test_dollar_volume_ignores_share_splits(sample_frame, sample_sectors):
    # AAPL split 4:1 on 2020-08-31: share volume jumps ~4x, dollar volume does not.
    features = compute_features(panels_from_frame(sample_frame, sample_sectors).prices)
    aapl = features.xs("AAPL", level="ticker")["dollar_volume_ratio_5_60"]
    assert abs(aapl.loc["2020-09-08"]) < np.log(2.5)


def test_sector_relative_return_sums_to_zero_within_a_sector():
    closes = _closes(
        {
            "A": list(np.linspace(10, 20, 40)),
            "B": list(np.linspace(10, 12, 40)),
            "C": list(np.linspace(10, 5, 40)),
        }
    )
    features = compute_features(closes, {"A": "Tech", "B": "Tech", "C": "Energy"})
    last = features.xs(closes.index[-1], level="date")
    assert last.loc["A", "rel_sector_20"] + last.loc["B", "rel_sector_20"] == pytest.approx(0.0, abs=1e-6)
    assert last.loc["C", "rel_sector_20"] == pytest.approx(0.0, abs=1e-6)


def test_tied_values_share_their_average_rank_whatever_the_column_order():
    row = np.array([[0.01, 0.02, 0.01, np.nan, 0.03, 0.01]])
    ranks = cross_sectional_rank(row)
    assert ranks[0, 0] == ranks[0, 2] == ranks[0, 5] == pytest.approx(-0.2)  # ordinal 0, 1, 2 → 1
    assert ranks[0, 1] < ranks[0, 4] and np.isnan(ranks[0, 3])
    permutation = np.array([4, 2, 0, 3, 5, 1])
    np.testing.assert_array_equal(cross_sectional_rank(row[:, permutation]), ranks[:, permutation])
    many = np.random.default_rng(0).integers(0, 5, size=(40, 30)).astype(float)
    expected = pd.DataFrame(many).rank(axis=1, method="average").to_numpy()
    np.testing.assert_allclose(cross_sectional_rank(many), (expected - 0.5) / 30 - 0.5, atol=1e-6)


def test_cross_sectional_rank_is_centred_and_skips_missing_values():
    ranks = cross_sectional_rank(np.array([[3.0, np.nan, 1.0, 2.0]]))
    assert ranks[0, 2] < ranks[0, 3] < ranks[0, 0]
    assert np.isnan(ranks[0, 1])
    assert np.nansum(ranks) == pytest.approx(0.0, abs=1e-6)


def test_vectorised_rolling_windows_match_pandas():
    from mlcore.features.indicators import _rolling_max, _rolling_mean, _rolling_std

    rng = np.random.default_rng(1)
    values = rng.normal(size=(400, 5)).cumsum(axis=0) + 100
    values[:50, 2] = np.nan  # listed later
    values[300:, 3] = np.nan  # delisted
    values[200, 4] = np.nan  # a gap
    frame = pd.DataFrame(values)
    for window in (5, 20, 252):
        expected = frame.rolling(window, min_periods=window)
        np.testing.assert_allclose(_rolling_mean(values, window), expected.mean(), equal_nan=True)
        np.testing.assert_allclose(_rolling_max(values, window), expected.max(), equal_nan=True)
        returns = np.diff(np.log(values), axis=0)
        np.testing.assert_allclose(
            _rolling_std(returns, window),
            pd.DataFrame(returns).rolling(window, min_periods=window).std(),
            equal_nan=True,
            atol=1e-10,
        )
    partial = frame.rolling(20, min_periods=15).mean()
    np.testing.assert_allclose(_rolling_mean(values, 20, min_periods=15), partial, equal_nan=True)
