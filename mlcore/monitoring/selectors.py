"""Reads of monitoring records (views, the gate, the site's banner and the CLI use these)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport


def reports(*, role: str | None = None, state: str | None = None) -> QuerySet[MonitoringReport]:
    qs = MonitoringReport.objects.select_related("model_version")
    if role:
        qs = qs.filter(role=role)
    if state:
        qs = qs.filter(state=state)
    return qs


def latest_report(*, role: str = MonitoringReport.Role.CHAMPION) -> MonitoringReport | None:
    """The newest report for the serving side (champion, or the no-model report when none serves)."""
    roles = [role, MonitoringReport.Role.NONE] if role == MonitoringReport.Role.CHAMPION else [role]
    return reports().filter(role__in=roles).first()


def active_override(*, now: datetime | None = None) -> GateOverride | None:
    # An override lasts real hours from the moment an administrator granted it: its expiry is a record
    # timestamp compared with the wall clock, not a market day (the market clock does not apply).
    now = now or timezone.now()
    return (
        GateOverride.objects.select_related("created_by")
        .filter(revoked_at__isnull=True, created_at__lte=now, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("report")
