from __future__ import annotations

import pytest
from django.db import OperationalError

from swingtrade import health

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_every_required_part_answers(client):
    response = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"


def test_healthz_reports_a_broken_database_as_503(client, monkeypatch):
    class BrokenConnection:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down"
    assert "Connection refused" in body["checks"]["database"]["error"]


def test_healthz_reports_an_unreachable_broker_as_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


def test_an_optional_check_that_fails_does_not_take_the_service_down(client, monkeypatch):
    def broken() -> health.CheckResult:
        raise RuntimeError("boom")

    monkeypatch.setitem(health._checks, "extra", health.Check("extra", broken, required=False))
    response = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token")
    assert response.status_code == 200
    assert response.json()["checks"]["extra"]["status"] == "down"


def test_anonymous_callers_learn_only_up_or_down(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_staff_see_the_details_without_a_token(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/healthz").json()["checks"]["database"]["status"] == "ok"


def test_a_wrong_token_gets_no_details(client):
    assert "checks" not in client.get("/healthz", HTTP_X_HEALTH_TOKEN="guess").json()
