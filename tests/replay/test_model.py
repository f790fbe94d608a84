"""The model inside a replay: the product's retraining policy (training window included), one final fit
shared with mlcore's training, and no scoring of a champion whose expected returns the advice ignores."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio.replay import model as replay_model
from portfolio.replay.data import MarketData
from tests.replay.conftest import sample_frame


@pytest.fixture
def three_years(settings) -> MarketData:
    settings.MLCORE_TEST_DAYS = 63
    settings.MLCORE_MIN_TRAIN_DAYS = 126
    return MarketData.from_frame(sample_frame("2016-01-01", "2018-12-31"), source="sample-6")


def _trained(data: MarketData, day: str) -> dict:
    lifecycle = replay_model.ModelLifecycle()
    seen = data.until(pd.Timestamp(day))
    lifecycle.retrain(seen.panels, pd.Timestamp(day), features=seen.model_features())
    assert lifecycle.versions, "a model was trained"
    return lifecycle.versions[-1]


def test_the_replay_trains_on_the_rolling_window_the_retraining_policy_sets(three_years, settings):
    settings.MONITORING_DEFAULTS = {
        **settings.MONITORING_DEFAULTS,
        "training_window": "rolling",
        "training_window_years": 1,
    }
    version = _trained(three_years, "2018-11-30")
    sessions = three_years.sessions
    span = sessions.get_loc(pd.Timestamp(version["train_end"])) - sessions.get_loc(
        pd.Timestamp(version["train_start"])
    )
    assert span + 1 == 252


def test_by_default_the_replay_trains_on_all_labelled_history(three_years, settings):
    settings.MONITORING_DEFAULTS = {**settings.MONITORING_DEFAULTS, "training_window": "expanding"}
    version = _trained(three_years, "2018-11-30")
    # ret_60 needs 60 sessions of history: the first trainable date is the 61st session.
    assert version["train_start"] == three_years.sessions[60].date().isoformat()


def test_features_given_or_computed_train_the_same_model(three_years):
    day = pd.Timestamp("2018-06-29")
    seen = three_years.until(day)
    given, computed = replay_model.ModelLifecycle(), replay_model.ModelLifecycle()
    given.retrain(seen.panels, day, features=seen.model_features())
    computed.retrain(seen.panels, day)
    assert given.versions == computed.versions


def test_a_champion_without_demonstrated_edge_is_not_scored(three_years, monkeypatch):
    day = pd.Timestamp("2018-06-29")
    seen = three_years.until(day)
    lifecycle = replay_model.ModelLifecycle()
    lifecycle.retrain(seen.panels, day, features=seen.model_features())
    assert lifecycle.champion is not None
    monkeypatch.setattr(replay_model.ReplayModel, "reliability", property(lambda self: 0.0))
    monkeypatch.setattr(replay_model, "score_date", lambda *a, **k: pytest.fail("scored"))
    assert lifecycle.tilt(seen.panels, day) == (None, 0.0)
    monkeypatch.undo()  # the same champion with some edge is scored
    monkeypatch.setattr(replay_model.ReplayModel, "reliability", property(lambda self: 0.5))
    expected, reliability = lifecycle.tilt(seen.panels, day)
    assert reliability == 0.5 and expected is not None and len(expected) > 0
