"""End to end, through the real Celery tasks (eager): a relation that breaks closes the gate, alerts the
administrators once, triggers retraining; its return reopens the gate with a recovery e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from market.ingest import ingest_frame
from mlcore import monitoring_tasks, registry, services
from mlcore.dataset import load_panels
from mlcore.models import ModelVersion, RegistryEvent
from mlcore.monitoring_models import Alert, MonitoringReport
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
    assert "OK → CRITICAL" in mail.outbox[0].subject
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
    assert "recovered" in mail.outbox[1].subject and set(mail.outbox[1].to) == admins
    assert "open again" in mail.outbox[1].body
    assert investor_client.get("/api/v1/rankings/").status_code == 200
    changes = Alert.objects.filter(kind=Alert.Kind.STATE_CHANGE).order_by("created_at", "id")
    assert list(changes.values_list("previous_state", "state")) == [
        ("OK", "CRITICAL"),
        ("CRITICAL", recovered.state),
    ]
    outcome = Alert.objects.get(kind=Alert.Kind.RETRAIN)
    assert outcome.report == broken and f"model {challenger.pk} rejected" in outcome.subject
    assert not outcome.emailed
