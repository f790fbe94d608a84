"""Finding 2: the demo logins (passwords in the repository) never exist under production settings."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from swingtrade.accounts import services
from tests.security.processes import production_env, run_python

PRODUCTION_BOOTSTRAP = """
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from swingtrade.accounts import services
call_command("migrate", verbosity=0)
try:
    call_command("bootstrap", "--demo")
    print("bootstrap-accepted")
except CommandError as exc:
    print("bootstrap-refused:", exc)
try:
    services.demo_accounts_ensure()
    print("service-accepted")
except services.DemoAccountsRefused:
    print("service-refused")
print("default", settings.DEMO_ACCOUNTS_BY_DEFAULT, "users", get_user_model().objects.count())
"""


def test_production_settings_refuse_demo_logins_whatever_the_flags(tmp_path):
    result = run_python(PRODUCTION_BOOTSTRAP, env=production_env(SWINGTRADE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-3].startswith("bootstrap-refused: demo accounts are never created")
    assert lines[-2] == "service-refused"
    assert lines[-1] == "default False users 0"  # no flag means no demo there either


@pytest.mark.django_db
def test_a_refused_demo_request_does_no_work_at_all(settings):
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError, match="never created under production"):
        call_command("bootstrap", "--demo")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_development_settings_create_the_demo_logins_on_request(settings):
    settings.DEMO_ACCOUNTS_ALLOWED = True
    accounts = services.demo_accounts_ensure()
    assert {a.username for a in accounts} == {"investor", "analyst", "admin"}
    assert get_user_model().objects.get(username="admin").check_password("admin-demo-2026")
