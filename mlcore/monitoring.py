"""Monitoring metrics and the OK / WARN / CRITICAL decision: pure functions on DataFrames, no ORM.

The service layer (:mod:`mlcore.monitoring_services`) reads predictions, prices and features from the
database and hands them here; every number of a ``MonitoringReport`` comes from one function below.

Statistics, and why (docs/monitoring.md has the long version):

- Daily cross-sectional IC (Pearson) and rank IC (Spearman) between the stored score and the realised
  label (forward return relative to the universe), and a direction hit rate (score above the day's median
  ⇔ realised above the day's median; 0.5 under no skill).
- Labels over ``h`` days overlap, so consecutive daily ICs are correlated: standard errors are
  Newey-West (Bartlett kernel, ``h - 1`` lags), never the naive ``sd / sqrt(n)`` that would overstate
  significance about ``sqrt(h)``-fold and raise false alarms on noise.
- A window is CRITICAL only when its mean rank IC is *significantly* below the validation rank IC
  (t-stat beyond ``critical_t``) or significantly negative; with realistic ICs near 0 a point estimate
  alone says nothing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

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


# --- Performance on matured predictions ------------------------------------------------------------------


def daily_scores(scores: pd.Series, realised: pd.Series, *, min_tickers: int = 5) -> pd.DataFrame:
    """Per-date IC, rank IC and hit rate of scores against realised labels.

    Parameters
    ----------
    scores : Series
        Model scores, MultiIndex ``(date, ticker)``.
    realised : Series
        Realised labels (forward relative return), MultiIndex ``(date, ticker)``; NaN where the label
        has not matured yet.
    min_tickers : int
        Dates with fewer scored-and-realised tickers are skipped (a correlation of 3 points is noise).

    Returns
    -------
    DataFrame
        Indexed by date (ascending), columns ``ic, rank_ic, hit_rate, n``.
    """
    joined = pd.concat({"score": scores, "realised": realised}, axis=1, join="inner").dropna()
    columns = ["ic", "rank_ic", "hit_rate", "n"]
    if joined.empty:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="date"), dtype=float)
    dates = joined.index.get_level_values(0)
    rows: dict[Any, tuple[float, float, float, int]] = {}
    for day, group in joined.groupby(dates, sort=True):
        n = len(group)
        if n < min_tickers:
            continue
        s = group["score"].to_numpy(dtype=float)
        r = group["realised"].to_numpy(dtype=float)
        ic = _pearson(s, r)
        rank_ic = _pearson(_rank(s), _rank(r))
        above_s = s > np.median(s)
        above_r = r > np.median(r)
        hit = float(np.mean(above_s == above_r))
        rows[day] = (ic, rank_ic, hit, n)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame.sort_index()


def _rank(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank(method="average").to_numpy()


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denom if denom > 0 else float("nan")


def newey_west_se(values: np.ndarray, *, lags: int) -> float:
    """Standard error of the mean of a serially correlated series (Bartlett kernel).

    ``lags = h - 1`` covers the correlation that ``h``-day overlapping labels induce.
    Returns NaN for fewer than two finite values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return float("nan")
    e = x - x.mean()
    variance = float(e @ e) / n
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1)
        variance += 2.0 * weight * float(e[lag:] @ e[:-lag]) / n
    # The small-sample factor n/(n-1) makes the lag-0 case equal the usual sample SE.
    variance *= n / (n - 1)
    return math.sqrt(variance / n) if variance > 0 else float("nan")


@dataclass(frozen=True)
class WindowMetrics:
    """Realised quality over the last ``window`` dates with matured predictions."""

    window: int
    n_dates: int
    start: str | None
    end: str | None
    ic: float | None
    rank_ic: float | None
    rank_ic_se: float | None
    rank_ic_t: float | None
    rank_ic_t_vs_validation: float | None
    hit_rate: float | None
    hit_rate_t: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def window_metrics(
    daily: pd.DataFrame,
    *,
    window: int,
    horizon: int,
    validation_rank_ic: float | None = None,
    validation_rank_ic_se: float | None = None,
) -> WindowMetrics:
    """Summarise the last ``window`` rows of :func:`daily_scores` with HAC t-statistics.

    ``rank_ic_t_vs_validation`` tests the realised mean against the validation mean; the validation
    standard error (when known) is added in quadrature since both are estimates.
    """
    tail = daily.dropna(subset=["rank_ic"]).sort_index().tail(window)
    n = len(tail)
    if n == 0:
        return WindowMetrics(window, 0, None, None, None, None, None, None, None, None, None)
    lags = max(horizon - 1, 0)
    rank_ic = float(tail["rank_ic"].mean())
    se = newey_west_se(tail["rank_ic"].to_numpy(), lags=lags)
    t = rank_ic / se if _finite_positive(se) else None
    t_val = None
    if validation_rank_ic is not None and _finite_positive(se):
        total_se = math.sqrt(se**2 + (validation_rank_ic_se or 0.0) ** 2)
        t_val = (rank_ic - validation_rank_ic) / total_se
    hit = float(tail["hit_rate"].mean())
    hit_se = newey_west_se(tail["hit_rate"].to_numpy(), lags=lags)
    hit_t = (hit - 0.5) / hit_se if _finite_positive(hit_se) else None
    return WindowMetrics(
        window=window,
        n_dates=n,
        start=tail.index[0].date().isoformat(),
        end=tail.index[-1].date().isoformat(),
        ic=_clean(tail["ic"].mean()),
        rank_ic=_clean(rank_ic),
        rank_ic_se=_clean(se),
        rank_ic_t=_clean(t),
        rank_ic_t_vs_validation=_clean(t_val),
        hit_rate=_clean(hit),
        hit_rate_t=_clean(hit_t),
    )


def _finite_positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- Feature drift -----------------------------------------------------------------------------------------


def psi(reference: np.ndarray, current: np.ndarray, *, bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the reference deciles (for ``bins=10``), open at both ends so every current value
    lands in a bin; empty bins are floored at ``floor`` so the log stays finite. Conventional
    reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant shift.
    Returns NaN when either side has no finite value or the reference is constant.
    """
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref = ref[np.isfinite(ref)]
    cur = cur[np.isfinite(cur)]
    if len(ref) == 0 or len(cur) == 0:
        return float("nan")
    edges = np.unique(np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    if len(edges) == 0 or ref.min() == ref.max():
        return float("nan")
    ref_share = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    cur_share = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
    ref_share = np.maximum(ref_share, floor)
    cur_share = np.maximum(cur_share, floor)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def psi_from_quantiles(
    levels: list[float] | np.ndarray,
    values: list[float] | np.ndarray,
    current: np.ndarray,
    *,
    floor: float = 1e-4,
) -> float:
    """PSI of ``current`` against a reference summarised by its quantiles.

    ``values[i]`` is the reference's ``levels[i]`` quantile (e.g. levels 0.1 … 0.9, the deciles stored
    with a model version), so the reference share between two consecutive edges is the difference of
    their levels. Tied quantile values (a mass point) merge their bins.
    """
    lv = np.asarray(levels, dtype=float)
    qv = np.asarray(values, dtype=float)
    keep = np.isfinite(lv) & np.isfinite(qv)
    lv, qv = lv[keep], qv[keep]
    cur = np.asarray(current, dtype=float)
    cur = cur[np.isfinite(cur)]
    if len(lv) == 0 or len(cur) == 0:
        return float("nan")
    order = np.argsort(lv)
    lv, qv = lv[order], qv[order]
    edges = np.unique(qv)
    # Level reached at each distinct edge = the highest level whose quantile equals it.
    cum = np.array([lv[qv == e].max() for e in edges])
    ref_share = np.diff(np.concatenate([[0.0], cum, [1.0]]))
    cur_share = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    ref_share = np.maximum(ref_share, floor)
    cur_share = np.maximum(cur_share, floor)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def feature_psi(reference: pd.DataFrame, current: pd.DataFrame, *, bins: int = 10) -> pd.Series:
    """PSI of every feature column present in both frames (rows: (date, ticker) observations)."""
    columns = [c for c in reference.columns if c in current.columns]
    values = {c: psi(reference[c].to_numpy(), current[c].to_numpy(), bins=bins) for c in columns}
    return pd.Series(values, dtype=float, name="psi")


def drift_share(psi_values: pd.Series, *, threshold: float) -> float | None:
    """Share of features (with a defined PSI) whose PSI exceeds ``threshold``."""
    defined = psi_values.dropna()
    if defined.empty:
        return None
    return float((defined > threshold).mean())


# --- Data freshness and coverage ----------------------------------------------------------------------


@lru_cache(maxsize=4)
def _calendar(name: str):
    import exchange_calendars

    return exchange_calendars.get_calendar(name)


@dataclass(frozen=True)
class Freshness:
    calendar: str
    latest_bar: str | None
    expected_session: str
    sessions_behind: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_session(now: datetime, *, calendar: str = "XNYS") -> pd.Timestamp:
    """The latest session whose close is at or before ``now`` (``now`` naive means UTC)."""
    cal = _calendar(calendar)
    moment = pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    day = pd.Timestamp(moment.date())
    day = min(max(day, cal.first_session), cal.last_session)
    session = cal.date_to_session(day, direction="previous")
    if cal.session_close(session) > moment:
        session = cal.previous_session(session)
    return session


def as_of_moment(as_of: date) -> datetime:
    """End of an as-of day in UTC: the day's session (if any) has closed."""
    return datetime.combine(as_of, time(23, 59)) if not isinstance(as_of, datetime) else as_of


def data_freshness(latest_bar: date | None, *, now: datetime, calendar: str = "XNYS") -> Freshness:
    """How many exchange sessions closed after the latest stored bar (0 = up to date)."""
    expected = expected_session(now, calendar=calendar)
    if latest_bar is None:
        return Freshness(calendar, None, expected.date().isoformat(), None)
    cal = _calendar(calendar)
    start = pd.Timestamp(latest_bar) + timedelta(days=1)
    behind = 0 if start > expected else len(cal.sessions_in_range(max(start, cal.first_session), expected))
    return Freshness(
        calendar, pd.Timestamp(latest_bar).date().isoformat(), expected.date().isoformat(), behind
    )


def coverage(predicted: set[str] | list[str], expected: set[str] | list[str]) -> float | None:
    """Share of expected tickers (those with a bar on the data date) that have a prediction."""
    expected_set = set(expected)
    if not expected_set:
        return None
    return len(expected_set & set(predicted)) / len(expected_set)


# --- The decision --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Thresholds of the decision; defaults documented (with the reasoning) in docs/monitoring.md."""

    short_window: int = 20
    long_window: int = 60
    min_dates: int = 10
    warn_t: float = 2.0
    critical_t: float = 2.5
    psi_threshold: float = 0.25
    drift_share_warn: float = 0.5
    stale_warn_sessions: int = 1
    stale_critical_sessions: int = 5
    coverage_warn: float = 0.9
    coverage_critical: float = 0.5


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
        return "; ".join(worst) if worst else "all checks passed"


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
        reasons.append(Reason("no_model", CRITICAL, "No champion model is serving predictions."))
    for wm, is_long in ((long, True), (short, False)):
        if wm is not None:
            reasons.extend(_performance_reasons(wm, rules, is_long=is_long))
    if drift is not None and drift >= rules.drift_share_warn:
        reasons.append(
            Reason(
                "feature_drift",
                WARN,
                f"{drift:.0%} of features drifted (PSI > {rules.psi_threshold:g}) against the training "
                f"window (threshold {rules.drift_share_warn:.0%}).",
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
                    f"Predictions cover {coverage_share:.0%} of the tickers with data "
                    f"(threshold {limit:.0%}).",
                )
            )
    state = max((r.level for r in reasons if r.level in _SEVERITY), key=severity, default=OK)
    reasons.sort(key=lambda r: -_SEVERITY.get(r.level, -1))
    return Evaluation(state, reasons)


def _performance_reasons(wm: WindowMetrics, rules: Rules, *, is_long: bool) -> list[Reason]:
    label = f"{wm.window}-day"
    if wm.n_dates < rules.min_dates:
        return [
            Reason(
                "insufficient_history",
                INFO,
                f"Only {wm.n_dates} matured prediction dates in the {label} window "
                f"(need {rules.min_dates}); performance not judged.",
            )
        ]
    out: list[Reason] = []
    t_val = wm.rank_ic_t_vs_validation
    t0 = wm.rank_ic_t
    desc = f"{label} rank IC {wm.rank_ic:+.4f} (SE {wm.rank_ic_se:.4f})" if wm.rank_ic_se else label
    # Only the long window may close the gate: 20 days of a 5-day label are ~4 independent draws.
    if is_long and t_val is not None and t_val <= -rules.critical_t:
        out.append(
            Reason(
                "rank_ic_below_validation",
                CRITICAL,
                f"{desc} is significantly below validation (t = {t_val:.2f} ≤ −{rules.critical_t:g}).",
            )
        )
    elif is_long and t0 is not None and t0 <= -rules.critical_t:
        out.append(
            Reason(
                "rank_ic_negative",
                CRITICAL,
                f"{desc} is significantly negative (t = {t0:.2f} ≤ −{rules.critical_t:g}).",
            )
        )
    elif t_val is not None and t_val <= -rules.warn_t:
        out.append(
            Reason(
                "rank_ic_degraded",
                WARN,
                f"{desc} is below validation (t = {t_val:.2f} ≤ −{rules.warn_t:g}).",
            )
        )
    elif t0 is not None and t0 <= -rules.warn_t:
        out.append(
            Reason("rank_ic_degraded", WARN, f"{desc} is negative (t = {t0:.2f} ≤ −{rules.warn_t:g}).")
        )
    if wm.hit_rate_t is not None and wm.hit_rate_t <= -rules.warn_t:
        out.append(
            Reason(
                "hit_rate_low",
                WARN,
                f"{label} hit rate {wm.hit_rate:.1%} is significantly below 50% (t = {wm.hit_rate_t:.2f}).",
            )
        )
    return out


def _freshness_reasons(freshness: Freshness, rules: Rules) -> list[Reason]:
    if freshness.sessions_behind is None:
        return [Reason("no_data", CRITICAL, "No price bars are stored.")]
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
            f"Latest bar {freshness.latest_bar} is {behind} {freshness.calendar} session(s) behind "
            f"{freshness.expected_session}.",
        )
    ]
