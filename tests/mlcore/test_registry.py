from __future__ import annotations

import math

import pytest

from mlcore import predict, registry, services
from mlcore.health import check_champion
from mlcore.models import ModelVersion, Prediction, RegistryEvent
from swingtrade.errors import Conflict, ServiceUnavailable
from tests.mlcore.factories import champion_version, trained_version

pytestmark = pytest.mark.django_db

Status = ModelVersion.Status


def test_training_registry_prediction_round_trip(market_sample, fast_training, admin_user):
    version = trained_version(user=admin_user)
    assert version.status == Status.CANDIDATE
    assert version.trained_by == admin_user
    assert version.data_fingerprint["n_tickers"] == 12
    assert version.data_fingerprint["end"] == "2021-04-21"
    assert len(version.data_sha256) == 64 and len(version.artefact_sha256) == 64
    assert registry.artefact_problem(version) is None
    oos = version.metrics["oos"]
    assert math.isfinite(oos["rank_ic_mean"]) and 0 <= oos["hit_rate"] <= 1
    assert len(version.metrics["folds"]) >= 2
    assert version.oos_start > version.train_start  # out of sample starts after a year of training
    assert len(version.calibration["expected_return"]) == 10
    assert version.feature_reference["ret_5"]["levels"][0] == 0.0
    assert 0.0 <= version.reliability <= 1.0

    registry.promote(version, user=admin_user, reason="first")
    frame, served = predict.predictions_frame()
    assert served == version
    assert len(frame) == 12
    assert frame["rank"].tolist() == list(range(1, 13))
    assert set(frame["side"]) == {"buy", "sell", "neutral"}
    assert (
        frame.loc[frame["side"] == "buy", "rank"] < frame.loc[frame["side"] == "sell", "rank"].min()
    ).all()
    assert frame["predicted_volatility"].gt(0).all()
    stored = Prediction.objects.filter(model_version=version)
    assert stored.count() == 12
    assert set(stored.values_list("as_of", flat=True)) == {market_sample_date()}
    predict.predictions_frame()  # read again: served from storage, nothing duplicated
    assert stored.count() == 12


def market_sample_date():
    from datetime import date

    return date(2021, 4, 21)


def test_first_champion_is_promoted_automatically_and_logged(market_sample, fast_training):
    config = services.training_config()
    version = services.train_and_maybe_promote(config=config, promote=True)
    assert version.status == Status.CHAMPION
    assert registry.champion() == version
    actions = list(version.events.order_by("id").values_list("action", flat=True))
    assert actions == [RegistryEvent.Action.TRAINED, RegistryEvent.Action.PROMOTED]


def test_promotion_refuses_a_challenger_that_does_not_beat_the_champion(market_sample, fast_training):
    champion = champion_version()
    fast_training.MLCORE_PROMOTION_MARGIN = 0.5  # an edge no model has on this data
    challenger = services.train_and_maybe_promote(config=services.training_config(), promote=True)
    assert challenger.status == Status.REJECTED
    assert registry.champion() == champion
    event = challenger.events.get(action=RegistryEvent.Action.REJECTED)
    assert "does not beat the champion" in event.reason
    comparison = challenger.metrics["comparison"]
    # both judged on the same out-of-sample window
    assert comparison["champion_oos"]["window"] == challenger.metrics["oos"]["window"]


def test_a_challenger_beating_the_champion_replaces_it(market_sample, fast_training):
    champion = champion_version()
    fast_training.MLCORE_PROMOTION_MARGIN = -1.0
    challenger = services.train_and_maybe_promote(config=services.training_config(), promote=True)
    assert challenger.status == Status.CHAMPION
    champion.refresh_from_db()
    assert champion.status == Status.RETIRED


def test_promotion_decision_requires_the_margin():
    window = {"start": "2020-01-01", "end": "2021-01-01"}
    assert registry.promotion_decision({"rank_ic_mean": 0.02, "window": window}, None, margin=0.01)[0]
    assert not registry.promotion_decision(
        {"rank_ic_mean": 0.025, "window": window}, {"rank_ic_mean": 0.02}, margin=0.01
    )[0]
    assert registry.promotion_decision({"rank_ic_mean": 0.031}, {"rank_ic_mean": 0.02}, margin=0.01)[0]
    assert not registry.promotion_decision({"rank_ic_mean": float("nan")}, None, margin=0.01)[0]


def test_a_tampered_artefact_is_refused_reported_and_never_serves(market_sample, fast_training):
    version = champion_version()
    path = registry.artefact_path(version)
    path.write_bytes(path.read_bytes() + b"tampered")
    assert check_champion().ok is False
    with pytest.raises(ServiceUnavailable, match="sha256"):
        predict.predictions_frame()
    version.refresh_from_db()
    assert version.status == Status.REJECTED
    assert version.events.filter(action=RegistryEvent.Action.ARTEFACT_INVALID).exists()
    assert not Prediction.objects.exists()
    with pytest.raises(ServiceUnavailable, match="No champion"):
        predict.predictions_frame()


def test_a_missing_artefact_cannot_be_promoted(market_sample, fast_training):
    version = trained_version()
    registry.artefact_path(version).unlink()
    with pytest.raises(Conflict, match="missing"):
        registry.promote(version, user=None, reason="try")
    assert registry.champion() is None


def test_rollback_restores_the_previous_champion(market_sample, fast_training, admin_user):
    first = champion_version()
    second = registry.promote(trained_version(), user=admin_user, reason="newer")
    restored = registry.rollback(user=admin_user, reason="second misbehaves")
    assert restored == first
    second.refresh_from_db()
    assert second.status == Status.RETIRED
    assert second.events.filter(action=RegistryEvent.Action.ROLLED_BACK, actor=admin_user).exists()


def test_first_model_ensure_trains_once(market_sample, fast_training):
    first = services.first_model_ensure()
    assert first is not None and first.status == Status.CHAMPION
    assert services.first_model_ensure() == first
    assert ModelVersion.objects.count() == 1
    # the latest date's ranking is stored right away
    assert Prediction.objects.filter(model_version=first, as_of=market_sample_date()).count() == 12


def test_first_model_ensure_waits_for_prices(db):
    assert services.first_model_ensure() is None


def test_a_model_never_scores_data_missing_its_inputs(sample_panels, fast_training):
    from mlcore.scoring import MissingFeatures, ModelBundle, score_date
    from mlcore.training import build_dataset, fit_estimator

    dataset = build_dataset(sample_panels)
    estimator = fit_estimator("ridge", {"alpha": 100.0}, dataset, dataset.trainable())
    bundle = ModelBundle("ridge", {}, estimator, dataset.model_columns, 5, {"n_buckets": 10})
    closes_only = {"close": sample_panels.close}  # a source without OHLC or volume
    with pytest.raises(MissingFeatures, match="dollar_volume_20_rank"):
        score_date(bundle, closes_only, sample_panels.sectors, sample_panels.close.index[-1])
