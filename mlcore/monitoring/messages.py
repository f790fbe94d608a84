"""The sentences monitoring writes into its records, and how a page reads them in its own language.

Reports, the gate and alerts store English (``MonitoringReport.summary`` and each reason's ``message``,
``Alert.subject``): the record operators, logs, e-mails and the API read. Every such sentence is written
from one of the templates below, so :func:`text` can show it in the reader's language
(:func:`swingtrade.messages.translated`); numbers keep the form they were written with.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from swingtrade.messages import translated

# Reasons (rules.py). A window is a phrase of its own, translated inside the sentence that names it.
WINDOW = gettext_noop("%(days)s-day")
RANK_IC = gettext_noop("%(window)s rank IC %(ic)s (SE %(se)s)")
RANK_IC_PLAIN = gettext_noop("%(window)s rank IC")
NO_MODEL = gettext_noop("No champion model is serving predictions.")
FEATURE_DRIFT = gettext_noop(
    "%(share)s of features drifted (PSI > %(psi)s) against the training window (threshold %(limit)s)."
)
LOW_COVERAGE = gettext_noop("Predictions cover %(share)s of the tickers with data (threshold %(limit)s).")
INSUFFICIENT_HISTORY = gettext_noop(
    "Only %(n)s matured prediction dates in the %(window)s window (need %(need)s); performance not judged."
)
SIGNIFICANTLY_BELOW_VALIDATION = gettext_noop(
    "%(desc)s is significantly below validation (t = %(t)s ≤ −%(limit)s)."
)
SIGNIFICANTLY_NEGATIVE = gettext_noop("%(desc)s is significantly negative (t = %(t)s ≤ −%(limit)s).")
BELOW_VALIDATION = gettext_noop("%(desc)s is below validation (t = %(t)s ≤ −%(limit)s).")
NEGATIVE = gettext_noop("%(desc)s is negative (t = %(t)s ≤ −%(limit)s).")
HIT_RATE_LOW = gettext_noop("%(window)s hit rate %(rate)s is significantly below 50%% (t = %(t)s).")
NO_DATA = gettext_noop("No price bars are stored.")
STALE_DATA = gettext_noop("Latest bar %(bar)s is %(behind)s %(calendar)s session(s) behind %(expected)s.")
ALL_PASSED = gettext_noop("all checks passed")
# The gate (gate.py).
NO_RUN = gettext_noop("No monitoring run yet.")
NEW_CHAMPION = gettext_noop("A new champion replaced the model judged CRITICAL.")
OVERRIDE = gettext_noop("Administrator override: %(reason)s")
OVERRIDE_PUBLIC = gettext_noop("An administrator keeps recommendations open until %(until)s.")
# Alert subjects (alerts.py, retraining.py).
SUBJECT = gettext_noop("[SwingTrade] %(subject)s")
STATE_CHANGE = gettext_noop("Model monitoring %(headline)s: %(previous)s → %(state)s")
RECOVERED = gettext_noop("recovered")
OVERRIDDEN_BY = gettext_noop("Prediction gate overridden by %(who)s")
RETRAIN_FAILED = gettext_noop("Retraining failed")
RETRAIN_FAILED_BODY = gettext_noop(
    "The retraining (%(reason)s) failed: %(error)s\nThe current champion keeps serving (or the gate stays "
    "closed) until a model passes or an administrator overrides."
)
RETRAIN_PROMOTED = gettext_noop("Retrained model %(version)s promoted")
RETRAIN_REJECTED = gettext_noop("Retrained model %(version)s rejected")
# Why an alert was not e-mailed (Alert.suppressed_reason).
RATE_LIMITED = gettext_noop("rate limit: %(sent)s e-mails in the last %(hours)s h (max %(max)s)")
NO_RECIPIENT = gettext_noop("no administrator has an e-mail address")
RECORDED_ONLY = gettext_noop("recorded only: state-change e-mails report its effect")
# States, as subjects name them (the pages' badges translate them the same way).
STATES = (gettext_noop("OK"), gettext_noop("WARN"), gettext_noop("CRITICAL"))

# Tried in this order: a sentence before the phrases it may contain.
TEMPLATES: tuple[str, ...] = (
    NO_MODEL,
    FEATURE_DRIFT,
    LOW_COVERAGE,
    INSUFFICIENT_HISTORY,
    SIGNIFICANTLY_BELOW_VALIDATION,
    SIGNIFICANTLY_NEGATIVE,
    BELOW_VALIDATION,
    NEGATIVE,
    HIT_RATE_LOW,
    NO_DATA,
    STALE_DATA,
    ALL_PASSED,
    NO_RUN,
    NEW_CHAMPION,
    OVERRIDE,
    OVERRIDE_PUBLIC,
    SUBJECT,
    STATE_CHANGE,
    RECOVERED,
    OVERRIDDEN_BY,
    RETRAIN_FAILED,
    RETRAIN_FAILED_BODY,
    RETRAIN_PROMOTED,
    RETRAIN_REJECTED,
    RATE_LIMITED,
    NO_RECIPIENT,
    RECORDED_ONLY,
    *STATES,
    RANK_IC,
    RANK_IC_PLAIN,
    WINDOW,
)
#: How ``Evaluation.summary`` joins the worst reasons.
SUMMARY_SEPARATOR = "; "


def text(stored: str) -> str:
    """A stored monitoring sentence (reason, gate reason, alert subject) in the active language."""
    return translated(stored, TEMPLATES)


def summary_text(stored: str) -> str:
    """A stored summary (the worst reasons joined by ``SUMMARY_SEPARATOR``) in the active language."""
    return SUMMARY_SEPARATOR.join(text(part) for part in stored.split(SUMMARY_SEPARATOR))
