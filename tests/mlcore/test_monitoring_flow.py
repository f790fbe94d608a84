"""End to end, through the real Celery tasks (eager): a relation that breaks closes the gate, alerts the
administrators once, triggers retraining; its return reopens the gate with a recovery e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from market.ingest import ingest_frame
from mlcore.data.dataset import load_panels
from mlcore.models import ModelVersion, RegistryEvent
from mlcore.monitoring import gate
from mlcore.monitoring import tasks as monitoring_tasks
from mlcore.monitoring.models import Alert, MonitoringReport, MonitoringThresholds
from mlcore.registry import versions as registry
from mlcore.training import services
from swingtrade.accounts import roles
from tests.factories import UserFactory
from tests.mlcore.monitoring_world import regime_frame, session_date

# Sessions: reversal until 450, momentum (the learned relation inverted) until 550, reversal again.
REGIMES = [(450, -0.9), (100, 0.9), (100, -0.9)]
TRAIN_END, BEFORE_BREAK, IN_BREAK, AFTER_RETURN = 329, 440, 530, 640


@pytest.fixture
def broken_world(db, fast_training):
    """Bars of the regime world, and a champion trained on the first 330 sessions only."""
    frame = regime_frame(regimes=REGIMES)
    ingest_frame(frame=frame, source="csv")
    config = services.training_config(algorithm="ridge")
    version, _ = services.train_version(config=config, panels=load_panels(end=session_date(frame, TRAIN_END)))
    registry.promote(version, user=None, reason="monitoring test champion")
    return frame, version


def _monitor(frame, index: int) -> list[MonitoringReport]:
    result = monitoring_tasks.monitor.delay(as_of=session_date(frame, index).isoformat()).get()
    return [MonitoringReport.objects.get(pk=r["id"]) for r in result["reports"]]


@pytest.mark.slow
def test_a_broken_relation_closes_the_gate_alerts_once_retrains_and_recovers(broken_world, investor_client):
    frame, champion = broken_world
    admins = {UserFactory(role=roles.ADMIN).email, UserFactory(role=roles.ADMIN).email}
    UserFactory(role=roles.ANALYST)  # not an administrator: no e-mail

    healthy = _monitor(frame, BEFORE_BREAK)[0]
    assert healthy.state == "OK" and healthy.model_version == champion
    assert healthy.metrics["realised"]["long"]["rank_ic"] > 0.2
    # Drift is measured on the raw features behind the model's ranks, against the training deciles.
    assert set(healthy.metrics["drift"]["psi"]) >= {"ret_5", "vol_20"}
    assert 0.0 <= healthy.metrics["drift"]["share_drifting"] <= 1.0
    assert mail.outbox == []
    assert investor_client.get("/api/v1/rankings/").status_code == 200

    broken = _monitor(frame, IN_BREAK)[0]
    assert broken.state == "CRITICAL"
    assert broken.reasons[0]["code"] == "rank_ic_below_validation"
    assert broken.metrics["realised"]["long"]["rank_ic"] < 0
    # Exactly one e-mail, to every administrator, linking the report.
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == admins
    assert "OK → CRITIQUE" in mail.outbox[0].subject  # in French, the site's language
    assert broken.get_absolute_url() in mail.outbox[0].body
    # Retraining was triggered on data up to the as-of day. The challenger is compared with the champion
    # on the same recent window by the registry's rule; it is less wrong there (its last walk-forward fit
    # saw a few weeks of the new regime) but fails the same monitoring test, so it is rejected.
    assert broken.retrain_requested
    challenger = ModelVersion.objects.exclude(pk=champion.pk).get()
    assert champion.train_end < challenger.train_end <= session_date(frame, IN_BREAK)
    comparison = challenger.metrics["comparison"]
    assert comparison["window"]["n_dates"] >= 50
    assert comparison["challenger_monitoring"]["state"] == "CRITICAL"
    assert challenger.status == ModelVersion.Status.REJECTED
    assert RegistryEvent.objects.filter(model_version=challenger, action="rejected").exists()
    assert registry.champion() == champion
    assert len(mail.outbox) == 1
    # The gate closes every ranking with 503, the reason and the report URL.
    response = investor_client.get("/api/v1/rankings/")
    assert response.status_code == 503
    body = response.json()
    assert body["errors"]["report_url"] == broken.get_absolute_url()
    assert "significantly below validation" in body["errors"]["reason"]
    assert broken.get_absolute_url() in body["detail"]

    # The next day still broken: no second e-mail, no second retraining.
    still = _monitor(frame, IN_BREAK + 1)[0]
    assert still.state == "CRITICAL" and not still.retrain_requested
    assert len(mail.outbox) == 1
    assert ModelVersion.objects.count() == 2
    assert investor_client.get("/api/v1/rankings/").status_code == 503

    recovered = _monitor(frame, AFTER_RETURN)[0]
    assert recovered.state in ("OK", "WARN")
    assert recovered.metrics["realised"]["long"]["rank_ic"] > 0.2
    assert len(mail.outbox) == 2
    assert "rétablie" in mail.outbox[1].subject and set(mail.outbox[1].to) == admins
    assert "de nouveau ouvert" in mail.outbox[1].body
    assert "open again" in Alert.objects.filter(kind=Alert.Kind.STATE_CHANGE).latest("id").body  # the record
    assert investor_client.get("/api/v1/rankings/").status_code == 200
    changes = Alert.objects.filter(kind=Alert.Kind.STATE_CHANGE).order_by("created_at", "id")
    assert list(changes.values_list("previous_state", "state")) == [
        ("OK", "CRITICAL"),
        ("CRITICAL", recovered.state),
    ]
    outcome = Alert.objects.get(kind=Alert.Kind.RETRAIN)
    assert outcome.report == broken and f"model {challenger.pk} rejected" in outcome.subject
    assert not outcome.emailed


# A lasting break: reversal for 450 sessions, then momentum for good. The champion saw reversal only.
LASTING_BREAK = [(450, -0.9), (450, 0.9)]
LASTING_TRAIN_END, DEEP_IN_BREAK = 329, 880


@pytest.fixture
def lasting_break(db, fast_training):
    frame = regime_frame(regimes=LASTING_BREAK, seed=1)
    ingest_frame(frame=frame, source="csv")
    config = services.training_config(algorithm="ridge")
    end = session_date(frame, LASTING_TRAIN_END)
    version, _ = services.train_version(config=config, panels=load_panels(end=end))
    registry.promote(version, user=None, reason="monitoring test champion")
    # Rolling one-year training window (a threshold administrators set): the retrain sees the new regime.
    thresholds = MonitoringThresholds.load()
    thresholds.training_window = MonitoringThresholds.TrainingWindow.ROLLING
    thresholds.training_window_years = 1
    thresholds.save()
    return frame, version


@pytest.mark.slow
def test_a_retrained_challenger_that_passes_is_promoted_and_reopens_the_gate(lasting_break, investor_client):
    frame, champion = lasting_break
    admins = {UserFactory(role=roles.ADMIN).email}

    reports = _monitor(frame, DEEP_IN_BREAK)
    broken = reports[0]
    assert broken.model_version == champion and broken.state == "CRITICAL" and broken.retrain_requested
    assert broken.reasons[0]["code"] == "rank_ic_below_validation"

    # The monitoring task queued the retraining (eager): the challenger beat the champion on the same
    # recent window and passed monitoring there, so it was promoted and judged at once.
    challenger = ModelVersion.objects.exclude(pk=champion.pk).get()
    assert challenger.status == ModelVersion.Status.CHAMPION and registry.champion() == challenger
    assert challenger.training_window == "rolling"
    comparison = challenger.metrics["comparison"]
    assert comparison["window"]["n_dates"] >= 50
    assert comparison["challenger_rank_ic"] > 0.2 > comparison["champion_rank_ic"]
    assert comparison["challenger_monitoring"]["state"] != "CRITICAL"
    champion.refresh_from_db()
    assert champion.status != ModelVersion.Status.CHAMPION
    assert RegistryEvent.objects.filter(model_version=challenger, action="promoted").exists()

    judged = MonitoringReport.objects.filter(model_version=challenger, role="champion").get()
    assert judged.state in ("OK", "WARN") and judged.as_of == broken.as_of
    # The gate follows the new champion's own report: open, rankings served again.
    state = gate.gate_state()
    assert state.is_open and state.report_id == judged.pk
    assert investor_client.get("/api/v1/rankings/").status_code == 200

    # Two e-mails to the admins: the CRITICAL, then the recovery the promotion brought.
    assert [set(m.to) for m in mail.outbox] == [admins, admins]
    assert "OK → CRITIQUE" in mail.outbox[0].subject
    assert "rétablie" in mail.outbox[1].subject and "de nouveau ouvert" in mail.outbox[1].body
    assert judged.get_absolute_url() in mail.outbox[1].body
    outcome = Alert.objects.get(kind=Alert.Kind.RETRAIN)
    assert outcome.report == broken and f"model {challenger.pk} promoted" in outcome.subject
    assert not outcome.emailed
