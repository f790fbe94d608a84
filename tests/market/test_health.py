from __future__ import annotations

import pytest

from market.health import check_market_data
from market.ingest import fail_run, start_run

pytestmark = pytest.mark.django_db


def test_market_data_is_up_once_loaded(market_sample):
    result = check_market_data()
    assert result.ok and result.detail["latest_bar_date"] == "2021-04-21"
    assert result.detail["last_run"]["status"] == "succeeded"


def test_market_data_is_down_after_a_failed_run(market_sample):
    fail_run(start_run(source="csv"), "broken file")
    assert not check_market_data().ok


def test_market_data_is_down_when_nothing_is_stored(db):
    assert not check_market_data().ok


def test_healthz_lists_the_market_check(client, market_sample):
    body = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token").json()
    assert body["checks"]["market_data"]["status"] == "ok"
    assert body["checks"]["market_data"]["required"] is False
