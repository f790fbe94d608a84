"""``ReplayRun`` lives in :mod:`portfolio.models` (one models module per app); this name keeps the replay's
imports short."""

from __future__ import annotations

from portfolio.models import ReplayRun

__all__ = ["ReplayRun"]
