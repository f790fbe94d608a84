"""The Redis cache backend (swingtrade/cache.py) against a real Redis: what one process writes or
invalidates, another sees at once — the rankings and JWT users rely on it."""

from __future__ import annotations

import os
import uuid

import pytest

from swingtrade.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")

# Skipped on a developer's machine without Redis; on CI (.ci/run sets CI and REDIS_URL) it must run.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"), reason="needs REDIS_URL: a real Redis"),
]


@pytest.fixture
def process_caches():
    """Two caches as two processes (a gunicorn worker, a Celery worker) build them from the settings;
    their connections are closed at the end (an open socket left to the garbage collector is an error)."""
    caches = [RedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"}) for _ in range(2)]
    yield caches
    for cache in caches:
        for pool in cache._cache._pools.values():
            pool.disconnect()


def test_two_processes_share_values_counters_and_deletions(process_caches):
    assert REDIS_URL, "CI must run this test against a real Redis: REDIS_URL is not set"
    web, worker = process_caches
    key = f"k-{uuid.uuid4().hex}"
    web.set(key, {"ranking": [1, 2, 3]}, 30)
    assert worker.get(key) == {"ranking": [1, 2, 3]}
    web.set(f"{key}-gen", 7, 30)
    worker.incr(f"{key}-gen")
    assert web.get(f"{key}-gen") == 8
    worker.delete(key)
    assert web.get(key) is None
    with pytest.raises(ValueError):
        web.incr(f"{key}-missing")  # what serving_cache relies on to restart a lost counter
