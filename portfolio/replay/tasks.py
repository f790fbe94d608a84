"""Celery tasks of the replay: one task per (strategy, offset), gathered by a chord's callback.

A longer history or more offsets scale by adding workers: the parts are independent. Tasks take ids
and plain values and call :mod:`portfolio.replay.services`.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import chord, shared_task

from portfolio.replay import services

logger = logging.getLogger("swingtrade.portfolio.replay")


@shared_task(name="portfolio.replay_part", acks_late=True)
def replay_part_task(run_id: int, strategy_name: str, offset: int) -> dict[str, Any]:
    try:
        return services.replay_part(run_id, strategy_name, offset)
    except Exception as exc:  # the run must say it failed rather than stay "running" forever
        services.replay_fail(run_id, f"{strategy_name} offset {offset}: {exc}")
        raise


@shared_task(name="portfolio.replay_finish")
def replay_finish_task(parts: list[dict[str, Any]], run_id: int) -> int:
    return services.replay_finish(run_id, parts).pk


def replay_dispatch(run_id: int) -> None:
    """Fan the run out over the workers and gather the parts when all are done."""
    run = services.ReplayRun.objects.get(pk=run_id)
    header = [replay_part_task.s(run_id, s, o) for s, o in services.parts_of(run)]
    chord(header)(replay_finish_task.s(run_id))
