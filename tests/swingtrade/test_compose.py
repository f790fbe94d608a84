"""docker-compose.yml stays consistent with what the settings read (Docker does not run here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_variables_without_default() -> set[str]:
    """Variables production settings cannot start without, read from the settings source."""
    production = (ROOT / "swingtrade/settings/production.py").read_text()
    required = set(re.findall(r'env\.\w+\("([A-Z_]+)"\)', production))
    # The embedded default covers these locally, but a deployment must set them.
    return required | {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}


def test_every_service_the_settings_need_is_defined_with_a_healthcheck(compose):
    services = compose["services"]
    for name in ("db", "redis", *APP_SERVICES):
        assert name in services, f"service {name} missing"
        assert "healthcheck" in services[name], f"service {name} has no healthcheck"


def test_web_worker_and_beat_share_one_image_and_environment(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    # The web service alone adds its statement timeout (tests/perf/test_server_command.py).
    web_only = {"DB_STATEMENT_TIMEOUT_MS"}
    environments = [
        {k: v for k, v in services[name]["environment"].items() if k not in web_only} for name in APP_SERVICES
    ]
    assert all(env == environments[0] for env in environments)


def test_app_services_receive_every_variable_the_settings_read(compose):
    services = compose["services"]
    needed = _settings_variables_without_default()
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        missing = needed - set(environment)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert environment["DJANGO_SETTINGS_MODULE"] == "swingtrade.settings.production"


def test_urls_point_at_the_compose_services(compose):
    environment = compose["services"]["web"]["environment"]
    assert "@db:5432" in environment["DATABASE_URL"]
    assert "redis://redis:6379" in environment["REDIS_URL"]


def test_worker_and_beat_run_celery_with_the_database_scheduler(compose):
    services = compose["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "swingtrade", "worker"]
    beat = services["beat"]["command"]
    assert "beat" in beat
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_env_example_documents_every_variable(compose):
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert _settings_variables_without_default() <= documented


def test_the_web_health_check_sends_an_allowed_host(compose):
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/healthz" in check
    assert "Host: $${ALLOWED_HOSTS" in check
