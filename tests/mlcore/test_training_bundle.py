"""The final fit shared by training and the replay, and the two savings a replay's monthly retraining uses:
features cut from the whole period, and fold estimators memoised across cuts of the same bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.data.dataset import Panels
from mlcore.features.indicators import compute_features
from mlcore.training import candidates
from mlcore.training.bundle import fit_bundle, training_rows
from mlcore.training.services import evaluate_config, training_config
from mlcore.training.walkforward import WalkForward, build_dataset, features_until, walk_forward


def _cut(panels: Panels, day: pd.Timestamp) -> Panels:
    return Panels(prices={k: v.loc[:day] for k, v in panels.prices.items()}, sectors=panels.sectors)


@pytest.mark.parametrize("position", [300, 700, -1])
def test_features_of_the_whole_period_cut_at_a_day_equal_features_computed_up_to_it(sample_panels, position):
    day = sample_panels.close.index[position]
    whole = compute_features(sample_panels.prices, sample_panels.sectors)
    own = build_dataset(_cut(sample_panels, day), horizon=5)
    shared = build_dataset(_cut(sample_panels, day), horizon=5, features=whole)
    pd.testing.assert_frame_equal(own.features, shared.features, check_exact=True)
    for level in range(2):  # no later date hides in the index's levels either
        assert own.features.index.levels[level].equals(shared.features.index.levels[level])
    np.testing.assert_array_equal(own.date_codes, shared.date_codes)
    pd.testing.assert_series_equal(own.target, shared.target)


def test_features_until_a_day_keeps_no_later_row(sample_panels):
    whole = compute_features(sample_panels.prices, sample_panels.sectors)
    day = sample_panels.close.index[400]
    cut = features_until(whole, day)
    assert cut.index.get_level_values("date").max() == day
    assert cut.index.levels[0].max() == day
    assert len(cut) == int((whole.index.get_level_values("date") <= day).sum())


def test_memoised_fold_fits_score_exactly_as_refits_on_every_cut(sample_panels, monkeypatch):
    fits = []
    original = candidates.make_estimator
    monkeypatch.setattr(candidates, "make_estimator", lambda *a, **k: fits.append(1) or original(*a, **k))
    splitter = WalkForward(test_size=126, purge=5, min_train_size=252)
    params = candidates.params_for("ridge")
    memo: dict = {}
    dates = sample_panels.close.index
    new_fits = []
    for day in (dates[600], dates[640], dates[700]):
        dataset = build_dataset(_cut(sample_panels, day), horizon=5)
        fits.clear()
        refit, _ = walk_forward("ridge", params, dataset, splitter)
        fits.clear()
        memoised, _ = walk_forward("ridge", params, dataset, splitter, memo=memo)
        pd.testing.assert_series_equal(refit, memoised, check_exact=True)
        new_fits.append(len(fits))
    # Folds test from dates 257, 383, 509 and, once the cut passes it, 635: only a new fold is fitted.
    assert new_fits == [3, 1, 0]


def test_the_final_fit_honours_a_rolling_window(sample_panels, settings):
    dataset = build_dataset(sample_panels, horizon=5)
    expanding = training_config()
    rolling = training_config(window="rolling", window_size=126)
    scores, _ = evaluate_config(rolling.algorithm, rolling.params, dataset, rolling, fold_metrics=False)
    wide = fit_bundle(expanding, dataset, scores, side_fraction=0.2)
    narrow = fit_bundle(rolling, dataset, scores, side_fraction=0.2)
    unique = dataset.dates.unique().sort_values()
    assert wide.train_start == dataset.dates[dataset.trainable()].min()
    assert narrow.train_end == wide.train_end
    assert unique.get_loc(narrow.train_end) - unique.get_loc(narrow.train_start) + 1 == 126
    assert narrow.rows.sum() < wide.rows.sum()
    np.testing.assert_array_equal(narrow.rows, training_rows(rolling, dataset))
    assert not np.allclose(wide.bundle.estimator[-1].coef_, narrow.bundle.estimator[-1].coef_)
