"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered.

Publishing is fail-fast (settings: 1 s connect timeout, no publish retry). When the broker cannot take
a task, :class:`ProjectTask` calls the handlers apps registered with :func:`on_publish_failure` (they
mark the run or job the task would have carried out as failed, so nothing is left ``running``) and
raises :class:`BrokerUnavailable`, which the API answers with a JSON 503.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from celery import Celery, Task

from swingtrade.errors import ServiceUnavailable

# Workers and beat default to production settings, like the web servers; `make worker` picks the development
# ones explicitly, and the eager embedded default needs no worker at all.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.production")

logger = logging.getLogger("swingtrade.celery")
_publish_failure_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


class BrokerUnavailable(ServiceUnavailable):
    code = "broker_unavailable"


def on_publish_failure(*task_names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``handler(*args, **kwargs)``, called with a task's arguments when it could not be queued."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        for name in task_names:
            _publish_failure_handlers[name].append(handler)
        return handler

    return register


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError, TimeoutError

    return (OperationalError, ConnectionError, TimeoutError)


class ProjectTask(Task):
    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception as exc:
            # The Redis result backend wraps its connection error in a RuntimeError ("retry limit exceeded").
            if not isinstance(exc, _broker_errors()) and not isinstance(exc.__cause__, _broker_errors()):
                raise
            logger.error("task not queued: broker unavailable", extra={"task": self.name, "error": str(exc)})
            for handler in _publish_failure_handlers.get(self.name, []):
                handler(*(args or ()), **(kwargs or {}))
            raise BrokerUnavailable("The task queue is unavailable; nothing was queued. Try again shortly.")


app = Celery("swingtrade", task_cls=ProjectTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="swingtrade.ping")
def ping(payload: str = "pong") -> str:
    """Round trip through the broker; used by the worker integration test and health checks."""
    return payload
