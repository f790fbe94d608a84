from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from market.models import IngestionRun
from market.signals import ingestion_succeeded
from mlcore.models import ModelVersion, Prediction, RegistryEvent, TrainingJob
from mlcore.registry import versions as registry
from mlcore.serving import ranking
from swingtrade.errors import DomainError
from tests.mlcore.factories import champion_version, trained_version

pytestmark = pytest.mark.django_db

RANKINGS = "/api/v1/rankings/"


def test_rankings_need_authentication(api_client):
    assert api_client.get(RANKINGS).status_code == 401


def test_rankings_answer_503_with_a_reason_without_a_champion(investor_client, market_sample):
    response = investor_client.get(RANKINGS)
    assert response.status_code == 503
    assert "No champion" in response.json()["detail"]


def test_ranking_lists_buys_best_first_and_sells_worst_first(investor_client, market_sample, fast_training):
    version = champion_version()
    response = investor_client.get(RANKINGS)
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == body["data_date"] == "2021-04-21"
    assert body["horizon_days"] == 5
    assert body["model_version"]["id"] == version.pk
    buys, sells = body["buys"], body["sells"]
    assert buys and sells
    assert [e["rank"] for e in buys] == sorted(e["rank"] for e in buys)
    assert [e["rank"] for e in sells] == sorted((e["rank"] for e in sells), reverse=True)
    assert buys[0]["rank"] == 1 and sells[0]["rank"] == 12
    entry = buys[0]
    assert set(entry) == {
        "ticker", "side", "rank", "score", "expected_return", "predicted_volatility", "confidence"
    }  # fmt: skip
    assert entry["side"] == "buy" and 0 <= entry["confidence"] <= 1
    # the latest date is after every price the model saw: a genuine forecast
    assert body["in_sample"] is False and body["warning"] is None
    # every answer is a stored, traceable prediction
    assert Prediction.objects.filter(model_version=version, as_of="2021-04-21").count() == 12


def test_ranking_for_a_past_weekend_uses_the_last_trading_day(investor_client, market_sample, fast_training):
    champion_version()
    response = investor_client.get(RANKINGS, {"as_of": "2021-03-07", "side": "sell", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2021-03-07" and body["data_date"] == "2021-03-05"
    assert body["buys"] == [] and len(body["sells"]) == 1
    # the champion was trained on prices up to 2021-04-21: it saw what followed 2021-03-05
    assert body["in_sample"] is True
    assert "In-sample" in body["warning"] and "2021-04-21" in body["warning"]


def test_ranking_refuses_a_date_without_enough_history(investor_client, market_sample, fast_training):
    version = champion_version()
    # The stored prices start 2019-01-02: two days later no ticker has the 60-day history training needs.
    response = investor_client.get(RANKINGS, {"as_of": "2019-01-04"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert f"Model version {version.pk} cannot score 2019-01-04" in detail
    assert "none of the 12 tickers has the history" in detail
    assert not Prediction.objects.exists()


def test_ranking_refuses_a_future_date(investor_client, market_sample, fast_training):
    champion_version()
    response = investor_client.get(RANKINGS, {"as_of": "2999-01-01"})
    assert response.status_code == 400
    assert "in the future" in response.json()["detail"]
    assert not Prediction.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"side": "hold"}, {"limit": "0"}, {"limit": "501"}, {"limit": "many"}, {"as_of": "2021-13-01"}],
)
def test_ranking_refuses_bad_parameters_with_400(investor_client, params):
    response = investor_client.get(RANKINGS, params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(params)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": "hold"}, "side must be one of buy, sell"),
        ({"limit": 501}, "limit must be between 1 and 500"),
    ],
)
def test_the_ranking_service_validates_side_and_limit_for_every_caller(db, kwargs, message):
    with pytest.raises(DomainError, match=message):
        ranking.ranking_for(**kwargs)


def test_ranking_answers_503_while_the_monitoring_gate_is_closed(investor_client, closed_gate):
    # A real CRITICAL report (stale data three weeks after the last bar), not a stubbed gate.
    response = investor_client.get(RANKINGS)
    assert response.status_code == 503
    body = response.json()
    assert body["errors"]["state"] == "CRITICAL"
    assert closed_gate.get_absolute_url() in body["detail"]


def test_models_are_for_analysts_and_admins(investor_client, analyst_client, market_sample, fast_training):
    version = champion_version()
    assert investor_client.get("/api/v1/models/").status_code == 403
    listing = analyst_client.get("/api/v1/models/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["id"] == version.pk
    detail = analyst_client.get(f"/api/v1/models/{version.pk}/").json()
    assert detail["status"] == "champion"
    assert detail["metrics"]["oos"]["window"]["start"] == str(version.oos_start)
    assert detail["data_fingerprint"]["bars_sha256"] == version.data_sha256
    assert [e["action"] for e in detail["events"]] == ["promoted", "trained"]


def test_only_admins_promote_and_every_promotion_is_logged(
    analyst_client, admin_client_api, admin_user, market_sample, fast_training
):
    first = champion_version()
    second = trained_version()
    url = f"/api/v1/models/{second.pk}/promote/"
    assert analyst_client.post(url, {"reason": "looks better"}).status_code == 403
    assert admin_client_api.post(url, {}).status_code == 400  # a reason is required
    response = admin_client_api.post(url, {"reason": "looks better"})
    assert response.status_code == 200
    assert response.json()["status"] == "champion"
    assert registry.champion() == second
    event = RegistryEvent.objects.get(model_version=second, action="promoted")
    assert event.actor == admin_user and event.reason == "looks better"
    assert admin_client_api.post(url, {"reason": "again"}).status_code == 409

    back = admin_client_api.post("/api/v1/models/rollback/", {"reason": "regret"})
    assert back.status_code == 200 and back.json()["id"] == first.pk


def test_rollback_answers_after_a_tampered_champion_was_refused(
    admin_client_api, investor_client, admin_user, market_sample, fast_training
):
    first = champion_version()
    second = registry.promote(trained_version(), user=admin_user, reason="newer")
    path = registry.artefact_path(second)
    path.write_bytes(path.read_bytes() + b"tampered")
    refused = investor_client.get(RANKINGS)
    assert refused.status_code == 503 and "Roll back or retrain" in refused.json()["detail"]

    back = admin_client_api.post("/api/v1/models/rollback/", {"reason": "artefact corrupted"})
    assert back.status_code == 200 and back.json()["id"] == first.pk
    event = RegistryEvent.objects.filter(model_version=first, action="promoted").latest("id")
    assert event.actor == admin_user and "artefact corrupted" in event.reason
    assert investor_client.get(RANKINGS).json()["model_version"]["id"] == first.pk


def test_admin_queues_training_and_polls_the_job(
    admin_client_api, analyst_client, market_sample, fast_training, django_capture_on_commit_callbacks
):
    assert analyst_client.post("/api/v1/models/train/", {}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(
            "/api/v1/models/train/", {"algorithm": "ridge", "promote": True}, format="json"
        )
    assert response.status_code == 202
    job_url = response.json()["url"]
    assert response["Location"] == job_url
    job = admin_client_api.get(job_url).json()
    assert job["status"] == TrainingJob.Status.SUCCEEDED
    assert ModelVersion.objects.get(pk=job["model_version"]).status == "champion"


def test_train_refuses_an_unknown_algorithm(admin_client_api):
    response = admin_client_api.post("/api/v1/models/train/", {"algorithm": "momentum_12_1"}, format="json")
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()


def test_predictions_are_computed_after_each_successful_ingestion(market_sample, fast_training):
    version = champion_version()
    ingestion_succeeded.send(sender=IngestionRun, run=market_sample)
    assert Prediction.objects.filter(model_version=version, as_of="2021-04-21").count() == 12


def test_weekly_retraining_is_an_editable_beat_entry(db):
    entry = PeriodicTask.objects.get(name="mlcore: weekly retraining")
    assert entry.enabled and entry.crontab.day_of_week == "6"


def test_ranking_before_any_stored_price_is_404(investor_client, market_sample, fast_training):
    champion_version()
    response = investor_client.get(RANKINGS, {"as_of": "2010-01-04"})
    assert response.status_code == 404


def test_healthz_reports_the_champion_without_failing_the_site(client, market_sample, fast_training):
    body = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token").json()
    assert body["status"] == "ok"
    assert body["checks"]["champion_model"]["status"] == "down"
    assert body["checks"]["champion_model"]["required"] is False
    version = champion_version()
    check = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token").json()["checks"]["champion_model"]
    assert check["status"] == "ok" and check["model_version"] == version.pk


def test_admin_lists_versions_and_promotes_by_action(client, market_sample, fast_training, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    champion_version()
    challenger = trained_version()
    listing = client.get("/admin/mlcore/modelversion/")
    assert listing.status_code == 200 and challenger.edge_status in listing.content.decode()
    assert client.get(f"/admin/mlcore/modelversion/{challenger.pk}/change/").status_code == 200
    assert client.get("/admin/mlcore/prediction/").status_code == 200
    chosen = {"action": "promote_selected", "_selected_action": [challenger.pk]}
    form = client.post("/admin/mlcore/modelversion/", chosen)
    assert form.status_code == 200  # the action first asks why
    page = form.content.decode()
    assert ("Reason" in page and "no demonstrated edge" in page) or "demonstrated edge" in page
    blank = client.post("/admin/mlcore/modelversion/", {**chosen, "apply": "1", "reason": "  "})
    assert (
        blank.status_code == 200 and "Ce champ est obligatoire" in blank.content.decode()
    )  # French by default
    assert registry.champion() != challenger
    reason = "Analyst review: the ridge alpha fits this regime better"
    response = client.post("/admin/mlcore/modelversion/", {**chosen, "apply": "1", "reason": reason})
    assert response.status_code == 302
    assert registry.champion() == challenger
    event = RegistryEvent.objects.get(model_version=challenger, action="promoted", actor=admin_user)
    assert event.reason == reason


def test_admin_rollback_asks_for_the_reason_and_logs_it(client, market_sample, fast_training, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    first = champion_version()
    second = registry.promote(trained_version(), user=None, reason="second")
    chosen = {"action": "rollback_champion", "_selected_action": [second.pk]}
    assert client.post("/admin/mlcore/modelversion/", chosen).status_code == 200
    assert registry.champion() == second
    reason = "The new champion's artefact came from a wrong data file"
    response = client.post("/admin/mlcore/modelversion/", {**chosen, "apply": "1", "reason": reason})
    assert response.status_code == 302
    assert registry.champion() == first
    assert first.events.filter(action="promoted", reason__endswith=reason).exists()


def test_a_failed_training_job_reports_why(admin_client_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post("/api/v1/models/train/", {}, format="json")
    assert response.status_code == 202
    job = admin_client_api.get(response.json()["url"]).json()
    assert job["status"] == TrainingJob.Status.FAILED
    assert "No stored prices" in job["error"]
    assert not ModelVersion.objects.exists()
