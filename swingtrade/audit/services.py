"""``record``: the one way a write is audited — a row in AuditEvent and a log line with the same fields."""

from __future__ import annotations

import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from swingtrade.audit.context import Actor, current_actor
from swingtrade.audit.models import AuditEvent
from swingtrade.logging import request_id_var

logger = logging.getLogger("swingtrade.audit")


def _json_safe(details: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(details, cls=DjangoJSONEncoder, default=str))


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    details: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Store and log one audited write; the actor defaults to the request's user, task or command."""
    actor = actor or current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent.objects.create(
        actor=actor.name[:150],
        user=actor.user,
        action=action[:80],
        object_type=object_type[:80],
        object_id=str(object_id or "")[:64],
        request_id=request_id_var.get() or "",
        details=_json_safe(details or {}),
    )
    logger.info(
        "audit",
        extra={
            "actor": event.actor,
            "audit_action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "details": event.details,
        },
    )
    return event
