from __future__ import annotations

import pandas as pd
import pytest

from mlcore.evaluation.metrics import evaluate
from mlcore.training import candidates
from mlcore.training.walkforward import WalkForward, build_dataset, walk_forward


@pytest.mark.parametrize("train_size", [None, 300])
def test_walk_forward_folds_never_overlap_the_purge_gap(train_size):
    dates = pd.bdate_range("2016-01-01", periods=1100)
    splitter = WalkForward(test_size=200, purge=5, train_size=train_size, min_train_size=252)
    folds = splitter.split(dates)
    assert len(folds) == 5
    position = {d: i for i, d in enumerate(dates)}
    for previous, fold in zip([None, *folds], folds, strict=False):
        gap = position[fold.test_start] - position[fold.train_end] - 1
        assert gap == 5
        assert fold.train_end < fold.test_start
        if train_size is not None:
            assert position[fold.train_end] - position[fold.train_start] + 1 <= train_size
        if previous is not None:
            assert position[fold.test_start] == position[previous.test_end] + 1
    assert folds[-1].test_end == dates[-1]


def test_walk_forward_trains_only_on_rows_whose_label_ended_before_the_test(sample_panels, monkeypatch):
    dataset = build_dataset(sample_panels, horizon=5)
    seen: list[pd.Timestamp] = []
    original = candidates.make_estimator

    def recording(algorithm, params=None):
        estimator = original(algorithm, params)
        fit = estimator.fit

        def fit_and_record(X, y):
            seen.append(X.index.get_level_values("date").max())
            return fit(X, y)

        estimator.fit = fit_and_record
        return estimator

    monkeypatch.setattr(candidates, "make_estimator", recording)
    splitter = WalkForward(test_size=252, purge=5)
    scores, folds = walk_forward("ridge", candidates.params_for("ridge"), dataset, splitter)
    dates = dataset.features.index.get_level_values("date").unique().sort_values()
    for last_trained, fold in zip(seen, folds, strict=True):
        test_start = pd.Timestamp(fold["test_start"])
        # the newest training label ends (date + 5 trading days) strictly before the test starts
        assert dates.get_loc(last_trained) + 5 < dates.get_loc(test_start)
    assert scores.index.get_level_values("date").min() == pd.Timestamp(folds[0]["test_start"])


def test_baselines_go_through_the_same_walk_forward_and_evaluator(sample_panels):
    dataset = build_dataset(sample_panels, horizon=5)
    splitter = WalkForward(test_size=252, purge=5)
    scores, _ = walk_forward("reversal_5", candidates.params_for("reversal_5"), dataset, splitter)
    expected = -dataset.features.loc[scores.index, "ret_5_rank"].fillna(0.0).astype(float)
    pd.testing.assert_series_equal(scores, expected, check_names=False)
    by_runner = evaluate(scores, dataset.label, dataset.returns, horizon=5, all_offsets=False)
    by_hand = evaluate(expected, dataset.label, dataset.returns, horizon=5, all_offsets=False)
    assert by_runner["rank_ic_mean"] == pytest.approx(by_hand["rank_ic_mean"])
    assert by_runner["long_short"]["net"]["sharpe"] == pytest.approx(by_hand["long_short"]["net"]["sharpe"])


def test_unknown_algorithm_or_hyper_parameter_is_refused():
    with pytest.raises(ValueError, match="unknown algorithm"):
        candidates.make_estimator("xgboost")
    with pytest.raises(ValueError, match="unknown hyper-parameters"):
        candidates.make_estimator("ridge", {"depth": 3})
