"""Finding 1: servers and workers never run on the repository's keys; the JWT key is its own secret."""

from __future__ import annotations

import pytest

from swingtrade.settings.base import BUILTIN_JWT_SIGNING_KEY, BUILTIN_SECRET_KEY
from tests.security.processes import production_env, run_python, strong_key


def test_the_wsgi_server_started_with_no_environment_refuses_to_start(tmp_path):
    result = run_python("import swingtrade.wsgi", env={"DEBUG": "false", "SWINGTRADE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_asgi_server_started_with_no_environment_refuses_to_start(tmp_path):
    result = run_python("import swingtrade.asgi", env={"SWINGTRADE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_celery_workers_default_to_the_production_settings(tmp_path):
    code = "import os, swingtrade.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = run_python(code, env={"SWINGTRADE_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "swingtrade.settings.production"


@pytest.mark.parametrize(
    "variables",
    [
        {"DEBUG": "false"},
        {"DEBUG": "true", "ALLOWED_HOSTS": "swingtrade.example.com"},
        {"DEBUG": "true", "ALLOWED_HOSTS": "localhost,swingtrade.example.com"},
        {"DEBUG": "false", "SECRET_KEY": BUILTIN_SECRET_KEY},
    ],
    ids=["debug-off", "public-host", "one-public-host", "builtin-key-given-explicitly"],
)
def test_development_settings_refuse_the_builtin_key_off_a_developer_machine(tmp_path, variables):
    env = {"DJANGO_SETTINGS_MODULE": "swingtrade.settings.base", "SWINGTRADE_VAR_DIR": str(tmp_path)}
    result = run_python("import django; django.setup()", env={**env, **variables})
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment" in result.stderr


def test_a_real_secret_key_with_the_builtin_jwt_key_is_refused_too(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "swingtrade.settings.base", "SWINGTRADE_VAR_DIR": str(tmp_path)}
    result = run_python(
        "import django; django.setup()", env={**env, "DEBUG": "false", "SECRET_KEY": strong_key()}
    )
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be set" in result.stderr


def test_production_refuses_a_jwt_key_equal_to_the_secret_key(tmp_path):
    key = strong_key()
    env = production_env(SECRET_KEY=key, JWT_SIGNING_KEY=key, SWINGTRADE_VAR_DIR=str(tmp_path))
    result = run_python("import django; django.setup()", env=env)
    assert result.returncode != 0
    assert "different from SECRET_KEY" in result.stderr


def test_production_refuses_the_placeholders_of_env_example(tmp_path):
    placeholder = "change-me-to-64-random-characters-python-c-import-secrets-print-secrets-token-urlsafe-64"
    env = production_env(SECRET_KEY=placeholder, SWINGTRADE_VAR_DIR=str(tmp_path))
    result = run_python("import django; django.setup()", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


FORGE_AND_CALL = """
import datetime, django, jwt
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
admin = get_user_model().objects.create_superuser("admin", "a@example.com", "x-long-password-2026")
now = datetime.datetime.now(datetime.timezone.utc)
claims = {"token_type": "access", "exp": now + datetime.timedelta(minutes=5), "iat": now,
          "jti": "forged", "user_id": str(admin.pk)}
client = Client(HTTP_HOST="swingtrade.example.com")
def status(token):
    return client.get("/api/v1/auth/me/", secure=True, HTTP_AUTHORIZATION=f"Bearer {token}").status_code
print(status(jwt.encode(claims, %(secret)r, algorithm="HS256")),
      status(jwt.encode(claims, %(jwt_key)r, algorithm="HS256")),
      status(str(AccessToken.for_user(admin))))
"""


def test_an_admin_token_signed_with_a_repository_key_is_refused_in_production(tmp_path):
    code = FORGE_AND_CALL % {"secret": BUILTIN_SECRET_KEY, "jwt_key": BUILTIN_JWT_SIGNING_KEY}
    result = run_python(code, env=production_env(SWINGTRADE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    forged_with_secret, forged_with_jwt_default, genuine = result.stdout.split()[-3:]
    assert (forged_with_secret, forged_with_jwt_default) == ("401", "401")
    assert genuine == "200"  # the deployment's own key still works
