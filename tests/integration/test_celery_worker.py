"""A real Celery worker process, started against Redis, completes a task sent through the broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

# Skipped on a developer's machine without Redis; on CI (.ci/run sets CI and REDIS_URL) it must run.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"), reason="needs REDIS_URL: a real broker"),
]


@pytest.fixture
def worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base", "REDIS_URL": REDIS_URL}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    name = f"ci-{uuid.uuid4().hex[:8]}@%h"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "swingtrade",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()  # an unclosed pipe is a ResourceWarning, an error in the tests


def test_a_task_sent_through_redis_is_completed_by_a_worker_process(worker):
    assert REDIS_URL, "CI must run this test against a real broker: REDIS_URL is not set"
    from celery import Celery

    client = Celery("swingtrade-client", broker=REDIS_URL, backend=REDIS_URL)
    payload = f"hello-{uuid.uuid4().hex}"
    deadline = time.monotonic() + 90
    result = client.send_task("swingtrade.ping", args=[payload])
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"worker exited early:\n{worker.stdout.read()}")
        if result.ready():
            break
        time.sleep(0.5)
    assert result.ready(), "the worker did not complete the task within 90 s"
    assert result.get(timeout=5) == payload
