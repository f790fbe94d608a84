"""The decision: metrics → OK / WARN / CRITICAL with every reason that fired (thresholds in ``Rules``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from mlcore.monitoring import messages as msg
from mlcore.monitoring.freshness import Freshness
from mlcore.monitoring.performance import WindowMetrics

OK = "OK"
WARN = "WARN"
CRITICAL = "CRITICAL"
STATES = (OK, WARN, CRITICAL)
_SEVERITY = {OK: 0, WARN: 1, CRITICAL: 2}
INFO = "INFO"

# Reason codes that mean the *model* is broken (retraining may help), as opposed to data problems
# (stale bars, missing predictions) that retraining cannot fix.
PERFORMANCE_CODES = frozenset({"rank_ic_below_validation", "rank_ic_negative"})


def severity(state: str) -> int:
    return _SEVERITY[state]


@dataclass(frozen=True)
class Rules:
    """Thresholds of the decision. No defaults here: they live once, in ``settings.MONITORING_DEFAULTS``
    (each overridable by a ``MONITORING_*`` variable, reasoning in docs/monitoring.md), and reach the
    rules through the ``MonitoringThresholds`` row or :meth:`from_settings`."""

    short_window: int
    long_window: int
    min_dates: int
    warn_t: float
    critical_t: float
    psi_threshold: float
    drift_share_warn: float
    stale_warn_sessions: int
    stale_critical_sessions: int
    coverage_warn: float
    coverage_critical: float

    @classmethod
    def from_settings(cls) -> Rules:
        """The configured defaults (what a fresh ``MonitoringThresholds`` row starts from)."""
        from django.conf import settings

        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in settings.MONITORING_DEFAULTS.items() if k in names})


@dataclass(frozen=True)
class Reason:
    code: str
    level: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Evaluation:
    state: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def performance_critical(self) -> bool:
        return any(r.level == CRITICAL and r.code in PERFORMANCE_CODES for r in self.reasons)

    def summary(self) -> str:
        worst = [r.message for r in self.reasons if r.level == self.state]
        return msg.SUMMARY_SEPARATOR.join(worst) if worst else msg.ALL_PASSED


def evaluate(
    *,
    short: WindowMetrics | None,
    long: WindowMetrics | None,
    drift: float | None,
    freshness: Freshness | None,
    coverage_share: float | None,
    rules: Rules,
    has_model: bool = True,
) -> Evaluation:
    """Turn the metrics into a state and the reasons behind it (every check that fired, worst first)."""
    reasons: list[Reason] = []
    if not has_model:
        reasons.append(Reason("no_model", CRITICAL, msg.NO_MODEL))
    for wm, is_long in ((long, True), (short, False)):
        if wm is not None:
            reasons.extend(_performance_reasons(wm, rules, is_long=is_long))
    if drift is not None and drift >= rules.drift_share_warn:
        reasons.append(
            Reason(
                "feature_drift",
                WARN,
                msg.FEATURE_DRIFT
                % {
                    "share": f"{drift:.0%}",
                    "psi": f"{rules.psi_threshold:g}",
                    "limit": f"{rules.drift_share_warn:.0%}",
                },
            )
        )
    if freshness is not None:
        reasons.extend(_freshness_reasons(freshness, rules))
    if has_model and coverage_share is not None:
        level = (
            CRITICAL
            if coverage_share < rules.coverage_critical
            else WARN
            if coverage_share < rules.coverage_warn
            else None
        )
        if level:
            limit = rules.coverage_critical if level == CRITICAL else rules.coverage_warn
            reasons.append(
                Reason(
                    "low_coverage",
                    level,
                    msg.LOW_COVERAGE % {"share": f"{coverage_share:.0%}", "limit": f"{limit:.0%}"},
                )
            )
    state = max((r.level for r in reasons if r.level in _SEVERITY), key=severity, default=OK)
    reasons.sort(key=lambda r: -_SEVERITY.get(r.level, -1))
    return Evaluation(state, reasons)


def _performance_reasons(wm: WindowMetrics, rules: Rules, *, is_long: bool) -> list[Reason]:
    label = msg.WINDOW % {"days": wm.window}
    if wm.n_dates < rules.min_dates:
        return [
            Reason(
                "insufficient_history",
                INFO,
                msg.INSUFFICIENT_HISTORY % {"n": wm.n_dates, "window": label, "need": rules.min_dates},
            )
        ]
    out: list[Reason] = []
    t_val = wm.rank_ic_t_vs_validation
    t0 = wm.rank_ic_t
    desc = (
        msg.RANK_IC % {"window": label, "ic": f"{wm.rank_ic:+.4f}", "se": f"{wm.rank_ic_se:.4f}"}
        if wm.rank_ic_se
        else msg.RANK_IC_PLAIN % {"window": label}
    )
    # Only the long window may close the gate: 20 days of a 5-day label are ~4 independent draws.
    if is_long and t_val is not None and t_val <= -rules.critical_t:
        out.append(
            Reason(
                "rank_ic_below_validation",
                CRITICAL,
                msg.SIGNIFICANTLY_BELOW_VALIDATION
                % {"desc": desc, "t": f"{t_val:.2f}", "limit": f"{rules.critical_t:g}"},
            )
        )
    elif is_long and t0 is not None and t0 <= -rules.critical_t:
        out.append(
            Reason(
                "rank_ic_negative",
                CRITICAL,
                msg.SIGNIFICANTLY_NEGATIVE
                % {"desc": desc, "t": f"{t0:.2f}", "limit": f"{rules.critical_t:g}"},
            )
        )
    elif t_val is not None and t_val <= -rules.warn_t:
        out.append(
            Reason(
                "rank_ic_degraded",
                WARN,
                msg.BELOW_VALIDATION % {"desc": desc, "t": f"{t_val:.2f}", "limit": f"{rules.warn_t:g}"},
            )
        )
    elif t0 is not None and t0 <= -rules.warn_t:
        out.append(
            Reason(
                "rank_ic_degraded",
                WARN,
                msg.NEGATIVE % {"desc": desc, "t": f"{t0:.2f}", "limit": f"{rules.warn_t:g}"},
            )
        )
    if wm.hit_rate_t is not None and wm.hit_rate_t <= -rules.warn_t:
        out.append(
            Reason(
                "hit_rate_low",
                WARN,
                msg.HIT_RATE_LOW
                % {"window": label, "rate": f"{wm.hit_rate:.1%}", "t": f"{wm.hit_rate_t:.2f}"},
            )
        )
    return out


def _freshness_reasons(freshness: Freshness, rules: Rules) -> list[Reason]:
    if freshness.sessions_behind is None:
        return [Reason("no_data", CRITICAL, msg.NO_DATA)]
    behind = freshness.sessions_behind
    if behind >= rules.stale_critical_sessions:
        level = CRITICAL
    elif behind >= rules.stale_warn_sessions:
        level = WARN
    else:
        return []
    return [
        Reason(
            "stale_data",
            level,
            msg.STALE_DATA
            % {
                "bar": freshness.latest_bar,
                "behind": behind,
                "calendar": freshness.calendar,
                "expected": freshness.expected_session,
            },
        )
    ]
