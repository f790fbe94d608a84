"""The ranking cache's generation: one counter that every event able to change a ranking moves.

Its own module (no import of the serving code) so that the writers of predictions can move it without
an import cycle with :mod:`mlcore.serving.cache`, which reads it.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger("swingtrade.mlcore.serving.cache")

GENERATION_KEY = "mlcore:serving:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Never restart from a small number: entries of an evicted counter's old values must not match.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    # None only when the cache does not answer (a Redis outage reads as a miss): a fresh number
    # every call, so nothing is ever served from a cache that cannot be invalidated.
    return int(value) if value is not None else time.time_ns()


def move_generation() -> None:
    """Orphan every entry now (no transaction involved; :func:`invalidate` is the hook to call)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted or cleared: a fresh value orphans every entry just as well
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def invalidate(reason: str) -> None:
    """Orphan every cached ranking now, and again when the current transaction commits.

    The second move matters: a request reading between this call and the commit still sees the old
    rows and may cache them under the new generation.
    """
    move_generation()
    transaction.on_commit(move_generation)
    logger.debug("ranking cache invalidated", extra={"reason": reason})
