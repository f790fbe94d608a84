"""Finding 5 with a real broker and real worker processes: ``kill -9`` of a worker in the middle of an
ingestion leaves no run ``running`` past the task's time limit plus a minute (the issue's target: the
task is redelivered and completes, or its run is marked failed, within that time)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
TIME_LIMIT = 40  # seconds: the hard limit the worker runs with here (30 min in production)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"), reason="needs REDIS_URL: a real broker"),
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="swingtrade.settings.base",
        SWINGTRADE_VAR_DIR=str(tmp_path),  # one SQLite file shared by the worker processes and this test
        REDIS_URL=REDIS_URL,
        CELERY_TASK_TIME_LIMIT=str(TIME_LIMIT),
        LOG_LEVEL="WARNING",
    )
    return env


def _worker(env: dict[str, str], queue: str) -> subprocess.Popen:
    name = f"kill-{uuid.uuid4().hex[:6]}@%h"
    command = [sys.executable, "-m", "celery", "-A", "swingtrade", "worker", "--pool=solo", "-Q", queue]
    command += ["-n", name, "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _runs(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute("SELECT id, status FROM market_ingestionrun ORDER BY id").fetchall()


def _send(env: dict[str, str], queue: str, task: str) -> None:
    code = (
        "from celery import Celery; import sys; "
        f"Celery(broker={REDIS_URL!r}).send_task({task!r}, queue={queue!r})"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def test_a_killed_ingestion_is_redelivered_or_failed_within_the_time_limit_plus_a_minute(tmp_path):
    assert REDIS_URL, "CI must run this test against a real broker: REDIS_URL is not set"
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    db = tmp_path / "db.sqlite3"
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"  # this test's own queue: nothing else consumes it

    first = _worker(env, queue)
    _send(env, queue, "market.ingest_sample")
    deadline = time.monotonic() + 120
    running: list[int] = []
    while time.monotonic() < deadline and not running:
        running = [run_id for run_id, status in _runs(db) if status == "running"]
        time.sleep(0.05)
    assert running, "the ingestion never started"
    # Killed as soon as its run exists: the sample loads in a few seconds on an idle machine.
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = time.monotonic()
    killed_run = running[0]
    if dict(_runs(db))[killed_run] == "succeeded":
        pytest.skip("the ingestion finished before the kill landed: nothing was interrupted")

    second = _worker(env, queue)
    try:
        # Beat sends the sweep every minute in production; here the test sends it every 10 s.
        budget = TIME_LIMIT + 60 + 20  # time limit + a minute, + 20 s for slow CI start-up
        while time.monotonic() - killed_at < budget:
            if dict(_runs(db))[killed_run] != "running":
                break
            _send(env, queue, "market.fail_interrupted_runs")
            time.sleep(10)
        statuses = dict(_runs(db))
        assert statuses[killed_run] == "failed", statuses
        assert time.monotonic() - killed_at < budget
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
