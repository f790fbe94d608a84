"""Settings: the embedded default with nothing set, Redis/Celery with REDIS_URL, a strict production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.market.postgres import postgresql_only

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
    "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL,"
    "'scheduler': s.CELERY_BEAT_SCHEDULER, 'email': s.EMAIL_BACKEND, 'debug': s.DEBUG,"
    "'cache': s.CACHES['default']['BACKEND']}))"
)


def _settings_in_subprocess(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_with_nothing_set_the_embedded_default_serves(tmp_path):
    result = _settings_in_subprocess("swingtrade.settings.base", SWINGTRADE_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    probed = json.loads(result.stdout.strip().splitlines()[-1])
    assert probed["engine"] == "django.db.backends.sqlite3"
    assert probed["name"] == str(tmp_path / "db.sqlite3")
    assert probed["eager"] is True
    assert probed["broker"] == "memory://"
    assert probed["email"] == "django.core.mail.backends.console.EmailBackend"
    assert probed["cache"].endswith("LocMemCache")


def test_redis_url_switches_celery_to_the_broker_and_the_database_scheduler(tmp_path):
    result = _settings_in_subprocess(
        "swingtrade.settings.base",
        SWINGTRADE_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://u:p@db.example:5432/swing",
    )
    assert result.returncode == 0, result.stderr
    probed = json.loads(result.stdout.strip().splitlines()[-1])
    assert probed["eager"] is False
    assert probed["broker"] == "redis://127.0.0.1:6379/3"
    assert probed["scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert probed["engine"] == "django.db.backends.postgresql"
    assert probed["cache"].endswith("RedisCache")


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _settings_in_subprocess(
        "swingtrade.settings.production", SWINGTRADE_VAR_DIR=str(tmp_path), ALLOWED_HOSTS="example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_a_weak_secret_key(tmp_path):
    result = _settings_in_subprocess(
        "swingtrade.settings.production",
        SWINGTRADE_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="example.com",
        SECRET_KEY="short",
        JWT_SIGNING_KEY="j" * 64,
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="swingtrade.settings.production",
        SECRET_KEY="p" + "x9!Qz#4kLm2Vb7Rt8Yw1Nc5Hj3Gf6Ds0Ae-Uo_Ip+Tr=Ew*Ql@Zk%Xm^Cn&Bv" * 2,
        JWT_SIGNING_KEY="j" + "x9!Qz#4kLm2Vb7Rt8Yw1Nc5Hj3Gf6Ds0Ae-Uo_Ip+Tr=Ew*Ql@Zk%Xm^Cn&Bv" * 2,
        ALLOWED_HOSTS="swingtrade.example.com",
        SWINGTRADE_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_answers_the_container_health_check_without_redirecting(tmp_path):
    # What docker-compose's web health check does: plain HTTP, Host = the first allowed host.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="swingtrade.settings.production",
        SECRET_KEY="q" + "x9!Qz#4kLm2Vb7Rt8Yw1Nc5Hj3Gf6Ds0Ae-Uo_Ip+Tr=Ew*Ql@Zk%Xm^Cn&Bv" * 2,
        JWT_SIGNING_KEY="k" + "x9!Qz#4kLm2Vb7Rt8Yw1Nc5Hj3Gf6Ds0Ae-Uo_Ip+Tr=Ew*Ql@Zk%Xm^Cn&Bv" * 2,
        ALLOWED_HOSTS="swingtrade.example.com,localhost",
        SWINGTRADE_VAR_DIR=str(tmp_path),
    )
    probe = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.test import Client; c = Client(); "
        "print(c.get('/healthz', HTTP_HOST='swingtrade.example.com').status_code, "
        "c.get('/accounts/login/', HTTP_HOST='swingtrade.example.com').status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    health, page = result.stdout.split()[-2:]
    assert health == "200"
    assert page == "301"  # every other page still goes to HTTPS


STATEMENT_PROBE = (
    "import django; django.setup(); from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SELECT pg_sleep(0.5)')\n"
    "print('finished')"
)


@postgresql_only
@pytest.mark.parametrize(("timeout_ms", "finishes"), [("100", False), ("0", True)])
def test_the_web_services_statement_timeout_cuts_a_runaway_query(tmp_path, timeout_ms, finishes):
    # The WSGI server kills no request (docker-compose.yml): PostgreSQL cuts a query running longer
    # than DB_STATEMENT_TIMEOUT_MS; 0, the worker's setting, lets it run.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    clean.update(
        DJANGO_SETTINGS_MODULE="swingtrade.settings.base",
        SWINGTRADE_VAR_DIR=str(tmp_path),
        DATABASE_URL=os.environ["DATABASE_URL"],
        DB_STATEMENT_TIMEOUT_MS=timeout_ms,
    )
    result = subprocess.run(
        [sys.executable, "-c", STATEMENT_PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if finishes:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("finished")
    else:
        assert result.returncode != 0
        assert "canceling statement due to statement timeout" in result.stderr
