"""``/healthz`` part of the market app: how fresh the prices are and how the last ingestion went."""

from __future__ import annotations

from market import selectors
from market.models import IngestionRun
from swingtrade.health import CheckResult


def check_market_data() -> CheckResult:
    """Up when bars are stored and the latest ingestion run did not fail."""
    latest = selectors.latest_bar_date()
    last_run = (
        IngestionRun.objects.exclude(status=IngestionRun.Status.RUNNING).order_by("-started_at").first()
    )
    detail = {
        "latest_bar_date": latest.isoformat() if latest else None,
        "last_run": None
        if last_run is None
        else {"id": last_run.pk, "source": last_run.source, "status": last_run.status},
    }
    ok = latest is not None and (last_run is None or last_run.status != IngestionRun.Status.FAILED)
    return CheckResult(ok, detail)
