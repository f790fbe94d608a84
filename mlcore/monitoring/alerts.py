"""Alerts: an ``Alert`` row and one e-mail to every administrator on each state change or override.

Rate limit (so a flapping state does not flood inboxes): at most ``alert_max_emails`` state-change
e-mails per ``alert_window_hours``; beyond that the ``Alert`` row is still written (with the reason it
was muted) but no e-mail leaves. One exception keeps the limit safe: a change *to* CRITICAL is always
e-mailed when the last e-mail the administrators received announced a non-critical state, so they never
believe the model is fine while the gate is closed.

The ``Alert`` row keeps the English record (subject and body, what the API and the logs read); the e-mail
is written in the readers' language — the site's, French (``LANGUAGE_CODE``), or ``language=`` as for the
daily digest — with each stored reason read through :func:`mlcore.monitoring.messages.text`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mlcore import monitoring
from mlcore.monitoring import messages
from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport, MonitoringThresholds
from swingtrade.accounts import roles

logger = logging.getLogger("swingtrade.mlcore.alerts")
RECORD_LANGUAGE = "en"  # of the stored Alert: the code's and the operators' language

Body = Callable[[], str]  # writes an e-mail body in the active language


def _administrators():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return users.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMIN)).distinct()


def admin_recipients() -> list[str]:
    """E-mail addresses of every active administrator (admin group or superuser) that has one."""
    return sorted({u.email for u in _administrators()})


def admin_recipients_by_language() -> dict[str, list[str]]:
    """The same addresses grouped by the language each administrator reads e-mail in
    (``User.mail_language``: the site's switcher, else ``LANGUAGE_CODE``)."""
    groups: dict[str, set[str]] = {}
    for user in _administrators():
        groups.setdefault(user.mail_language, set()).add(user.email)
    return {language: sorted(emails) for language, emails in sorted(groups.items())}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _day(day: date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else _("no data")


def _report_links(report: MonitoringReport) -> list[str]:
    """The page people read, and the JSON the API serves."""
    return [
        _("Report: %(url)s") % {"url": f"{_absolute(reverse('mlcore:monitoring'))}?report={report.pk}"},
        f"API: {_absolute(report.get_absolute_url())}",
    ]


def _written(body: Body, language: str) -> str:
    with translation.override(language):
        return body()


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


def _send(alert: Alert, body: Body | None, language: str | None) -> None:
    """E-mail ``alert`` to the administrators, each in the language they chose on the site (one e-mail
    per language; all in ``language`` when given): its stored English subject read through the monitoring
    templates, ``body`` written in that language (without one, the stored body read through the same
    templates; the details a service wrote into it stay as written)."""
    by_language = admin_recipients_by_language()
    if language:
        by_language = {language: sorted({e for emails in by_language.values() for e in emails})}
    alert.recipients = sorted({e for emails in by_language.values() for e in emails})
    if not alert.recipients:
        alert.suppressed_reason = messages.NO_RECIPIENT
        logger.warning("alert not e-mailed: no administrator e-mail", extra={"alert": alert.subject})
        return
    for reader_language, recipients in by_language.items():
        with translation.override(reader_language):
            subject = messages.text(alert.subject)
            text = body() if body is not None else messages.text(alert.body)
        EmailMessage(subject, text, to=recipients).send(fail_silently=False)
    alert.emailed = True


def _report_body(report: MonitoringReport, previous_state: str) -> Body:
    """The state-change e-mail's body, written in the active language when called."""

    def write() -> str:
        states = {"previous": messages.text(previous_state), "state": messages.text(report.state)}
        lines = [
            _("Model monitoring changed from %(previous)s to %(state)s on %(day)s.")
            % {**states, "day": _day(report.as_of)},
            "",
            _("Model: %(model)s (%(role)s)")
            % {"model": report.model_version or _("none"), "role": report.get_role_display()},
            _("Data up to: %(day)s") % {"day": _day(report.data_date)},
            "",
            _("Reasons:"),
            *(f"  [{messages.text(r['level'])}] {messages.text(r['message'])}" for r in report.reasons),
        ]
        if not report.reasons:
            lines.append(f"  {messages.text(messages.ALL_PASSED)}")
        if report.state == monitoring.CRITICAL:
            lines += [
                "",
                _(
                    "Rankings, proposals and optimisation are blocked until a model passes or an admin "
                    "overrides."
                ),
            ]
            if report.retrain_requested:
                queued = _(
                    "A retraining has been queued; its challenger is promoted only if it beats the champion."
                )
                lines.append(queued)
        elif previous_state == monitoring.CRITICAL:
            lines += ["", _("The gate is open again: rankings, proposals and optimisation are served.")]
        lines += ["", *_report_links(report)]
        return "\n".join(lines)

    return write


def notify_state_change(
    *, report: MonitoringReport, previous_state: str, language: str | None = None
) -> Alert:
    """Record (and e-mail in ``language``, unless rate-limited) a change of the serving model's state."""
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
    )
    body = _report_body(report, previous_state)
    alert.body = _written(body, RECORD_LANGUAGE)
    muted = _muted_because(state=report.state, thresholds=thresholds)
    if muted:
        alert.suppressed_reason = muted
        alert.recipients = admin_recipients()
    else:
        _send(alert, body, language)
    alert.save()
    logger.warning(
        "monitoring state change",
        extra={"from": previous_state, "to": report.state, "report": report.pk, "emailed": alert.emailed},
    )
    return alert


def notify_override(*, override: GateOverride, language: str | None = None) -> Alert:
    """Overrides are rare and deliberate: always e-mailed (in ``language``) so every administrator knows."""
    who = override.created_by.get_username()

    def body() -> str:
        return "\n".join(
            [
                _("%(who)s opened the prediction gate until %(until)s.")
                % {"who": who, "until": f"{override.expires_at:%Y-%m-%d %H:%M %Z}"},
                _("Reason: %(reason)s") % {"reason": override.reason},  # the administrator's own words
                *(_report_links(override.report) if override.report else []),
            ]
        )

    alert = Alert(
        kind=Alert.Kind.OVERRIDE,
        report=override.report,
        state=override.report.state if override.report else "",
        subject=messages.SUBJECT % {"subject": messages.OVERRIDDEN_BY % {"who": who}},
        body=_written(body, RECORD_LANGUAGE),
    )
    _send(alert, body, language)
    alert.save()
    logger.warning(
        "gate override",
        extra={"by": who, "reason": override.reason, "expires_at": override.expires_at.isoformat()},
    )
    return alert


def notify_retrain(
    *,
    subject: str,
    body: str,
    report: MonitoringReport | None = None,
    email: bool,
    language: str | None = None,
) -> Alert:
    """A retraining outcome. Failures are e-mailed (someone must act); a promotion or rejection is only
    recorded: the CRITICAL e-mail announced the retraining, and a promotion that reopens the gate
    produces its own state-change e-mail. The subject is read in ``language``; ``body`` is the caller's
    text (the retraining's own English report)."""
    alert = Alert(
        kind=Alert.Kind.RETRAIN,
        report=report,
        state=report.state if report else "",
        subject=messages.SUBJECT % {"subject": subject},
        body=body,
    )
    if email:
        _send(alert, None, language)
    else:
        alert.suppressed_reason = messages.RECORDED_ONLY
    alert.save()
    logger.warning("retraining alert", extra={"subject": subject, "emailed": alert.emailed})
    return alert
