from __future__ import annotations

import math

import pytest

from mlcore.data.dataset import load_panels
from mlcore.health import check_champion
from mlcore.models import ModelVersion, Prediction, RegistryEvent
from mlcore.registry import versions as registry
from mlcore.serving import first_champion, predict
from mlcore.training import services
from mlcore.training.challenger import promotion_attempt, train_and_maybe_promote
from mlcore.training.walkforward import build_dataset
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
    version = train_and_maybe_promote(config=config, promote=True)
    assert version.status == Status.CHAMPION
    assert registry.champion() == version
    actions = list(version.events.order_by("id").values_list("action", flat=True))
    assert actions == [RegistryEvent.Action.TRAINED, RegistryEvent.Action.PROMOTED]


def test_promotion_rejects_a_tie(market_sample, fast_training):
    champion = champion_version()
    fast_training.MLCORE_PROMOTION_MIN_T = 0.0
    # The same configuration on the same data: the re-run champion scores exactly the challenger's IC.
    challenger = train_and_maybe_promote(config=services.training_config(), promote=True)
    assert challenger.status == Status.REJECTED
    assert registry.champion() == champion
    comparison = challenger.metrics["comparison"]
    assert comparison["champion_oos"]["rank_ic_mean"] == challenger.metrics["oos"]["rank_ic_mean"]
    # both judged on the same out-of-sample window
    assert comparison["champion_oos"]["window"] == challenger.metrics["oos"]["window"]
    event = challenger.events.get(action=RegistryEvent.Action.REJECTED)
    assert "does not beat the champion" in event.reason


def test_promotion_refuses_a_genuinely_worse_challenger(market_sample, fast_training, monkeypatch):
    champion = champion_version()
    fast_training.MLCORE_PROMOTION_MIN_T = 0.0
    config = services.training_config()

    def inverted(panels, **kwargs):  # the challenger learns the opposite of what predicts returns
        dataset = build_dataset(panels, **kwargs)
        dataset.target = -dataset.target
        return dataset

    with monkeypatch.context() as patch:
        patch.setattr(services, "build_dataset", inverted)
        trained = services.train_scored(config=config)
    dataset = build_dataset(load_panels(), horizon=config.horizon)
    challenger = promotion_attempt(
        trained.version, dataset=dataset, config=config, oos_scores=trained.oos_scores
    )
    assert challenger.status == Status.REJECTED
    assert registry.champion() == champion
    champion_ic = challenger.metrics["comparison"]["champion_oos"]["rank_ic_mean"]
    assert challenger.metrics["oos"]["rank_ic_mean"] < 0 < champion_ic


def test_the_champion_is_rerun_with_its_own_configuration(market_sample, fast_training):
    rolling = services.training_config(window="rolling", window_size=120)
    champion, _ = services.train_version(config=rolling)
    registry.promote(champion, user=None, reason="rolling champion")
    fast_training.MLCORE_PROMOTION_MIN_T = 0.0
    challenger = train_and_maybe_promote(config=services.training_config(), promote=True)
    comparison = challenger.metrics["comparison"]
    assert comparison["champion_config"]["window"] == "rolling"
    assert comparison["champion_config"]["window_size"] == 120
    # Re-running its own configuration on unchanged data reproduces the champion's own OOS record,
    # which differs from what the challenger's (expanding) window would give it.
    assert comparison["champion_oos"]["rank_ic_mean"] == champion.metrics["oos"]["rank_ic_mean"]
    assert comparison["champion_oos"]["rank_ic_mean"] != challenger.metrics["oos"]["rank_ic_mean"]
    # On this sample the 120-day rolling champion is weaker than the expanding challenger, date by date
    # on the same folds: the paired difference is positive and, with no threshold, enough to replace it.
    assert comparison["paired"]["mean"] > 0 and comparison["paired"]["t_stat"] > 0
    assert challenger.status == Status.CHAMPION
    champion.refresh_from_db()
    assert champion.status == Status.RETIRED


def test_a_higher_mean_ic_is_not_enough_without_a_significant_paired_t(market_sample, fast_training):
    rolling = services.training_config(window="rolling", window_size=120)
    champion = registry.promote(services.train_version(config=rolling)[0], user=None, reason="rolling")
    fast_training.MLCORE_PROMOTION_MIN_T = 50.0
    challenger = train_and_maybe_promote(config=services.training_config(), promote=True)
    comparison = challenger.metrics["comparison"]
    assert challenger.metrics["oos"]["rank_ic_mean"] > comparison["champion_oos"]["rank_ic_mean"]
    assert comparison["paired"]["t_stat"] < 50.0 and comparison["min_t"] == 50.0
    assert challenger.status == Status.REJECTED
    assert registry.champion() == champion
    assert "does not beat the champion: paired rank IC difference" in challenger.status_reason


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


def test_rollback_restores_a_verified_version_after_the_champion_was_refused(
    market_sample, fast_training, admin_user
):
    first = champion_version()
    second = registry.promote(trained_version(), user=admin_user, reason="newer")
    path = registry.artefact_path(second)
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(ServiceUnavailable, match="Roll back or retrain"):
        predict.predictions_frame()
    assert registry.champion() is None  # the tampered champion was rejected

    restored = registry.rollback(user=admin_user, reason="champion artefact corrupted")
    assert restored == first and registry.champion() == first
    event = first.events.filter(action=RegistryEvent.Action.PROMOTED).latest("id")
    assert event.actor == admin_user and "champion artefact corrupted" in event.reason
    assert "no champion was serving" in event.reason
    second.refresh_from_db()
    assert second.status == Status.REJECTED
    frame, served = predict.predictions_frame()
    assert served == first and len(frame) == 12


def test_rollback_skips_versions_whose_artefact_does_not_verify(market_sample, fast_training):
    first = champion_version()
    registry.promote(trained_version(), user=None, reason="newer")
    registry.artefact_path(first).unlink()
    with pytest.raises(Conflict, match="No earlier champion with an intact artefact"):
        registry.rollback(user=None, reason="try it")
    first.refresh_from_db()
    assert first.status == Status.RETIRED and registry.champion() is not None


def test_first_model_ensure_trains_once(market_sample, fast_training):
    first = first_champion.first_model_ensure()
    assert first is not None and first.status == Status.CHAMPION
    assert first_champion.first_model_ensure() == first
    assert ModelVersion.objects.count() == 1
    # the latest date's ranking is stored right away
    assert Prediction.objects.filter(model_version=first, as_of=market_sample_date()).count() == 12


def test_first_model_ensure_waits_for_prices(db):
    assert first_champion.first_model_ensure() is None


def test_a_model_never_scores_data_missing_its_inputs(sample_panels, fast_training):
    from mlcore.training.scoring import MissingFeatures, ModelBundle, score_date
    from mlcore.training.walkforward import build_dataset, fit_estimator

    dataset = build_dataset(sample_panels)
    estimator = fit_estimator("ridge", {"alpha": 100.0}, dataset, dataset.trainable())
    bundle = ModelBundle("ridge", {}, estimator, dataset.model_columns, 5, {"n_buckets": 10})
    closes_only = {"close": sample_panels.close}  # a source without OHLC or volume
    with pytest.raises(MissingFeatures, match="dollar_volume_20_rank"):
        score_date(bundle, closes_only, sample_panels.sectors, sample_panels.close.index[-1])
