"""The ranking served from the cache, never staler than the predictions, champion and gate it reflects.

A ranking costs ~100 ms of queries and pandas, yet changes once a day. An entry is keyed by
(generation, model version, data date, parameters):

- the model version and the latest data date come from a small *serving pointer* (champion id,
  latest stored bar date, gate open) cached under the same generation;
- the *generation* is a counter that every event able to change an answer moves
  (:func:`invalidate`): a ``ModelVersion`` saved or deleted (promotion, rollback, rejection), stored
  or deleted predictions, a monitoring report or gate override (the gate), and an ingestion that
  wrote bars (the data date). One move orphans every entry at once; orphans expire by timeout;
- while an administrator override keeps the gate open, the pointer lives no longer than the
  override, so the gate closes on time.

Refusals (bad input, no champion, gate closed, no prices) are never cached: they are decided afresh
on every request. The cache must be shared by every process that serves or writes (Redis in
production); the in-process default (``LocMemCache``) is right for one process only (runserver,
tests).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from mlcore.serving.generation import generation, invalidate

logger = logging.getLogger("swingtrade.mlcore.serving.cache")

#: Longest life of an entry; an event moves the generation long before in practice.
TIMEOUT_SECONDS = 6 * 3600


@dataclass(frozen=True)
class ServingPointer:
    version_id: int
    latest_data_date: date
    timeout: int


def _seconds_until(iso: str | None) -> int:
    if not iso:
        return TIMEOUT_SECONDS
    remaining = (datetime.fromisoformat(iso) - timezone.now()).total_seconds()
    return max(1, min(TIMEOUT_SECONDS, int(remaining)))


def _pointer(current: int) -> ServingPointer:
    """(champion, latest data date) under ``current``; raises the serving refusals (not cached)."""
    key = f"mlcore:serving:{current}:pointer"
    pointer = cache.get(key)
    if pointer is not None:
        return pointer
    from market import selectors
    from mlcore.monitoring import gate
    from mlcore.serving import predict
    from swingtrade.errors import NotFound

    version = predict.serving_champion()  # 503 without a champion
    state = gate.gate_state()
    if not state.is_open:
        gate.assert_open()  # 503 with the reason and the report's URL
    latest = selectors.latest_bar_date()
    if latest is None:
        raise NotFound("No stored prices.")
    pointer = ServingPointer(version.pk, latest, _seconds_until(state.override_expires_at))
    cache.set(key, pointer, pointer.timeout)
    return pointer


@dataclass(frozen=True)
class CachedRanking:
    """One ranking request resolved to its cache entry; ``etag`` is known before the body is built."""

    key: str
    etag: str
    as_of: date | None
    side: str | None
    limit: int | None
    timeout: int

    def body(self, render: Callable[[Any], dict]) -> dict:
        """The cached body, or ``render(ranking_for(...))`` stored for the next request."""
        body = cache.get(self.key)
        if body is None:
            from mlcore.serving import ranking

            body = dict(render(ranking.ranking_for(as_of=self.as_of, side=self.side, limit=self.limit)))
            cache.set(self.key, body, self.timeout)
        return body


def ranking_lookup(
    *, as_of: date | str | None = None, side: str | None = None, limit: int | str | None = None
) -> CachedRanking:
    """Resolve a ranking request to its cache entry, refusing as ``ranking_for`` does and in its order:
    bad ``side``/``limit``/``as_of`` (400), no champion (503), gate closed (503)."""
    from mlcore.serving import predict, ranking

    side, limit = ranking._validated(side, limit)
    requested = predict.parse_as_of(as_of)
    current = generation()
    pointer = _pointer(current)
    key = (
        f"mlcore:ranking:{current}:m{pointer.version_id}:d{pointer.latest_data_date.isoformat()}:"
        f"{requested.isoformat() if requested else 'latest'}:{side or 'both'}:{limit or 'all'}"
    )
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    return CachedRanking(key, etag, requested, side, limit, pointer.timeout)


def _on_change(sender: Any, **kwargs: Any) -> None:
    invalidate(f"{sender.__name__} changed")


def connect_invalidation() -> None:
    """Hooks for every event that changes a ranking; ``mlcore.apps`` calls this in every process.

    Predictions are stored with ``bulk_create`` (no signal): ``predict.predictions_compute`` calls
    :func:`invalidate` itself.
    """
    from market.signals import ingestion_succeeded
    from mlcore.models import ModelVersion, Prediction
    from mlcore.monitoring.models import GateOverride, MonitoringReport

    for model in (ModelVersion, Prediction, MonitoringReport, GateOverride):
        uid = f"mlcore.serving.cache.{model.__name__}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")
    ingestion_succeeded.connect(
        lambda sender, **kwargs: invalidate("bars ingested"),
        weak=False,
        dispatch_uid="mlcore.serving.cache.ingestion",
    )
