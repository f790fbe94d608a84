"""Replay requests that queue work: store the run, then fan it out on Celery once the row is committed.

Here rather than in services, so services never import tasks (the tasks call the services).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portfolio.replay import services
from portfolio.replay.models import ReplayRun
from portfolio.replay.tasks import replay_dispatch


@transaction.atomic
def replay_request(*, user: Any, params: dict[str, Any]) -> ReplayRun:
    run = services.replay_run_create(user=user, params=params)
    transaction.on_commit(lambda: replay_dispatch(run.pk))
    return run
