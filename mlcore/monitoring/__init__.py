"""Monitoring, one package: the pure rules (re-exported here) and their database side.

Pure, no ORM: ``drift``, ``freshness``, ``performance``, ``rules`` (the OK / WARN / CRITICAL decision).
Database side: ``models`` (app_label ``mlcore``), ``services`` and ``retraining`` (writes), ``selectors``
(reads), ``gate``, ``alerts``, ``tasks``, ``admin`` and ``api/``. The services read predictions, prices
and features and hand them to the pure functions; every number of a ``MonitoringReport`` comes from one
of them.

Statistics, and why (docs/monitoring.md has the long version):

- Daily cross-sectional IC (Pearson) and rank IC (Spearman), from :mod:`mlcore.evaluation.ic` (shared
  with training and promotion), between the stored score and the realised label (forward return
  relative to the universe), and a direction hit rate (score above the day's median ⇔ realised above
  the day's median; 0.5 under no skill).
- Labels over ``h`` days overlap, so consecutive daily ICs are correlated: standard errors are
  Newey-West (Bartlett kernel, ``h - 1`` lags), never the naive ``sd / sqrt(n)`` that would overstate
  significance about ``sqrt(h)``-fold and raise false alarms on noise.
- A window is CRITICAL only when its mean rank IC is *significantly* below the validation rank IC
  (t-stat beyond ``critical_t``) or significantly negative; with realistic ICs near 0 a point estimate
  alone says nothing.
"""

from __future__ import annotations

from mlcore.monitoring.drift import drift_share, feature_psi, psi, psi_from_quantiles
from mlcore.monitoring.freshness import (
    Freshness,
    as_of_moment,
    coverage,
    data_freshness,
)
from mlcore.monitoring.performance import WindowMetrics, window_metrics
from mlcore.monitoring.rules import (
    CRITICAL,
    INFO,
    OK,
    PERFORMANCE_CODES,
    STATES,
    WARN,
    Evaluation,
    Reason,
    Rules,
    evaluate,
    severity,
)

__all__ = [
    "CRITICAL",
    "INFO",
    "OK",
    "PERFORMANCE_CODES",
    "STATES",
    "WARN",
    "Evaluation",
    "Freshness",
    "Reason",
    "Rules",
    "WindowMetrics",
    "as_of_moment",
    "coverage",
    "data_freshness",
    "drift_share",
    "evaluate",
    "feature_psi",
    "psi",
    "psi_from_quantiles",
    "severity",
    "window_metrics",
]
