"""The hand-written walk-forward splitter against scikit-learn's ``TimeSeriesSplit`` (the reference).

Matching parameters: ``purge`` is ``gap``, ``test_size`` is ``test_size``, a rolling ``train_size`` is
``max_train_size`` (expanding: ``None``), and ``n_splits`` is the number of whole test blocks after
``min_train_size + purge`` dates. scikit-learn places its blocks from the end of the series, ours from
the start (the last block may be shorter): on a history of whole blocks both give the same indices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

from mlcore.training.walkforward import WalkForward


def trading_days(n: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2016-01-04", periods=n)


def fold_indices(splitter: WalkForward, dates: pd.DatetimeIndex) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each fold's train and test positions in ``dates`` (the splitter returns inclusive date bounds)."""
    folds = []
    for fold in splitter.split(dates):
        train = np.arange(dates.get_loc(fold.train_start), dates.get_loc(fold.train_end) + 1)
        test = np.arange(dates.get_loc(fold.test_start), dates.get_loc(fold.test_end) + 1)
        folds.append((train, test))
    return folds


def reference_indices(
    n: int, *, test_size: int, purge: int, train_size: int | None, n_splits: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    reference = TimeSeriesSplit(n_splits=n_splits, test_size=test_size, gap=purge, max_train_size=train_size)
    return list(reference.split(np.zeros(n)))


CASES = [
    # test_size, purge, train_size, min_train_size, whole blocks
    (252, 5, None, 252, 4),  # the project's defaults: yearly refits, expanding window
    (126, 5, None, 252, 6),  # half-yearly refits (the tests' fast_training)
    (63, 10, 504, 252, 12),  # rolling two-year window, 10-day horizon
    (21, 0, 100, 100, 9),  # no purge
    (5, 5, 20, 20, 30),  # rolling window shorter than the history of every fold
]


@pytest.mark.parametrize(("test_size", "purge", "train_size", "min_train_size", "blocks"), CASES)
def test_walk_forward_folds_are_scikit_learns_time_series_split(
    test_size, purge, train_size, min_train_size, blocks
):
    n = min_train_size + purge + blocks * test_size
    splitter = WalkForward(
        test_size=test_size, purge=purge, train_size=train_size, min_train_size=min_train_size
    )
    ours = fold_indices(splitter, trading_days(n))
    theirs = reference_indices(n, test_size=test_size, purge=purge, train_size=train_size, n_splits=blocks)
    assert len(ours) == len(theirs) == blocks
    for (train, test), (ref_train, ref_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, ref_train)
        np.testing.assert_array_equal(test, ref_test)
        assert test[0] - train[-1] - 1 == purge  # the purge separates every training end from its test


@pytest.mark.parametrize(("test_size", "purge", "train_size", "min_train_size", "blocks"), CASES)
def test_a_partial_last_block_adds_one_shorter_fold_after_the_whole_ones(
    test_size, purge, train_size, min_train_size, blocks
):
    extra = max(1, test_size // 3)
    whole = min_train_size + purge + blocks * test_size
    splitter = WalkForward(
        test_size=test_size, purge=purge, train_size=train_size, min_train_size=min_train_size
    )
    ours = fold_indices(splitter, trading_days(whole + extra))
    theirs = reference_indices(
        whole, test_size=test_size, purge=purge, train_size=train_size, n_splits=blocks
    )
    assert len(ours) == blocks + 1
    for (train, test), (ref_train, ref_test) in zip(ours[:-1], theirs, strict=True):
        np.testing.assert_array_equal(train, ref_train)
        np.testing.assert_array_equal(test, ref_test)
    last_train, last_test = ours[-1]
    np.testing.assert_array_equal(last_test, np.arange(whole, whole + extra))
    assert last_train[-1] == whole - purge - 1


def test_no_fold_before_min_train_size_plus_purge_dates_where_scikit_learn_would_split():
    # The one deliberate difference: scikit-learn trains on whatever precedes its last blocks; ours
    # waits for min_train_size training dates.
    splitter = WalkForward(test_size=21, purge=5, min_train_size=100)
    assert splitter.split(trading_days(105)) == []
    assert len(list(TimeSeriesSplit(n_splits=2, test_size=21, gap=5).split(np.zeros(105)))) == 2
    [fold] = fold_indices(splitter, trading_days(106))
    np.testing.assert_array_equal(fold[0], np.arange(100))
    np.testing.assert_array_equal(fold[1], [105])
