"""Stale data, the admin override, permissions, thresholds, the CLI and the banner (``market_sample``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from mlcore.monitoring import gate
from mlcore.monitoring import tasks as monitoring_tasks
from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport, MonitoringThresholds
from mlcore.serving import predict
from swingtrade.audit.models import AuditEvent
from tests.mlcore.monitoring_world import LAST_BAR


def test_stale_data_is_detected_against_the_exchange_calendar(champion, admin_user, investor_client):
    warn = monitoring_tasks.monitor.delay(as_of="2021-04-23").get()["reports"][0]
    report = MonitoringReport.objects.get(pk=warn["id"])
    assert report.state == "WARN"
    assert report.metrics["freshness"]["sessions_behind"] == 2  # Thu 22 and Fri 23 April are missing
    assert [r["code"] for r in report.reasons if r["level"] == "WARN"] == ["stale_data"]

    stale = MonitoringReport.objects.get(
        pk=monitoring_tasks.monitor.delay(as_of="2021-05-12").get()["reports"][0]["id"]
    )
    assert stale.state == "CRITICAL"
    assert stale.reasons[0]["code"] == "stale_data"
    assert "15 XNYS session(s) behind" in stale.reasons[0]["message"]
    # Retraining cannot fix missing data: none is requested.
    assert not stale.retrain_requested
    assert [m.subject for m in mail.outbox] == [  # in French, the site's language
        "[SwingTrade] Surveillance du modèle ALERTE : OK → ALERTE",
        "[SwingTrade] Surveillance du modèle CRITIQUE : ALERTE → CRITIQUE",
    ]
    assert list(Alert.objects.order_by("id").values_list("subject", flat=True)) == [  # the English record
        "[SwingTrade] Model monitoring WARN: OK → WARN",
        "[SwingTrade] Model monitoring CRITICAL: WARN → CRITICAL",
    ]
    response = investor_client.get("/api/v1/rankings/")
    assert response.status_code == 503
    assert response.json()["errors"]["report_url"] == f"/api/v1/monitoring/reports/{stale.pk}/"


def test_up_to_date_data_on_the_last_session_is_fresh(champion):
    result = monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()
    report = MonitoringReport.objects.get(pk=result["reports"][0]["id"])
    assert report.metrics["freshness"]["sessions_behind"] == 0
    assert report.metrics["coverage"]["share"] == 1.0
    assert report.metrics["coverage"]["source"] == "computed"
    predict.predictions_for(as_of=LAST_BAR)
    again = MonitoringReport.objects.get(
        pk=monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()["reports"][0]["id"]
    )
    assert again.metrics["coverage"]["source"] == "stored" and again.metrics["coverage"]["share"] == 1.0
    assert "stale_data" not in {r["code"] for r in report.reasons}


def test_an_admin_override_opens_the_gate_and_is_logged(
    closed_gate, admin_client_api, investor_client, admin_user
):
    assert investor_client.get("/api/v1/rankings/").status_code == 503

    response = admin_client_api.post(
        "/api/v1/monitoring/override/",
        {"reason": "Vendor outage, prices verified by hand", "hours": 4},
        format="json",
    )
    assert response.status_code == 201, response.content
    override = GateOverride.objects.get()
    assert override.created_by == admin_user
    assert override.reason == "Vendor outage, prices verified by hand"
    assert override.report == closed_gate
    assert timedelta(hours=3, minutes=59) < override.expires_at - override.created_at <= timedelta(hours=4)
    alert = Alert.objects.get(kind=Alert.Kind.OVERRIDE)
    assert admin_user.username in alert.subject and alert.emailed
    assert len(mail.outbox) == 1 and "Vendor outage" in mail.outbox[0].body

    assert investor_client.get("/api/v1/rankings/").status_code == 200
    state = investor_client.get("/api/v1/monitoring/gate/").json()
    assert state["is_open"] and state["overridden"]
    # Investors see that the gate is overridden and until when, not who did it or why.
    assert "override_by" not in state and "override_reason" not in state
    assert "Vendor outage" not in str(state) and admin_user.username not in str(state)
    assert state["reason"] == (
        f"An administrator keeps recommendations open until {override.expires_at.isoformat()}."
    )
    full = admin_client_api.get("/api/v1/monitoring/gate/").json()
    assert full["override_by"] == admin_user.username
    assert full["override_reason"] == "Vendor outage, prices verified by hand"

    revoked = admin_client_api.delete("/api/v1/monitoring/override/")
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == admin_user.username
    assert investor_client.get("/api/v1/rankings/").status_code == 503


def test_an_expired_override_no_longer_opens_the_gate(closed_gate, admin_user):
    past = timezone.now() - timedelta(hours=5)
    GateOverride.objects.create(
        created_by=admin_user, reason="old override", created_at=past, expires_at=past + timedelta(hours=1)
    )
    assert not gate.gate_state().is_open


def test_override_input_is_checked_and_changes_nothing(closed_gate, admin_client_api, champion):
    too_long = admin_client_api.post(
        "/api/v1/monitoring/override/", {"reason": "long enough reason", "hours": 1000}
    )
    assert too_long.status_code == 400 and "72" in too_long.json()["detail"]
    no_reason = admin_client_api.post("/api/v1/monitoring/override/", {"reason": "x", "hours": 2})
    assert no_reason.status_code == 400
    assert not GateOverride.objects.exists() and mail.outbox == []
    assert admin_client_api.delete("/api/v1/monitoring/override/").status_code == 409


def test_an_open_gate_cannot_be_overridden(champion, admin_client_api):
    monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()
    response = admin_client_api.post(
        "/api/v1/monitoring/override/", {"reason": "nothing is wrong here", "hours": 2}
    )
    assert response.status_code == 409
    assert not GateOverride.objects.exists()


def test_an_investor_cannot_see_monitoring_or_override(closed_gate, investor_client):
    for url in (
        "/api/v1/monitoring/reports/",
        "/api/v1/monitoring/reports/latest/",
        f"/api/v1/monitoring/reports/{closed_gate.pk}/",
        "/api/v1/alerts/",
        "/api/v1/monitoring/thresholds/",
    ):
        assert investor_client.get(url).status_code == 403, url
    response = investor_client.post(
        "/api/v1/monitoring/override/", {"reason": "let me trade please", "hours": 2}
    )
    assert response.status_code == 403
    assert not GateOverride.objects.exists()


def test_analysts_read_reports_and_alerts_but_cannot_override(closed_gate, analyst_client):
    listing = analyst_client.get("/api/v1/monitoring/reports/?state=CRITICAL").json()
    assert [r["id"] for r in listing["results"]] == [closed_gate.pk]
    latest = analyst_client.get("/api/v1/monitoring/reports/latest/").json()
    assert latest["id"] == closed_gate.pk and latest["gate"]["is_open"] is False
    assert latest["metrics"]["freshness"]["sessions_behind"] == 15
    alerts = analyst_client.get("/api/v1/alerts/").json()["results"]
    assert alerts[0]["state"] == "CRITICAL" and alerts[0]["report_url"] == closed_gate.get_absolute_url()
    assert (
        analyst_client.post(
            "/api/v1/monitoring/override/", {"reason": "analyst tries", "hours": 1}
        ).status_code
        == 403
    )
    assert analyst_client.patch("/api/v1/monitoring/thresholds/", {"critical_t": 9}).status_code == 403


def test_admins_edit_the_thresholds_and_bad_values_change_nothing(admin_client_api, admin_user):
    current = admin_client_api.get("/api/v1/monitoring/thresholds/").json()
    assert current["critical_t"] == 2.5 and current["training_window"] == "expanding"
    changed = admin_client_api.patch("/api/v1/monitoring/thresholds/", {"critical_t": 3.0}, format="json")
    assert changed.status_code == 200 and changed.json()["critical_t"] == 3.0
    row = MonitoringThresholds.load()
    assert row.critical_t == 3.0 and row.updated_by == admin_user
    bad = admin_client_api.patch("/api/v1/monitoring/thresholds/", {"warn_t": 4.0}, format="json")
    assert bad.status_code == 400 and "warn_t" in bad.json()
    assert MonitoringThresholds.load().warn_t == 2.0


def test_the_monitor_command_prints_the_report(champion, capsys):
    call_command("monitor", "--as-of", LAST_BAR.isoformat(), "--no-retrain")
    out = capsys.readouterr().out
    assert f"as of {LAST_BAR}" in out
    assert "validation" in out and "60-day" in out and "20-day" in out
    assert "freshness: latest bar 2021-04-21" in out
    assert "Gate: open" in out
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("monitor", "--as-of", "21/04/2021")


def test_the_site_banner_shows_a_closed_gate(closed_gate, client, investor):
    client.force_login(investor)
    page = client.get("/")
    assert page.status_code == 200
    assert "Les conseils sont suspendus." in page.content.decode()  # the site speaks French by default


def test_the_closed_gate_blocks_the_predictions_behind_proposals_and_optimisation(closed_gate):
    from mlcore.serving.predict import predictions_frame
    from swingtrade.errors import ServiceUnavailable

    with pytest.raises(ServiceUnavailable) as caught:
        predictions_frame()
    assert caught.value.details["report_url"] == closed_gate.get_absolute_url()


def test_a_live_challenger_is_judged_next_to_the_champion_without_alerting(champion):
    from tests.mlcore.factories import trained_version

    challenger = trained_version(params={"alpha": 10.0})
    reports = monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()["reports"]
    assert [(r["role"]) for r in reports] == ["champion", "challenger"]
    judged = MonitoringReport.objects.get(pk=reports[1]["id"])
    assert judged.model_version == challenger
    assert judged.metrics["coverage"]["share"] == 1.0
    assert gate.gate_state().report_id == reports[0]["id"]


def test_the_admin_shows_monitoring(closed_gate, client, admin_user):
    client.force_login(admin_user)  # the admin role, not a superuser
    listing = client.get("/admin/mlcore/monitoringreport/")
    assert listing.status_code == 200 and "gate CLOSED" in listing.content.decode()
    thresholds = client.get("/admin/mlcore/monitoringthresholds/")
    assert thresholds.status_code == 302
    assert client.get(thresholds["Location"]).status_code == 200
    assert client.get("/admin/mlcore/alert/").status_code == 200
    assert client.get("/admin/mlcore/gateoverride/").status_code == 200
    edited = client.post(thresholds["Location"], {**_threshold_form(), "critical_t": "3.5"})
    assert edited.status_code == 302
    assert (
        MonitoringThresholds.load().critical_t == 3.5 and MonitoringThresholds.load().updated_by == admin_user
    )


def _threshold_form() -> dict:
    row = MonitoringThresholds.load()
    fields = [
        f.name
        for f in MonitoringThresholds._meta.concrete_fields
        if f.editable and f.name not in ("id", "updated_by")
    ]
    return {name: getattr(row, name) for name in fields if getattr(row, name) is not False}


def test_without_a_champion_the_report_says_so(market_sample, admin_user):
    result = monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()
    report = MonitoringReport.objects.get(pk=result["reports"][0]["id"])
    assert report.role == "none" and report.state == "CRITICAL"
    assert [r["code"] for r in report.reasons] == ["no_model"]
    assert len(mail.outbox) == 1 and not report.retrain_requested


def test_a_tampered_artefact_is_reported_critical(champion):
    from mlcore.registry import versions as registry

    registry.artefact_path(champion).write_bytes(b"tampered")
    result = monitoring_tasks.monitor.delay(as_of=LAST_BAR.isoformat()).get()
    report = MonitoringReport.objects.get(pk=result["reports"][0]["id"])
    assert report.state == "CRITICAL" and report.reasons[0]["code"] == "artefact_invalid"


def test_a_failed_retraining_is_e_mailed(db, admin_user):
    # No prices at all: training is refused, the task reports it and the admins are told.
    result = monitoring_tasks.retrain.delay(reason="weekly schedule").get()
    assert result["status"] == "failed" and "prices" in result["reason"]
    alert = Alert.objects.get(kind=Alert.Kind.RETRAIN)
    assert alert.emailed and alert.subject == "[SwingTrade] Retraining failed"
    assert alert.body.startswith("The retraining (weekly schedule) failed: ")  # the English record
    assert mail.outbox[0].subject == "[SwingTrade] Le réentraînement a échoué"
    # The e-mail's sentence is French; the service's own detail is quoted as it was written.
    body = mail.outbox[0].body
    assert body.startswith("Le réentraînement (weekly schedule) a échoué : ")
    assert result["reason"] in body and "champion actuel" in body


def test_the_legacy_weekly_task_name_runs_the_one_retraining_path(db, admin_user):
    from django.core.cache import cache
    from django_celery_beat.models import PeriodicTask

    from mlcore.tasks import retrain_weekly
    from swingtrade.celery import app

    # mlcore's beat rows (migrations 0003/0004) name registered tasks, the retrain being the monitoring one.
    weekly = PeriodicTask.objects.get(name="mlcore: weekly retraining")
    assert weekly.task == "mlcore.monitoring.retrain"
    mlcore_rows = PeriodicTask.objects.filter(task__startswith="mlcore.").values_list("task", flat=True)
    assert sorted(mlcore_rows) == ["mlcore.monitoring.retrain", "mlcore.monitoring.run"]
    assert all(task in app.tasks for task in mlcore_rows)
    # The old name shares the lock and the alerts of mlcore.monitoring.retrain.
    cache.add(monitoring_tasks.RETRAIN_LOCK, "another run", timeout=60)
    try:
        assert retrain_weekly.delay(algorithm="ridge").get()["status"] == "skipped"
    finally:
        cache.delete(monitoring_tasks.RETRAIN_LOCK)
    result = retrain_weekly.delay().get()
    assert result["status"] == "failed" and "prices" in result["reason"]
    assert Alert.objects.get(kind=Alert.Kind.RETRAIN).emailed
    assert mail.outbox[0].subject == "[SwingTrade] Le réentraînement a échoué"


def test_admins_can_run_monitoring_now(champion, admin_client_api, investor_client):
    response = admin_client_api.post(
        "/api/v1/monitoring/run/", {"as_of": LAST_BAR.isoformat()}, format="json"
    )
    assert response.status_code == 202 and response.json()["reports_url"] == "/api/v1/monitoring/reports/"
    assert MonitoringReport.objects.filter(as_of=LAST_BAR, role="champion").exists()
    bad = admin_client_api.post("/api/v1/monitoring/run/", {"as_of": "21/04/2021"}, format="json")
    assert bad.status_code == 400
    assert investor_client.post("/api/v1/monitoring/run/", {}, format="json").status_code == 403
    assert MonitoringReport.objects.count() == 1


def test_revoking_overrides_in_the_admin_records_the_admin_and_the_overrides(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    now = timezone.now()
    active = GateOverride.objects.create(
        created_by=admin_user, reason="feed fixed", created_at=now, expires_at=now + timedelta(hours=2)
    )
    chosen = {"action": "revoke", "_selected_action": [active.pk]}
    assert client.post("/admin/mlcore/gateoverride/", chosen).status_code == 302
    active.refresh_from_db()
    assert active.revoked_by == admin_user and active.revoked_at is not None
    event = AuditEvent.objects.get(action="gate_override.revoked")
    assert (event.user, event.object_type, event.details) == (
        admin_user,
        "mlcore.gateoverride",
        {"override_ids": [active.pk]},
    )
