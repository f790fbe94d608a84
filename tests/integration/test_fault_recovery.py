"""Finding 5: a broken broker or database is a fast JSON 503 with nothing left half-done; stale runs end.

The outages are real: the processes below are started against a port where nothing listens.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from market.models import IngestionRun
from market.tasks import fail_interrupted_runs
from tests.security.processes import run_python, strong_key

pytestmark = pytest.mark.integration

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_POSTGRES = "postgres://swingtrade:swingtrade@127.0.0.1:1/swingtrade"

BROKER_DOWN = """
import time, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from market.models import IngestionRun
from mlcore.models import TrainingJob
from swingtrade.accounts import services

admin = services.user_create(username="root", password="x-long-password-2026", role="admin")
client = APIClient()
client.force_authenticate(admin)
# The first round warms the process up as a server that has served before (view modules, yfinance, kombu's
# transport: seconds of imports on a loaded CI machine, not the outage's cost); the second is measured.
for attempt in range(2):
    for path, body in (("/api/v1/ingestion/runs/", {"symbols": ["AAPL"], "start": "2021-01-04"}),
                       ("/api/v1/models/train/", {})):
        started = time.perf_counter()
        response = client.post(path, body, format="json")
        if attempt:
            print(path, response.status_code, response["Content-Type"],
                  round(time.perf_counter() - started, 2), response.json().get("code"))
print("running", IngestionRun.objects.filter(status="running").count(),
      "queued", TrainingJob.objects.filter(status__in=["queued", "running"]).count())
"""


def test_broker_down_is_a_json_503_within_2_seconds_and_leaves_no_orphan_run(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base",
        "SWINGTRADE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": DEAD_REDIS,
        "LOG_LEVEL": "CRITICAL",
    }
    result = run_python(BROKER_DOWN, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if not line.startswith("{")][-3:]
    for line in lines[:2]:
        _path, status, content_type, seconds, code = line.split()
        assert status == "503", line
        assert content_type == "application/json"
        assert float(seconds) < 2.0, line
        assert code == "broker_unavailable"
    assert lines[2] == "running 0 queued 0"


DATABASE_DOWN = """
import django
django.setup()
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
from swingtrade.accounts.models import User
token = AccessToken()
token["user_id"] = "1"
client = Client(raise_request_exception=False)
api = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
print(api.status_code, api["Content-Type"], api.json()["code"])
client.cookies["sessionid"] = "a" * 32  # a signed-in browser: its session is read from the database
page = client.get("/")
print(page.status_code)
"""


def test_database_down_is_a_json_503_on_the_api_and_the_sites_page_elsewhere(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base",
        "SWINGTRADE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": DEAD_POSTGRES,
        "DEBUG": "false",  # Django's debug page otherwise; production keys then:
        "SECRET_KEY": strong_key(),
        "JWT_SIGNING_KEY": strong_key(),
        "LOG_LEVEL": "CRITICAL",
    }
    result = run_python(DATABASE_DOWN, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    api, page = [line for line in result.stdout.splitlines() if not line.startswith("{")][-2:]
    assert api == "503 application/json database_unavailable"
    assert page == "503"  # the site's own "temporarily unavailable" page


@pytest.mark.django_db
def test_the_sweep_fails_runs_left_running_past_the_time_limit_plus_a_minute():
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.STALE_RUN_GRACE_SECONDS
    stale = IngestionRun.objects.create(source=IngestionRun.Source.CSV)
    live = IngestionRun.objects.create(source=IngestionRun.Source.CSV)
    IngestionRun.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=limit + 5)
    )
    IngestionRun.objects.filter(pk=live.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=limit - 30)
    )
    assert fail_interrupted_runs.delay().get() == 1
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == IngestionRun.Status.FAILED
    assert "Interrupted" in stale.error
    assert live.status == IngestionRun.Status.RUNNING


def test_a_killed_task_is_redelivered_before_the_sweep_and_the_sweep_runs_every_minute():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= settings.CELERY_TASK_TIME_LIMIT + 60
    assert settings.CELERY_BEAT_SCHEDULE["fail-interrupted-runs"]["schedule"] <= 60
