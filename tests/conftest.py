from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from swingtrade.accounts import roles
from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _remove_test_folders():
    """Test settings put artefacts and uploads in fresh temporary folders; remove them at the end."""
    yield
    for folder in (settings.MODEL_ARTIFACT_DIR, settings.MEDIA_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _drop_stray_postgres_sessions(django_db_setup, django_db_blocker):
    """Before pytest-django drops the PostgreSQL test database, end the sessions other threads left open.

    A live server (tests/e2e) answers requests on threads whose connections can outlive the test; one
    left open makes ``DROP DATABASE`` fail at teardown ("being accessed by other users").
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fresh_ranking_cache():
    """Each test starts with no cached ranking: the cache (LocMem, or Redis on CI) outlives the test's
    database, whose rolled-back champion and bars would otherwise still be served from it."""
    from mlcore.serving import generation as serving_generation

    serving_generation.move_generation()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def investor(db):
    return UserFactory(role=roles.INVESTOR)


@pytest.fixture
def analyst(db):
    return UserFactory(role=roles.ANALYST)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=roles.ADMIN)


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def investor_client(investor) -> APIClient:
    return _client_for(investor)


@pytest.fixture
def analyst_client(analyst) -> APIClient:
    return _client_for(analyst)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return _client_for(admin_user)


# --- market -------------------------------------------------------------------------------
# 12 tickers of the embedded sample covering all 11 GICS sectors (two from Information Technology).
MARKET_SAMPLE_TICKERS = (
    "AAPL", "MSFT", "AMZN", "GOOGL", "KO", "XOM", "JPM", "JNJ", "CAT", "NEE", "AMT", "DD",
)  # fmt: skip


@pytest.fixture
def market_sample(db):
    """The embedded sample's 12-ticker subset, 2019-01-01..2021-04-21, loaded; returns the IngestionRun."""
    from market.services import sample_load

    return sample_load(tickers=MARKET_SAMPLE_TICKERS, start="2019-01-01", end="2021-04-21")
