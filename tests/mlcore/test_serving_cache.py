"""The cached ranking: served without queries, and never staler than champion, predictions, gate, data."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from django.utils import timezone

from market.ingest import ingest_frame
from market.selectors import bars_frame
from mlcore.monitoring.models import GateOverride
from mlcore.registry import versions as registry
from mlcore.serving import cache as serving_cache
from mlcore.serving import generation as serving_generation
from mlcore.serving import predict
from tests.mlcore.factories import champion_version, trained_version

RANKINGS = "/api/v1/rankings/"


@pytest.fixture
def cached_ranking(investor_client, champion):
    """The champion's latest ranking, sitting in the cache.

    Asked twice: the first request computes and stores the day's predictions, which (like any new
    prediction) orphans what was cached so far, its own answer included.
    """
    investor_client.get(RANKINGS, {"limit": 3})
    cached = investor_client.get(RANKINGS, {"limit": 3})
    assert cached.status_code == 200
    return cached


def test_a_repeated_ranking_is_answered_without_a_query(
    investor_client, cached_ranking, django_assert_num_queries
):
    with django_assert_num_queries(0):
        again = investor_client.get(RANKINGS, {"limit": 3})
    assert again.json() == cached_ranking.json()
    assert again["ETag"] == cached_ranking["ETag"]
    assert again["Cache-Control"] == "private, no-cache"


def test_a_client_holding_the_current_ranking_gets_304_without_a_body(investor_client, cached_ranking):
    response = investor_client.get(RANKINGS, {"limit": 3}, HTTP_IF_NONE_MATCH=cached_ranking["ETag"])
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == cached_ranking["ETag"]
    other = investor_client.get(RANKINGS, {"limit": 3}, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_parameters_are_part_of_the_key(investor_client, cached_ranking):
    sells = investor_client.get(RANKINGS, {"limit": 1, "side": "sell"}).json()
    assert sells["buys"] == [] and len(sells["sells"]) == 1
    assert len(cached_ranking.json()["buys"]) > 1


def test_a_promotion_is_served_on_the_next_request(investor_client, cached_ranking, champion, admin_user):
    challenger = trained_version(params={"alpha": 100.0})
    registry.promote(challenger, user=admin_user, reason="a better challenger")
    response = investor_client.get(RANKINGS, {"limit": 3})
    assert response.json()["model_version"]["id"] == challenger.pk != champion.pk
    assert response["ETag"] != cached_ranking["ETag"]


def test_a_rollback_is_served_on_the_next_request(investor_client, champion, admin_user):
    second = champion_version(params={"alpha": 100.0})
    assert investor_client.get(RANKINGS).json()["model_version"]["id"] == second.pk
    registry.rollback(user=admin_user, reason="the new champion misbehaves")
    assert investor_client.get(RANKINGS).json()["model_version"]["id"] == champion.pk


def test_a_closing_gate_stops_the_cached_ranking_and_an_override_reopens_it(
    investor_client, cached_ranking, admin_user
):
    from mlcore.monitoring import tasks as monitoring_tasks

    # Monitoring three weeks after the last bar: stale data, CRITICAL, the gate closes.
    monitoring_tasks.monitor.delay(as_of="2021-05-12").get()
    closed = investor_client.get(RANKINGS, {"limit": 3})
    assert closed.status_code == 503
    assert "Predictions are blocked" in closed.json()["detail"]

    now = timezone.now()
    GateOverride.objects.create(
        created_by=admin_user,
        reason="prices checked by hand",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    reopened = investor_client.get(RANKINGS, {"limit": 3})
    assert reopened.status_code == 200
    # Opened by an override: the entry lives no longer than the override, so the gate closes on time.
    assert serving_cache.ranking_lookup(limit=3).timeout <= 3600


def test_new_bars_move_the_ranking_to_the_new_data_date(
    investor_client, cached_ranking, champion, django_capture_on_commit_callbacks
):
    assert cached_ranking.json()["data_date"] == "2021-04-21"
    last = bars_frame(end="2021-04-21", start="2021-04-21")
    with django_capture_on_commit_callbacks(execute=True):  # ingestion_succeeded is sent on commit
        ingest_frame(frame=last.assign(date=pd.Timestamp("2021-04-22")), source="csv")
    assert investor_client.get(RANKINGS, {"limit": 3}).json()["data_date"] == "2021-04-22"


def test_stored_predictions_invalidate_the_cached_rankings(
    investor_client, cached_ranking, champion, django_assert_max_num_queries
):
    before = serving_generation.generation()
    predict.predictions_compute(version=champion, data_date=pd.Timestamp("2021-04-20").date())
    assert serving_generation.generation() != before
    # Rebuilt from the database (not the orphaned entry), with the same stored predictions.
    with django_assert_max_num_queries(30) as queries:
        again = investor_client.get(RANKINGS, {"limit": 3})
    assert len(queries) > 0
    assert again.json()["buys"] == cached_ranking.json()["buys"]


def test_refusals_are_not_cached(investor_client, market_sample):
    assert investor_client.get(RANKINGS).status_code == 503  # no champion yet
    champion_version()
    assert investor_client.get(RANKINGS).status_code == 200
    assert investor_client.get(RANKINGS, {"side": "short"}).status_code == 400
