"""Alerts: an ``Alert`` row and one e-mail to every administrator on each state change or override.

Rate limit (so a flapping state does not flood inboxes): at most ``alert_max_emails`` state-change
e-mails per ``alert_window_hours``; beyond that the ``Alert`` row is still written (with the reason it
was muted) but no e-mail leaves. One exception keeps the limit safe: a change *to* CRITICAL is always
e-mailed when the last e-mail the administrators received announced a non-critical state, so they never
believe the model is fine while the gate is closed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mlcore import monitoring
from mlcore.monitoring import messages
from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport, MonitoringThresholds
from swingtrade.accounts import roles

logger = logging.getLogger("swingtrade.mlcore.alerts")


def admin_recipients() -> list[str]:
    """E-mail addresses of every active administrator (admin group or superuser) that has one."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMIN)).distinct()
    return sorted({u.email for u in users})


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _report_links(report: MonitoringReport) -> list[str]:
    """The page people read, and the JSON the API serves."""
    return [
        f"Report: {_absolute(reverse('mlcore:monitoring'))}?report={report.pk}",
        f"API: {_absolute(report.get_absolute_url())}",
    ]


def _muted_because(*, state: str, thresholds: MonitoringThresholds) -> str:
    since = timezone.now() - timedelta(hours=thresholds.alert_window_hours)
    sent = Alert.objects.filter(kind=Alert.Kind.STATE_CHANGE, emailed=True)
    last = sent.first()
    if state == monitoring.CRITICAL and (last is None or last.state != monitoring.CRITICAL):
        return ""
    recent = sent.filter(created_at__gte=since).count()
    if recent >= thresholds.alert_max_emails:
        return messages.RATE_LIMITED % {
            "sent": recent,
            "hours": thresholds.alert_window_hours,
            "max": thresholds.alert_max_emails,
        }
    return ""


def _send(alert: Alert) -> None:
    recipients = admin_recipients()
    alert.recipients = recipients
    if not recipients:
        alert.suppressed_reason = messages.NO_RECIPIENT
        logger.warning("alert not e-mailed: no administrator e-mail", extra={"alert": alert.subject})
        return
    EmailMessage(alert.subject, alert.body, to=recipients).send(fail_silently=False)
    alert.emailed = True


def _report_body(report: MonitoringReport, previous_state: str) -> str:
    lines = [
        f"Model monitoring changed from {previous_state} to {report.state} on {report.as_of}.",
        "",
        f"Model: {report.model_version or 'none'} ({report.get_role_display()})",
        f"Data up to: {report.data_date or 'no data'}",
        "",
        "Reasons:",
        *(f"  [{r['level']}] {r['message']}" for r in report.reasons),
    ]
    if not report.reasons:
        lines.append("  all checks passed")
    if report.state == monitoring.CRITICAL:
        lines += [
            "",
            "Rankings, proposals and optimisation are blocked until a model passes or an admin overrides.",
        ]
        if report.retrain_requested:
            lines.append(
                "A retraining has been queued; its challenger is promoted only if it beats the champion."
            )
    elif previous_state == monitoring.CRITICAL:
        lines += ["", "The gate is open again: rankings, proposals and optimisation are served."]
    lines += ["", *_report_links(report)]
    return "\n".join(lines)


def notify_state_change(*, report: MonitoringReport, previous_state: str) -> Alert:
    """Record (and e-mail, unless rate-limited) a change of the serving model's state."""
    thresholds = MonitoringThresholds.load()
    recovered = previous_state == monitoring.CRITICAL and report.state != monitoring.CRITICAL
    headline = messages.RECOVERED if recovered else report.state
    alert = Alert(
        kind=Alert.Kind.STATE_CHANGE,
        report=report,
        previous_state=previous_state,
        state=report.state,
        subject=messages.SUBJECT
        % {
            "subject": messages.STATE_CHANGE
            % {"headline": headline, "previous": previous_state, "state": report.state}
        },
        body=_report_body(report, previous_state),
    )
    muted = _muted_because(state=report.state, thresholds=thresholds)
    if muted:
        alert.suppressed_reason = muted
        alert.recipients = admin_recipients()
    else:
        _send(alert)
    alert.save()
    logger.warning(
        "monitoring state change",
        extra={"from": previous_state, "to": report.state, "report": report.pk, "emailed": alert.emailed},
    )
    return alert


def notify_override(*, override: GateOverride) -> Alert:
    """Overrides are rare and deliberate: always e-mailed so every administrator knows."""
    who = override.created_by.get_username()
    alert = Alert(
        kind=Alert.Kind.OVERRIDE,
        report=override.report,
        state=override.report.state if override.report else "",
        subject=messages.SUBJECT % {"subject": messages.OVERRIDDEN_BY % {"who": who}},
        body="\n".join(
            [
                f"{who} opened the prediction gate until {override.expires_at:%Y-%m-%d %H:%M %Z}.",
                f"Reason: {override.reason}",
                *(_report_links(override.report) if override.report else []),
            ]
        ),
    )
    _send(alert)
    alert.save()
    logger.warning(
        "gate override",
        extra={"by": who, "reason": override.reason, "expires_at": override.expires_at.isoformat()},
    )
    return alert


def notify_retrain(*, subject: str, body: str, report: MonitoringReport | None = None, email: bool) -> Alert:
    """A retraining outcome. Failures are e-mailed (someone must act); a promotion or rejection is only
    recorded: the CRITICAL e-mail announced the retraining, and a promotion that reopens the gate
    produces its own state-change e-mail."""
    alert = Alert(
        kind=Alert.Kind.RETRAIN,
        report=report,
        state=report.state if report else "",
        subject=messages.SUBJECT % {"subject": subject},
        body=body,
    )
    if email:
        _send(alert)
    else:
        alert.suppressed_reason = messages.RECORDED_ONLY
    alert.save()
    logger.warning("retraining alert", extra={"subject": subject, "emailed": alert.emailed})
    return alert
