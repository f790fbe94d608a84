"""Who is acting: a context variable set per request (middleware), per task (Celery signal) and per
management command (manage.py). Pure Python: importable before Django is set up."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """A signed-in user (``user`` set) or a named non-human actor: ``task:…``, ``command:…``."""

    name: str
    user: Any = None


actor_var: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
request_var: ContextVar[Any] = ContextVar("audit_request", default=None)


def current_actor() -> Actor:
    """During a request its user (DRF copies a JWT user onto the Django request) or ``anonymous``;
    otherwise the task or command running, else ``system``."""
    request = request_var.get()
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return Actor(name=user.get_username(), user=user)
        return Actor(name="anonymous")  # e.g. a sign-up
    return actor_var.get() or Actor(name="system")
