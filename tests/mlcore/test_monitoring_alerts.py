"""Alert rate limiting and the gate decision, on hand-made reports (no model needed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from mlcore.monitoring import alerts, gate
from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport
from swingtrade.errors import ServiceUnavailable


def _report(state: str, summary: str = "reason") -> MonitoringReport:
    return MonitoringReport.objects.create(
        as_of=date(2021, 4, 21),
        role=MonitoringReport.Role.NONE,
        state=state,
        summary=summary,
        reasons=[{"code": "x", "level": state, "message": summary}],
    )


def _flap(states: list[str]) -> list[Alert]:
    previous, out = "OK", []
    for state in states:
        out.append(alerts.notify_state_change(report=_report(state), previous_state=previous))
        previous = state
    return out


def test_a_flapping_state_is_rate_limited(admin_user):
    sent = _flap(["CRITICAL", "OK", "CRITICAL", "OK", "CRITICAL", "OK"])
    assert len(mail.outbox) == 3
    assert [a.emailed for a in sent] == [True, True, True, False, False, False]
    assert all("rate limit" in a.suppressed_reason for a in sent[3:])
    assert Alert.objects.count() == 6  # every change is still recorded


def test_a_new_critical_always_reaches_admins_who_last_heard_all_was_well(admin_user):
    sent = _flap(["WARN", "OK", "WARN", "OK", "CRITICAL"])
    assert [a.emailed for a in sent] == [True, True, True, False, True]
    assert mail.outbox[-1].subject.endswith("OK → CRITIQUE")  # the e-mail in French, the site's language


def test_the_rate_limit_window_slides(admin_user):
    old = _flap(["CRITICAL", "OK", "CRITICAL"])
    Alert.objects.filter(pk__in=[a.pk for a in old]).update(created_at=timezone.now() - timedelta(hours=25))
    assert alerts.notify_state_change(report=_report("OK"), previous_state="CRITICAL").emailed


def test_alerts_without_admin_addresses_are_recorded_not_sent(db):
    alert = alerts.notify_state_change(report=_report("CRITICAL"), previous_state="OK")
    assert not alert.emailed and "no administrator" in alert.suppressed_reason
    assert mail.outbox == []


def test_the_gate_is_open_before_any_run_and_with_a_non_critical_report(db):
    assert gate.gate_state().is_open
    _report("WARN")
    gate.assert_open()


def test_a_critical_report_closes_the_gate_with_its_reason_and_url(db):
    report = _report("CRITICAL", "data is 15 sessions behind")
    with pytest.raises(ServiceUnavailable) as caught:
        gate.assert_open()
    assert caught.value.details == {
        "state": "CRITICAL",
        "reason": "data is 15 sessions behind",
        "report_url": f"/api/v1/monitoring/reports/{report.pk}/",
    }
    assert report.get_absolute_url() in caught.value.message


def test_only_an_active_override_opens_a_closed_gate(admin_user):
    _report("CRITICAL")
    now = timezone.now()
    revoked = GateOverride.objects.create(
        created_by=admin_user, reason="r", created_at=now, expires_at=now + timedelta(hours=1), revoked_at=now
    )
    assert not gate.gate_state().is_open
    revoked.revoked_at = None
    revoked.save()
    state = gate.gate_state()
    assert state.is_open and state.overridden and state.override_by == admin_user.username
    assert not gate.gate_state(now=now + timedelta(hours=2)).is_open


def test_the_daily_monitoring_and_weekly_retraining_are_editable_beat_rows(db):
    from django_celery_beat.models import PeriodicTask

    daily = PeriodicTask.objects.get(name="mlcore: daily monitoring")
    assert daily.task == "mlcore.monitoring.run" and daily.enabled
    assert (daily.crontab.hour, daily.crontab.day_of_week) == ("18", "1-5")
    weekly = PeriodicTask.objects.get(name="mlcore: weekly retraining")
    assert weekly.task == "mlcore.monitoring.retrain"


def test_a_second_retraining_waits_for_the_first(db):
    from django.core.cache import cache

    from mlcore.monitoring import tasks as monitoring_tasks

    cache.add(monitoring_tasks.RETRAIN_LOCK, "weekly schedule", timeout=60)
    try:
        result = monitoring_tasks.retrain.delay(reason="monitoring report 1").get()
    finally:
        cache.delete(monitoring_tasks.RETRAIN_LOCK)
    assert result["status"] == "skipped"


def test_healthz_reports_a_closed_gate_without_going_down(db, client):
    report = _report("CRITICAL", "data is 15 sessions behind")
    body = client.get("/healthz", HTTP_X_HEALTH_TOKEN="test-health-token").json()
    assert body["checks"]["prediction_gate"]["status"] == "down"
    assert body["checks"]["prediction_gate"]["report_url"] == report.get_absolute_url()
    assert body["checks"]["prediction_gate"]["required"] is False


def test_the_alert_e_mail_reads_in_french_and_the_record_stays_english(admin_user):
    report = _report("CRITICAL", "No price bars are stored.")
    report.retrain_requested = True
    alert = alerts.notify_state_change(report=report, previous_state="OK")
    message = mail.outbox[0]
    assert message.subject == "[SwingTrade] Surveillance du modèle CRITIQUE : OK → CRITIQUE"
    body = message.body
    assert body.startswith("La surveillance du modèle est passée de OK à CRITIQUE le 21 avril 2021.")
    assert "Raisons :\n  [CRITIQUE] Aucun cours n'est enregistré." in body  # the stored reason
    assert "Classements, propositions et optimisation sont bloqués" in body
    assert "Un réentraînement est lancé" in body and f"?report={report.pk}" in body
    # The Alert row is the English record the API and the logs read.
    assert alert.subject == "[SwingTrade] Model monitoring CRITICAL: OK → CRITICAL"
    assert alert.body.startswith("Model monitoring changed from OK to CRITICAL on 21 April 2021.")
    assert "[CRITICAL] No price bars are stored." in alert.body


def test_the_alert_e_mail_speaks_english_when_asked(admin_user):
    alerts.notify_state_change(
        report=_report("WARN", "No price bars are stored."), previous_state="OK", language="en"
    )
    message = mail.outbox[0]
    assert message.subject == "[SwingTrade] Model monitoring WARN: OK → WARN"
    assert "Reasons:\n  [WARN] No price bars are stored." in message.body


def test_each_administrator_gets_the_alert_in_the_language_they_chose(admin_user):
    from swingtrade.accounts import roles
    from tests.factories import UserFactory

    english_reader = UserFactory(role=roles.ADMIN, language="en")
    report = _report("WARN", "No price bars are stored.")
    alert = alerts.notify_state_change(report=report, previous_state="OK")
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert len(mail.outbox) == 2  # one e-mail per language
    assert subjects[english_reader.email] == "[SwingTrade] Model monitoring WARN: OK → WARN"
    assert subjects[admin_user.email] == "[SwingTrade] Surveillance du modèle ALERTE : OK → ALERTE"
    assert alert.emailed and alert.recipients == sorted([admin_user.email, english_reader.email])


def test_an_override_e_mail_reads_in_french_with_the_admins_own_reason(admin_user):
    now = timezone.now()
    override = GateOverride.objects.create(
        created_by=admin_user,
        reason="Panne du fournisseur",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    alert = alerts.notify_override(override=override)
    message = mail.outbox[0]
    assert message.subject == f"[SwingTrade] Verrou des prévisions levé par {admin_user.username}"
    assert f"{admin_user.username} a levé le verrou des prévisions jusqu’au" in message.body
    assert "Raison : Panne du fournisseur" in message.body
    assert alert.body.startswith(f"{admin_user.username} opened the prediction gate until")
