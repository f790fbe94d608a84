"""Django's admin autodiscovery imports ``mlcore.admin``: each part registers its own pages on import."""

from __future__ import annotations

from mlcore.monitoring import admin as monitoring_admin  # noqa: F401  (reports, alerts, overrides, thresholds)
from mlcore.registry import admin as registry_admin  # noqa: F401  (versions, events, predictions, jobs)
