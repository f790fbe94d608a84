"""Replay runs: validate a request, store the ``ReplayRun``, run its parts, gather the statistics.

The API and the Celery tasks fan a run out as one part per (strategy, offset) and gather them
(:mod:`portfolio.replay.tasks`); the ``replay`` command, ``bootstrap`` and ``bench/replay.py`` run the
same parts in-process through :func:`replay_run_now`. Either way the numbers are computed by the
same functions.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import subprocess
import time
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portfolio import costs
from portfolio.replay.data import MarketData
from portfolio.replay.engine import RETRAIN_SCHEDULES, ReplayConfig, run_replay
from portfolio.replay.models import ReplayRun
from portfolio.replay.report import gather, part_result
from portfolio.replay.strategies import BENCHMARK, STRATEGIES
from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.portfolio.replay")
DATABASE = "database"
HISTORY_SESSIONS = 252  # the default start leaves a year of history for the risk model


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{name} must be an ISO date (YYYY-MM-DD); got {value!r}.")


def replay_params(
    *,
    start: Any = None,
    end: Any = None,
    data: str | None = None,
    strategies: list[str] | None = None,
    offsets: str | list[int] | None = None,
    rebalance_every: int = 5,
    retrain: str = "monthly",
    cost_preset: str = "french-online",
    initial_cash: float = 100_000.0,
) -> dict[str, Any]:
    """Validated, JSON-safe parameters of a run; bad input raises ``DomainError`` (400) naming it."""
    start_day, end_day = _date(start, "start"), _date(end, "end")
    if start_day and end_day and end_day <= start_day:
        raise DomainError("end must be after start.")
    names = list(strategies or STRATEGIES)
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown:
        raise DomainError(f"Unknown strategies: {', '.join(unknown)}; use {', '.join(STRATEGIES)}.")
    if BENCHMARK not in names:
        names.append(BENCHMARK)  # the Sharpe difference is measured against it
    if not isinstance(rebalance_every, int) or not 1 <= rebalance_every <= 63:
        raise DomainError("rebalance_every must be a whole number of sessions between 1 and 63.")
    if offsets in (None, "", "0"):
        chosen = [0]
    elif offsets == "all":
        chosen = list(range(rebalance_every))
    else:
        try:
            chosen = sorted({int(o) for o in (offsets.split(",") if isinstance(offsets, str) else offsets)})
        except (TypeError, ValueError):
            raise DomainError("offsets must be 'all' or a list of whole numbers.")
        if any(not 0 <= o < rebalance_every for o in chosen):
            raise DomainError(f"offsets must lie in 0…{rebalance_every - 1}.")
    if retrain not in RETRAIN_SCHEDULES:
        raise DomainError(f"retrain must be one of {', '.join(RETRAIN_SCHEDULES)}.")
    if cost_preset not in costs.PRESETS:
        raise DomainError(f"cost_preset must be one of {', '.join(costs.PRESETS)}.")
    try:
        cash = float(initial_cash)
    except (TypeError, ValueError):
        cash = float("nan")
    if not (math.isfinite(cash) and cash > 0):
        raise DomainError(f"initial_cash must be a positive amount; got {initial_cash!r}.")
    data = data or DATABASE
    if data != DATABASE and not Path(data).is_file():
        raise DomainError(f"No data file at {data}.")
    return {
        "start": start_day.isoformat() if start_day else None,
        "end": end_day.isoformat() if end_day else None,
        "data": data,
        "strategies": [n for n in STRATEGIES if n in names],
        "offsets": chosen,
        "rebalance_every": rebalance_every,
        "retrain": retrain,
        "cost_preset": cost_preset,
        "initial_cash": cash,
    }


@lru_cache(maxsize=2)
def _file_data(path: str, end: str | None) -> MarketData:
    return MarketData.from_csv(path, end=_date(end, "end"))


def load_data(params: dict[str, Any]) -> MarketData:
    """The bars of a run, up to its end: the stored ones, or a file (cached per worker process)."""
    end = _date(params["end"], "end")
    if params["data"] == DATABASE:
        from market import clock

        data = MarketData.from_database(end=end or clock.today())
    else:
        data = _file_data(params["data"], params["end"])
    if len(data.sessions) <= HISTORY_SESSIONS:
        raise DomainError("Not enough bars for a replay: at least a year of history is needed.")
    return data


def resolved_config(params: dict[str, Any], data: MarketData, offset: int) -> ReplayConfig:
    sessions = data.sessions
    start = _date(params["start"], "start") or sessions[HISTORY_SESSIONS].date()
    end = _date(params["end"], "end") or sessions[-1].date()
    try:
        return ReplayConfig(
            start=start,
            end=end,
            rebalance_every=params["rebalance_every"],
            offset=offset,
            retrain=params["retrain"],
            initial_cash=params["initial_cash"],
            cost_preset=params["cost_preset"],
        )
    except ValueError as exc:
        raise DomainError(str(exc))


def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def parts_of(run: ReplayRun) -> list[tuple[str, int]]:
    return [(s, o) for s in run.params["strategies"] for o in run.params["offsets"]]


@transaction.atomic
def replay_run_create(*, user: Any, params: dict[str, Any]) -> ReplayRun:
    run = ReplayRun.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params=params,
        code_version=code_version(),
    )
    run.parts_total = len(parts_of(run))
    run.save(update_fields=["parts_total"])
    return run


SESSIONS_PER_LOG_LINE = 250  # about a year of sessions: a long part leaves a trail in the logs


def replay_part(
    run_id: int, strategy_name: str, offset: int, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Run one (strategy, offset) of a stored run and count it done; returns the JSON-safe result.

    ``progress(done, total)`` is called after every session (the command's bar); the log gets one line
    every ``SESSIONS_PER_LOG_LINE`` sessions, so a Celery worker's part shows how far it is too.
    """
    run = ReplayRun.objects.get(pk=run_id)
    ReplayRun.objects.filter(pk=run_id, status=ReplayRun.Status.QUEUED).update(
        status=ReplayRun.Status.RUNNING
    )
    data = load_data(run.params)

    def session_done(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        if done % SESSIONS_PER_LOG_LINE == 0 or done == total:
            logger.info(
                "replay part progress",
                extra={
                    "replay_run": run_id,
                    "strategy": strategy_name,
                    "offset": offset,
                    "sessions_done": done,
                    "sessions": total,
                },
            )

    result = run_replay(data, resolved_config(run.params, data, offset), strategy_name, progress=session_done)
    part = part_result(result)
    part["data_fingerprint"] = data.fingerprint()
    ReplayRun.objects.filter(pk=run_id).update(parts_done=F("parts_done") + 1)
    return part


def replay_finish(run_id: int, parts: list[dict[str, Any]], *, seconds: float | None = None) -> ReplayRun:
    """Gather the parts into the run's results and mark it succeeded."""
    run = ReplayRun.objects.get(pk=run_id)
    run.results = gather(parts)
    run.data_fingerprint = parts[0]["data_fingerprint"] if parts else {}
    # Every offset retrains on the same days, so the same versions: keep each fingerprint once.
    run.model_versions = list({m["fingerprint"]: m for p in parts for m in p.get("models", [])}.values())
    run.status = ReplayRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.seconds = seconds if seconds is not None else (run.finished_at - run.created_at).total_seconds()
    run.parts_done = run.parts_total
    run.save()
    logger.info("replay finished", extra={"replay_run": run.pk, "seconds": run.seconds})
    return run


def replay_fail(run_id: int, error: str) -> None:
    ReplayRun.objects.filter(pk=run_id).update(
        status=ReplayRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def replay_run_now(
    *,
    params: dict[str, Any],
    user: Any = None,
    progress: Callable[[str, int], None] | None = None,
    session_progress: Callable[[str, int, int, int], None] | None = None,
) -> ReplayRun:
    """Run every part in this process (command, bootstrap, bench) and store the run like the API does.

    ``progress(strategy, offset)`` after each part; ``session_progress(strategy, offset, done, total)``
    after each session of a part.
    """
    started = time.perf_counter()
    run = replay_run_create(user=user, params=params)
    parts = []
    try:
        for strategy_name, offset in parts_of(run):
            on_session = partial(session_progress, strategy_name, offset) if session_progress else None
            parts.append(replay_part(run.pk, strategy_name, offset, progress=on_session))
            if progress:
                progress(strategy_name, offset)
    except DomainError as exc:
        replay_fail(run.pk, exc.message)
        raise
    return replay_finish(run.pk, parts, seconds=time.perf_counter() - started)


def latest_replay() -> ReplayRun | None:
    return ReplayRun.objects.filter(status=ReplayRun.Status.SUCCEEDED).first()


def replay_demo_ensure(*, progress: Callable[[str, int], None] | None = None) -> ReplayRun | None:
    """The demo's Track record: the default replay of the stored bars, computed once (``bootstrap``)."""
    if latest_replay() is not None:
        return None
    return replay_run_now(params=replay_params(), progress=progress)
