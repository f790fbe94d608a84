"""The prediction gate: rankings, proposals and optimisation stop while the serving model is CRITICAL.

The gate is closed when the newest champion report is CRITICAL, it still judges the model that serves
(a newly promoted champion has not failed yet: "a model passes"), and no administrator override is
active. ``mlcore.serving.predict.served_predictions`` calls :func:`assert_open`; ``predictions_frame`` and
``mlcore.serving.ranking.ranking_for`` go through it, and every consumer (ranking API, proposals, optimiser)
through one of those.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from mlcore import monitoring
from mlcore.monitoring import messages
from mlcore.monitoring import selectors as monitoring_selectors
from mlcore.monitoring.models import GateOverride, MonitoringThresholds
from swingtrade.accounts import roles
from swingtrade.errors import Conflict, DomainError, ServiceUnavailable


@dataclass(frozen=True)
class GateState:
    is_open: bool
    state: str | None  # state of the newest serving report, None before the first run
    reason: str
    report_id: int | None = None
    report_url: str | None = None
    report_as_of: str | None = None
    overridden: bool = False
    override_by: str | None = None
    override_reason: str | None = None
    override_expires_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reason_text(self) -> str:
        """``reason`` in the reader's language (the stored English stays the record: API, logs)."""
        return messages.summary_text(self.reason)

    @property
    def public_reason(self) -> str:
        """The reason a user may read: an override says until when, never who or why."""
        if self.overridden:
            return messages.OVERRIDE_PUBLIC % {"until": self.override_expires_at}
        return self.reason

    def for_user(self, user: Any) -> dict[str, Any]:
        """What ``user`` may see: everything for analysts and admins; for investors the state and a
        user-facing reason, without who overrode the gate or why (that is the admins' business)."""
        data = self.as_dict()
        if roles.is_analyst(user):
            return data
        for private in ("override_by", "override_reason"):
            data.pop(private)
        data["reason"] = self.public_reason
        return data


def _current_champion_id() -> int | None:
    from mlcore.registry import versions as registry

    champion = registry.champion()
    return champion.pk if champion else None


def gate_state(*, now: datetime | None = None) -> GateState:
    now = now or timezone.now()  # only for the override's expiry: a record timestamp (see selectors)
    report = monitoring_selectors.latest_report()
    if report is None:
        return GateState(True, None, messages.NO_RUN)
    base = {
        "state": report.state,
        "report_id": report.pk,
        "report_url": report.get_absolute_url(),
        "report_as_of": report.as_of.isoformat(),
    }
    if report.state != monitoring.CRITICAL:
        return GateState(True, reason=report.summary, **base)
    if report.model_version_id != _current_champion_id():
        # Only a judgement of the model that serves now can block it: a newly promoted champion passes
        # until the next run judges it (the retraining task runs one right after promotion).
        return GateState(True, reason=messages.NEW_CHAMPION, **base)
    override = monitoring_selectors.active_override(now=now)
    if override is not None:
        return GateState(
            True,
            reason=messages.OVERRIDE % {"reason": override.reason},
            overridden=True,
            override_by=override.created_by.get_username(),
            override_reason=override.reason,
            override_expires_at=override.expires_at.isoformat(),
            **base,
        )
    return GateState(False, reason=report.summary, **base)


def assert_open() -> None:
    """Raise :class:`ServiceUnavailable` (HTTP 503) with the reason and the report URL while closed."""
    state = gate_state()
    if state.is_open:
        return
    raise ServiceUnavailable(
        f"Predictions are blocked: the model is {state.state} ({state.reason}). See {state.report_url}",
        details={"state": state.state, "reason": state.reason, "report_url": state.report_url},
    )


@transaction.atomic
def gate_override_create(*, user: Any, reason: str, hours: int) -> GateOverride:
    """Open a closed gate for ``hours`` (at most ``override_max_hours``); logged and e-mailed to admins."""
    from mlcore.monitoring import alerts

    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError("Give the reason for the override (at least 10 characters).")
    limit = MonitoringThresholds.load().override_max_hours
    if not 1 <= hours <= limit:
        raise DomainError(f"An override lasts between 1 and {limit} hours.")
    state = gate_state()
    if state.is_open:
        raise Conflict(f"The gate is open; there is nothing to override ({state.reason}).")
    now = timezone.now()
    override = GateOverride.objects.create(
        created_by=user,
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        report_id=state.report_id,
    )
    alerts.notify_override(override=override)
    return override


@transaction.atomic
def gate_override_revoke(*, user: Any) -> GateOverride:
    override = monitoring_selectors.active_override()
    if override is None:
        raise Conflict("No override is active.")
    override.revoked_at = timezone.now()
    override.revoked_by = user
    override.save(update_fields=["revoked_at", "revoked_by"])
    return override


def check_gate():
    """``/healthz`` part: the gate's state (not required — a closed gate is a decision, not an outage)."""
    from swingtrade.health import CheckResult

    state = gate_state()
    # /healthz is unauthenticated: the user-facing reason only (no override author or motive).
    detail = {
        "gate": "open" if state.is_open else "closed",
        "state": state.state,
        "reason": state.public_reason,
    }
    if state.report_url:
        detail["report_url"] = state.report_url
    return CheckResult(state.is_open, detail)
