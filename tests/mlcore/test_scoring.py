"""Serving applies training's rule: a row the model would not be fitted on is never scored (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from mlcore.data.dataset import Panels
from mlcore.training.scoring import ModelBundle, NotScorable, score_date
from mlcore.training.walkforward import build_dataset, fit_estimator


def _bundle(dataset) -> ModelBundle:
    estimator = fit_estimator("ridge", {"alpha": 100.0}, dataset, dataset.trainable())
    calibration = {"n_buckets": 10, "expected_return": [0.0] * 10, "hit_rate": [0.5] * 10}
    return ModelBundle("ridge", {}, estimator, dataset.model_columns, 5, calibration)


@pytest.fixture(scope="module")
def late_listing(sample_panels) -> Panels:
    """The sample with AAPL listed only from its 400th date (a new listing or a data gap)."""
    prices = {key: frame.copy() for key, frame in sample_panels.prices.items()}
    for frame in prices.values():
        frame.iloc[:400, frame.columns.get_loc("AAPL")] = np.nan
    return Panels(prices=prices, sectors=sample_panels.sectors)


def test_tickers_without_the_history_training_requires_are_not_scored(late_listing):
    dataset = build_dataset(late_listing)
    bundle = _bundle(dataset)
    as_of = late_listing.close.index[420]  # AAPL has 20 days of prices, the others years
    frame = score_date(bundle, late_listing.prices, late_listing.sectors, as_of)
    on_date = dataset.scorable(as_of, as_of)
    expected = set(dataset.features.index[on_date].get_level_values("ticker"))
    assert set(frame.index) == expected == set(late_listing.tickers) - {"AAPL"}
    assert frame["predicted_volatility"].notna().all()
    assert sorted(frame["rank"]) == list(range(1, len(expected) + 1))


def test_a_date_where_no_ticker_has_enough_history_is_refused(sample_panels):
    dataset = build_dataset(sample_panels)
    bundle = _bundle(dataset)
    second_day = sample_panels.close.index[1]
    assert not dataset.scorable(second_day, second_day).any()  # training would drop every row too
    with pytest.raises(NotScorable, match="none of the 12 tickers has the history"):
        score_date(bundle, sample_panels.prices, sample_panels.sectors, second_day)
