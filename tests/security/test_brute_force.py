"""Finding 3: wrong passwords lock the (username, IP) pair with back-off; the token view is throttled."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from swingtrade.accounts.lockout import cool_off_seconds
from tests.factories import DEFAULT_PASSWORD
from tests.security.processes import run_python

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _token(client: APIClient, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_the_token_endpoint_locks_the_pair_after_the_failure_limit_even_for_the_right_password(investor):
    client = APIClient()
    statuses = [_token(client, investor.username, f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]

    locked = _token(client, investor.username, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "locked_out"
    assert "try again later" in body["detail"]
    assert int(locked["Retry-After"]) >= settings.LOCKOUT_BASE_SECONDS
    assert "access" not in body


def test_the_lock_is_per_username_and_address(investor):
    client = APIClient()
    for i in range(5):
        _token(client, investor.username, f"wrong-{i}", ip="203.0.113.7")
    assert _token(client, investor.username, DEFAULT_PASSWORD, ip="198.51.100.20").status_code == 200
    # A forged X-Forwarded-For does not give the guesser a fresh counter.
    spoofed = client.post(
        TOKEN_URL,
        {"username": investor.username, "password": DEFAULT_PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert spoofed.status_code == 429


def test_a_success_before_the_limit_resets_the_count(investor):
    client = APIClient()
    for i in range(4):
        _token(client, investor.username, f"wrong-{i}")
    assert _token(client, investor.username, DEFAULT_PASSWORD).status_code == 200
    assert [_token(client, investor.username, "wrong").status_code for _ in range(4)] == [401] * 4


def test_the_cool_off_doubles_with_each_failure_past_the_limit_up_to_a_cap():
    limit, base = settings.AXES_FAILURE_LIMIT, settings.LOCKOUT_BASE_SECONDS
    assert cool_off_seconds(limit) == base
    assert cool_off_seconds(limit + 1) == 2 * base
    assert cool_off_seconds(limit + 3) == 8 * base
    assert cool_off_seconds(limit + 10_000) == settings.LOCKOUT_MAX_SECONDS


def test_the_token_endpoint_is_throttled_per_client_with_the_json_error_body(monkeypatch, db):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    client = APIClient()
    # Different unknown usernames: the lockout never triggers, the throttle does.
    statuses = [_token(client, f"nobody-{i}", "x").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    body = _token(client, "nobody-9", "x").json()
    assert body["code"] == "throttled"


def test_the_login_form_shows_a_clear_page_when_locked(client, investor):
    for i in range(5):
        response = client.post(
            "/accounts/login/",
            {"username": investor.username, "password": f"wrong-{i}"},
            REMOTE_ADDR="203.0.113.8",
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop d’échecs de connexion" in page  # the site's default language
    assert "Réessayez dans" in page
    right = client.post(
        "/accounts/login/",
        {"username": investor.username, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.8",
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_counters_live_in_redis_when_it_is_configured(tmp_path):
    probe = "import django; django.setup(); from django.conf import settings as s; print(s.AXES_HANDLER)"
    env = {"DJANGO_SETTINGS_MODULE": "swingtrade.settings.base", "SWINGTRADE_VAR_DIR": str(tmp_path)}
    with_redis = run_python(probe, env={**env, "REDIS_URL": "redis://127.0.0.1:6379/3"})
    without = run_python(probe, env=env)
    assert with_redis.stdout.strip().splitlines()[-1] == "axes.handlers.cache.AxesCacheHandler"
    # Without Redis the locmem cache would be per process: the database is shared instead.
    assert without.stdout.strip().splitlines()[-1] == "axes.handlers.database.AxesDatabaseHandler"
